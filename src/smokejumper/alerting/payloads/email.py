"""An email for one notification: a subject, a plain text body and an HTML body, as an
:class:`email.message.EmailMessage` ready for SMTP.

The subject is the title (``[FIRING:2] churn feature_drift``); both bodies list each alert with
its summary, description, drifted columns with effect sizes, null share, window, labels and
links. The ``Message-ID`` is derived from the notification's key and the recipients, so a
resend after a crash carries the same one and mail systems can fold the duplicate.

Settings read: ``to`` (required; addresses separated by commas), ``from`` (required),
``headers`` (extra or replacing headers, ``Subject`` included), ``send_resolved``.

>>> from datetime import UTC, datetime
>>> t = datetime(2026, 11, 1, 9, tzinfo=UTC)
>>> a = Alert({"model": "churn", "type": "null_rate"}, {"summary": "nulls in age"}, t,
...           context={"null_share": {"column": "age", "share": 0.5}})
>>> n = Notification("team", "g", {"model": "churn"}, (a,), (), "new", t)
>>> msg = email_message(n, {"to": "ml@example.com", "from": "sj@example.com"}, "")
>>> msg["Subject"], msg.get_content_type()
('[FIRING:1] churn null_rate', 'multipart/alternative')
>>> "Null share of age: 50.0%" in msg.get_body(("plain",)).get_content()
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from email.utils import format_datetime
from html import escape
from typing import Any

from smokejumper.alerting.alert import Alert
from smokejumper.alerting.notifications import Notification
from smokejumper.alerting.payloads.common import (
    fact_lines,
    links,
    summary,
    title,
    wanted,
    window_line,
)
from smokejumper.alerting.payloads.messages import email_html


def recipients(settings: Mapping[str, Any]) -> list[str]:
    """The ``to`` addresses of an item (a string with commas, or a list).

    >>> recipients({"to": "a@example.com, b@example.com"})
    ['a@example.com', 'b@example.com']
    """
    to = settings.get("to", "")
    parts = to if isinstance(to, list) else str(to).split(",")
    return [str(p).strip() for p in parts if str(p).strip()]


def email_message(
    notification: Notification, settings: Mapping[str, Any], external_url: str
) -> EmailMessage:
    """The message for one notification (see the module docstring)."""
    alerts = wanted(notification, settings)
    message = notification.message
    subject = message.title if message is not None else title(notification, alerts)
    to = recipients(settings)
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = str(settings.get("from", ""))
    msg["To"] = ", ".join(to)
    msg["Date"] = format_datetime(notification.at)
    digest = hashlib.sha256(f"{notification.key}|{','.join(to)}".encode()).hexdigest()[:32]
    msg["Message-ID"] = f"<{digest}@smokejumper>"
    for name, value in dict(settings.get("headers") or {}).items():
        del msg[name]
        msg[name] = str(value)
    if message is not None:  # a status update or a reminder: its words
        msg.set_content(message.text() + "\n")
        msg.add_alternative(email_html(message), subtype="html")
        return msg
    msg.set_content(text_body(notification, alerts, external_url))
    msg.add_alternative(html_body(notification, alerts, external_url), subtype="html")
    return msg


def text_body(notification: Notification, alerts: Sequence[Alert], external_url: str) -> str:
    """The plain text body."""
    lines = [title(notification, alerts), ""]
    for alert in alerts:
        lines.append(f"{'FIRING' if alert.firing else 'RESOLVED'}: {summary(alert)}")
        lines.extend(f"  {line}" for line in _details(alert))
        lines.extend(f"  {link.text}: {link.href}" for link in links(alert, external_url))
        lines.append("")
    lines.append(f"Sent by Smokejumper to {notification.receiver} ({notification.reason}).")
    return "\n".join(lines) + "\n"


def html_body(notification: Notification, alerts: Sequence[Alert], external_url: str) -> str:
    """The HTML body: one block per alert, text escaped."""
    parts = [
        '<!DOCTYPE html><html><body style="font-family: sans-serif">',
        f"<h2>{escape(title(notification, alerts))}</h2>",
    ]
    for alert in alerts:
        colour = "#c0392b" if alert.firing else "#27ae60"
        state = "FIRING" if alert.firing else "RESOLVED"
        parts.append(
            f'<h3><span style="color: {colour}">{state}</span> {escape(summary(alert))}</h3>'
        )
        details = _details(alert)
        if details:
            parts.append("<ul>" + "".join(f"<li>{escape(d)}</li>" for d in details) + "</ul>")
        found = links(alert, external_url)
        if found:
            parts.append(
                "<p>"
                + " · ".join(
                    f'<a href="{escape(link.href)}">{escape(link.text)}</a>' for link in found
                )
                + "</p>"
            )
    parts.append(
        f'<p style="color: #777">Sent by Smokejumper to '
        f"{escape(notification.receiver)} ({escape(notification.reason)}).</p>"
    )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _details(alert: Alert) -> list[str]:
    lines = []
    if alert.annotations.get("description"):
        lines.append(alert.annotations["description"])
    lines.extend(fact_lines(alert))
    window = window_line(alert)
    if window:
        lines.append(window.capitalize())
    if alert.acknowledged_by:
        lines.append(f"Acknowledged by {alert.acknowledged_by}")
    if alert.ends_at is not None:
        lines.append(f"Resolved at {alert.ends_at.isoformat()}")
    labels = ", ".join(f"{k}={v}" for k, v in sorted(alert.labels.items()))
    lines.append(f"Labels: {labels}")
    return lines
