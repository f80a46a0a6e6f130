"""A Slack incoming-webhook message in Block Kit, with a ``text`` fallback for notifications
and clients that do not show blocks.

The blocks: a ``header`` with the title, a ``section`` saying what changed, then for each
alert (at most :data:`SHOWN_ALERTS`) a ``divider``, a ``section`` with its summary and
description, a ``section`` with its drifted columns and effect sizes and the null share when
it has them, and a ``context`` line (severity, window, acknowledgement); finally an
``actions`` block with link buttons. Slack's limits are kept: header 150 characters, section
text 3000, button text 75, at most 50 blocks. Text is escaped for mrkdwn (``&``, ``<``, ``>``).

Settings read: ``channel``, ``username``, ``icon_emoji``, ``icon_url`` (passed on when given;
incoming webhooks of newer apps ignore them), ``title`` (replaces the header's title).

>>> from datetime import UTC, datetime
>>> from smokejumper.alerting.alert import Alert, Link
>>> t = datetime(2026, 11, 1, 9, tzinfo=UTC)
>>> a = Alert({"model": "churn", "type": "feature_drift", "severity": "warning"},
...           {"summary": "churn drifts"}, t,
...           links=(Link("{external_url}/models/churn", "Model churn"),),
...           context={"drifted_columns": [{"column": "age", "effect_size": 0.42,
...                                         "method": "wasserstein"}]})
>>> n = Notification("team", "g", {"model": "churn"}, (a,), (), "new", t)
>>> msg = slack_message(n, {"channel": "#ml"}, "https://sj.example")
>>> [b["type"] for b in msg["blocks"]]
['header', 'section', 'divider', 'section', 'section', 'context', 'actions']
>>> msg["blocks"][4]["text"]["text"]
'*Drifted columns*\\n• age: wasserstein 0.42'
>>> msg["text"], msg["channel"]
('[FIRING:1] churn feature_drift: churn drifts', '#ml')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from smokejumper.alerting.alert import Alert, Link
from smokejumper.alerting.notifications import Notification
from smokejumper.alerting.payloads.common import (
    all_links,
    fact_lines,
    shorten,
    summary,
    title,
    wanted,
    window_line,
)
from smokejumper.alerting.payloads.messages import slack_blocks

#: At most this many alerts get blocks of their own; the rest are counted.
SHOWN_ALERTS = 8
#: At most this many link buttons.
SHOWN_LINKS = 5
HEADER_LIMIT, TEXT_LIMIT, BUTTON_LIMIT, FALLBACK_LIMIT = 150, 3000, 75, 3000
_PASSED_ON = ("channel", "username", "icon_emoji", "icon_url")
_WHY = {
    "new": "New",
    "changed": "Changed",
    "resolved": "Resolved",
    "repeat": "Still firing (repeat)",
    "escalation": "Escalated",
    "status_update": "Status update",
    "update_due": "Status update due",
    "action_due": "Action item due",
}


def slack_message(
    notification: Notification, settings: Mapping[str, Any], external_url: str
) -> dict[str, Any]:
    """The message for one notification (see the module docstring); a status update or a
    reminder shows its words (:func:`~.messages.slack_blocks`)."""
    if notification.message is not None:
        said: dict[str, Any] = {
            "text": shorten(notification.message.text(), FALLBACK_LIMIT),
            "blocks": slack_blocks(notification.message),
        }
        said.update({k: str(settings[k]) for k in _PASSED_ON if settings.get(k)})
        return said
    alerts = wanted(notification, settings)
    head = str(settings.get("title") or title(notification, alerts))
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": shorten(head, HEADER_LIMIT)}},
        _section(_status_line(notification, alerts)),
    ]
    for alert in alerts[:SHOWN_ALERTS]:
        blocks.extend(_alert_blocks(alert))
    more = len(alerts) - SHOWN_ALERTS
    if more > 0:
        blocks.append(_context(f"and {more} more alert{'s' if more != 1 else ''} in this group"))
    buttons = _buttons(all_links(alerts, external_url)[:SHOWN_LINKS])
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    message: dict[str, Any] = {"text": _fallback(head, alerts), "blocks": blocks}
    message.update({k: str(settings[k]) for k in _PASSED_ON if settings.get(k)})
    return message


def escape(text: str) -> str:
    """``text`` safe in Slack mrkdwn: ``&``, ``<`` and ``>`` escaped.

    >>> escape("a < b & c")
    'a &lt; b &amp; c'
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _status_line(notification: Notification, alerts: Sequence[Alert]) -> str:
    firing = sum(1 for a in alerts if a.firing)
    resolved = len(alerts) - firing
    parts = [f"*{_WHY.get(notification.reason, notification.reason)}*"]
    parts.append(f"{firing} firing" + (f", {resolved} resolved" if resolved else ""))
    group = ", ".join(f"{k}={v}" for k, v in sorted(notification.group_labels.items()))
    if group:
        parts.append(f"group {escape(group)}")
    return " · ".join(parts)


def _alert_blocks(alert: Alert) -> list[dict[str, Any]]:
    mark = ":red_circle:" if alert.firing else ":large_green_circle:"
    text = f"{mark} *{escape(summary(alert))}*"
    if alert.annotations.get("description"):
        text += "\n" + escape(alert.annotations["description"])
    blocks = [{"type": "divider"}, _section(text)]
    facts = fact_lines(alert)
    if facts:
        heading = "*Drifted columns*" if alert.context.get("drifted_columns") else "*Facts*"
        blocks.append(_section(heading + "\n" + "\n".join(f"• {escape(f)}" for f in facts)))
    notes = [f"severity: {alert.labels.get('severity', 'none')}"]
    window = window_line(alert)
    if window:
        notes.append(window)
    if alert.acknowledged_by:
        notes.append(f"acknowledged by {alert.acknowledged_by}")
    if not alert.firing and alert.ends_at is not None:
        notes.append(f"resolved at {alert.ends_at.isoformat()}")
    blocks.append(_context(" · ".join(escape(n) for n in notes)))
    return blocks


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": shorten(text, TEXT_LIMIT)}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": shorten(text, TEXT_LIMIT)}]}


def _buttons(found: Sequence[Link]) -> list[dict[str, Any]]:
    return [
        {
            "type": "button",
            "action_id": f"link-{i}",
            "text": {"type": "plain_text", "text": shorten(link.text or link.href, BUTTON_LIMIT)},
            "url": link.href,
        }
        for i, link in enumerate(found)
        if len(link.href) <= TEXT_LIMIT
    ]


def _fallback(head: str, alerts: Sequence[Alert]) -> str:
    sums = "; ".join(summary(a) for a in alerts[:3])
    more = f" (+{len(alerts) - 3} more)" if len(alerts) > 3 else ""
    return shorten(f"{head}: {sums}{more}" if sums else head, FALLBACK_LIMIT)
