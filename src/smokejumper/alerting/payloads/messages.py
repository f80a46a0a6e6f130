"""A :class:`~smokejumper.alerting.notifications.Message` (an incident's status update, or a
reminder that one is due) as Slack, email and the webhook show it. PagerDuty and Alertmanager
push are told of alerts only: a message is not sent to them (see
:data:`~smokejumper.alerting.notifications.MESSAGE_KINDS`).

>>> from datetime import UTC, datetime
>>> m = Message("[SEV2] INC-7: churn (investigating)",
...             (("Situation", "scores flat"), ("Recommendation", "roll <back>")),
...             footer="Status update by ana", labels={"incident": "INC-7"})
>>> n = Notification("team", "incident:INC-7", {"incident": "INC-7"}, (), (), "status_update",
...                  datetime(2026, 11, 1, 9, tzinfo=UTC), message=m)
>>> [b["type"] for b in slack_blocks(m)]
['header', 'section', 'section', 'context']
>>> slack_blocks(m)[2]["text"]["text"]
'*Recommendation*\\nroll &lt;back&gt;'
>>> doc = webhook_message(n, "https://sj.example")
>>> doc["version"], doc["status"], doc["alerts"], doc["commonAnnotations"]["summary"]
('4', 'firing', [], '[SEV2] INC-7: churn (investigating)')
"""

from __future__ import annotations

from html import escape as html_escape
from typing import Any

from smokejumper.alerting.notifications import Message, Notification
from smokejumper.alerting.payloads.common import shorten

HEADER_LIMIT, TEXT_LIMIT = 150, 3000


def _mrkdwn(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_blocks(message: Message) -> list[dict[str, Any]]:
    """Block Kit blocks: a header with the title, a section per part, a context footer."""
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": shorten(message.title, HEADER_LIMIT)},
        }
    ]
    for heading, body in message.sections:
        text = f"*{_mrkdwn(heading)}*\n{_mrkdwn(body)}"
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": shorten(text, TEXT_LIMIT)}}
        )
    footer = " · ".join(p for p in (message.footer, message.link) if p)
    if footer:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": shorten(footer, TEXT_LIMIT)}],
            }
        )
    return blocks


def email_html(message: Message) -> str:
    """The HTML body: the title, each part as a heading and a paragraph, the footer."""
    parts = [
        '<!DOCTYPE html><html><body style="font-family: sans-serif">',
        f"<h2>{html_escape(message.title)}</h2>",
    ]
    for heading, body in message.sections:
        parts.append(f"<h3>{html_escape(heading)}</h3><p>{html_escape(body)}</p>")
    if message.footer:
        parts.append(f'<p style="color: #777">{html_escape(message.footer)}</p>')
    if message.link:
        link = html_escape(message.link)
        parts.append(f'<p><a href="{link}">{link}</a></p>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def webhook_message(notification: Notification, external_url: str) -> dict[str, Any]:
    """Alertmanager's webhook document, version 4, with no alerts: the message's labels as
    ``groupLabels`` and ``commonLabels``, its title and text as the ``summary`` and
    ``description`` annotations, and the parts under ``message`` (a field Alertmanager does
    not send, which receivers reading version 4 ignore)."""
    message = notification.message
    assert message is not None
    return {
        "version": "4",
        "groupKey": notification.group_key,
        "truncatedAlerts": 0,
        "status": notification.status,
        "receiver": notification.receiver,
        "groupLabels": dict(message.labels),
        "commonLabels": dict(message.labels),
        "commonAnnotations": {"summary": message.title, "description": message.text()},
        "externalURL": external_url.rstrip("/"),
        "alerts": [],
        "message": {"kind": notification.reason, **message.to_dict()},
    }
