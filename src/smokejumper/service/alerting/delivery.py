"""Delivering the outbox: each due message is sent through its receiver's integration and
marked sent, retried later (exponential backoff with jitter, at least the receiver's
``Retry-After``) or given up as dead (a refusal that retrying cannot fix, or too many attempts).

Delivery is at least once. A batch of due messages is sent, then their marks are written in one
unit of work; a crash in between sends those messages again after the restart, which receivers
fold by their dedup key (PagerDuty's ``dedup_key`` is the alert's fingerprint; webhooks get the
notification's key in a header). Nothing acknowledged is lost: a message leaves ``pending`` only
when its mark is committed.

The receiver's settings are read from the configuration when the message is sent, not when it
was written, so a fixed URL or a rotated secret applies to messages still waiting; a message
whose receiver or integration is no longer configured is dead, saying so.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from smokejumper.alerting import Notification
from smokejumper.alerting.codec import notification_from_dict
from smokejumper.delivery.backoff import Backoff
from smokejumper.delivery.outcome import Outcome
from smokejumper.store import outbox
from smokejumper.store.database import unit_of_work
from smokejumper.store.tables import OutboxMessage

#: Sends one notification through integration ``kind[index]`` of ``receiver``.
Send = Callable[[str, str, int, Notification], Outcome]
#: Carries out one message that is not a notification (its payload has ``"task": NAME``; a
#: Slack Web API call for an incident's channel, say), given the payload's data.
Task = Callable[[Mapping[str, Any]], Outcome]


@dataclass(frozen=True)
class DeliveryRound:
    """What one round did: messages delivered, to retry, given up."""

    delivered: int = 0
    retried: int = 0
    dead: int = 0

    @property
    def attempted(self) -> int:
        """Messages tried in the round."""
        return self.delivered + self.retried + self.dead


def deliver_due(
    sessions: sessionmaker[Session],
    send: Send,
    now: datetime,
    backoff: Backoff | None = None,
    rng: random.Random | None = None,
    limit: int = 100,
    tasks: Mapping[str, Task] | None = None,
) -> DeliveryRound:
    """Send up to ``limit`` messages due at ``now`` and record how each went; a message
    whose payload names a ``task`` is carried out by ``tasks[task]``."""
    policy = backoff or Backoff()
    rng = rng or random.Random()
    with sessions() as session:
        due = [(m.id, m.payload, m.attempts) for m in outbox.due(session, now, limit)]
    if not due:
        return DeliveryRound()
    outcomes = [(mid, tries, _attempt(payload, send, tasks or {})) for mid, payload, tries in due]
    counts = {"delivered": 0, "retry": 0, "dead": 0}
    with unit_of_work(sessions) as session:
        for mid, tries, outcome in outcomes:
            message = session.get(OutboxMessage, mid)
            if message is None or message.status != outbox.PENDING:
                continue  # marked meanwhile (another deliverer): leave it as it is
            status = outcome.status
            if status == "retry" and policy.exhausted(tries + 1):
                status = "dead"
                outcome = Outcome.dead(f"gave up after {tries + 1} attempts; last: {outcome.error}")
            counts[status] += 1
            if status == "delivered":
                outbox.mark_sent(session, message, now)
            elif status == "dead":
                outbox.give_up(session, message, outcome.error)
            else:
                wait = policy.delay(tries + 1, rng, outcome.retry_after)
                outbox.retry_later(session, message, outcome.error, now + timedelta(seconds=wait))
    return DeliveryRound(counts["delivered"], counts["retry"], counts["dead"])


def _attempt(payload: str, send: Send, tasks: Mapping[str, Task]) -> Outcome:
    try:
        doc = json.loads(payload)
        if isinstance(doc, dict) and "task" in doc:
            task = tasks.get(str(doc["task"]))
            if task is None:
                return Outcome.dead(
                    f"nothing carries out {doc['task']!r} messages: its part of the "
                    "configuration file was removed after the message was written"
                )
            return task(doc)
        notification = notification_from_dict(doc["notification"])
        receiver, kind, index = doc["receiver"], doc["kind"], int(doc["index"])
    except (ValueError, KeyError, TypeError) as err:
        return Outcome.dead(f"unreadable outbox message ({type(err).__name__}: {err})")
    return send(receiver, kind, index, notification)
