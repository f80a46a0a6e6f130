"""What a pipeline pass decides to send: notification intents and escalations.

A :class:`Notification` is an intent, not a delivery: the caller writes it to the outbox (its
:attr:`~Notification.key` makes that idempotent) and the delivery side renders it for the
receiver's integrations. Its ``reason`` says why it goes now:

============== ===========================================================================
``new``        the group's first notification to this receiver (after ``group_wait``)
``changed``    alerts started firing in the group since the last one
``resolved``   alerts the receiver was told of have resolved
``repeat``     nothing changed for ``repeat_interval`` and an alert is still unacknowledged
``escalation`` the first notification to a receiver of the route's escalation chain
``status_update`` an incident's status update (:attr:`Notification.message` holds its words)
``update_due`` a reminder that an incident's next status update is due (the same)
``action_due`` a reminder that a post-mortem action item is due or overdue (the same)
============== ===========================================================================

A notification with a :class:`Message` is about people's words, not alerts changing state:
the Slack, email and webhook payloads show the message (see :mod:`.payloads`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from smokejumper.alerting.alert import Alert

Reason = Literal[
    "new",
    "changed",
    "resolved",
    "repeat",
    "escalation",
    "status_update",
    "update_due",
    "action_due",
]
#: The reasons of notifications that carry a :class:`Message`.
MESSAGE_REASONS = ("status_update", "update_due", "action_due")
#: The integrations that show a :class:`Message` (PagerDuty and Alertmanager push are told of
#: alerts only).
MESSAGE_KINDS = frozenset({"slack_configs", "email_configs", "webhook_configs"})


@dataclass(frozen=True)
class Message:
    """Words to send that are not about alerts changing state: an incident's status update, or
    a reminder that one is due. Receivers show the ``title``, then each section (a heading and
    its text), then the ``footer``; ``labels`` say what it is about (such as ``incident``,
    ``severity``, ``status``); ``ongoing`` is false once what it is about is over (a
    webhook's ``status`` is then ``resolved``); ``link`` is a URL to read more, if any.

    >>> m = Message("[SEV2] INC-7: churn (investigating)", (("Situation", "flat scores"),),
    ...             footer="Status update by ana", labels={"incident": "INC-7"})
    >>> Message.from_dict(m.to_dict()) == m
    True
    """

    title: str
    sections: tuple[tuple[str, str], ...]
    footer: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    ongoing: bool = True
    link: str = ""

    def text(self) -> str:
        """The message as plain text: the title, each section, the footer."""
        lines = [self.title, ""]
        lines.extend(f"{heading}: {body}" for heading, body in self.sections)
        if self.footer:
            lines.extend(["", self.footer])
        if self.link:
            lines.append(self.link)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON data (for the outbox)."""
        return {
            "title": self.title,
            "sections": [{"heading": h, "text": t} for h, t in self.sections],
            "footer": self.footer,
            "labels": dict(self.labels),
            "ongoing": self.ongoing,
            "link": self.link,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Message:
        """The message of :meth:`to_dict`'s data."""
        return cls(
            str(data["title"]),
            tuple((str(s["heading"]), str(s["text"])) for s in data.get("sections", [])),
            str(data.get("footer", "")),
            {str(k): str(v) for k, v in dict(data.get("labels", {})).items()},
            bool(data.get("ongoing", True)),
            str(data.get("link", "")),
        )


@dataclass(frozen=True)
class Notification:
    """One message to send: to ``receiver``, about group ``group_key``, at ``at``.

    >>> from datetime import UTC, datetime
    >>> t = datetime(2026, 11, 1, tzinfo=UTC)
    >>> n = Notification("team", 'route:{model="churn"}', {"model": "churn"}, (), (), "new", t)
    >>> n.status, n.key
    ('resolved', 'route:{model="churn"}|team|2026-11-01T00:00:00+00:00')
    """

    receiver: str
    group_key: str
    group_labels: Mapping[str, str]
    firing: tuple[Alert, ...]
    resolved: tuple[Alert, ...]
    reason: Reason
    at: datetime
    level: int = 0
    #: The words of a status update or a reminder (with reason ``status_update`` or
    #: ``update_due``); ``None`` for notifications about alerts.
    message: Message | None = None

    @property
    def status(self) -> Literal["firing", "resolved"]:
        """``firing`` while any of its alerts fires (Alertmanager's webhook ``status``); for a
        message, while what it is about is ongoing."""
        if self.message is not None:
            return "firing" if self.message.ongoing else "resolved"
        return "firing" if self.firing else "resolved"

    @property
    def key(self) -> str:
        """Unique per group, receiver and instant: the outbox key that makes enqueuing it
        idempotent (a channel sends at most once per instant)."""
        return f"{self.group_key}|{self.receiver}|{self.at.isoformat()}"

    @property
    def alerts(self) -> tuple[Alert, ...]:
        """Firing alerts, then resolved ones."""
        return (*self.firing, *self.resolved)


@dataclass(frozen=True)
class Escalation:
    """Alert ``fingerprint`` of group ``group_key`` escalated to ``receiver`` (step ``level``
    of its route's chain) at ``at``. Record it on the alert with
    :meth:`~smokejumper.alerting.alert_set.AlertSet.record_escalations`."""

    fingerprint: str
    group_key: str
    receiver: str
    level: int
    at: datetime
