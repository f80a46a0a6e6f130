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
============== ===========================================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from smokejumper.alerting.alert import Alert

Reason = Literal["new", "changed", "resolved", "repeat", "escalation"]


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

    @property
    def status(self) -> Literal["firing", "resolved"]:
        """``firing`` while any of its alerts fires (Alertmanager's webhook ``status``)."""
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
