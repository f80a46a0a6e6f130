"""Repository of the outbox: messages written in the transaction that caused them, delivered
afterwards. Nothing here commits: the caller's unit of work does, so a message is stored if and
only if what caused it is.

Delivery is at least once: a worker takes the due messages, sends each, then marks it sent or
schedules a retry. A message whose send succeeded but whose mark was lost (a crash between the
two) is sent again; receivers deduplicate by ``key``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from smokejumper.store.tables import OutboxMessage
from smokejumper.store.upsert import insert_ignoring

#: A message is pending until delivered (sent) or given up (dead: a dead letter, kept with its
#: last error for people to read).
PENDING, SENT, DEAD = "pending", "sent", "dead"
STATUSES = (PENDING, SENT, DEAD)
#: Channels whose names start so deliver one message at a time, oldest first: a message waits
#: while an older one of its channel is pending. An incident's Slack channel is made before
#: anything is posted there, and its posts keep their order, whatever Slack's outages.
IN_ORDER = "slack/"


def enqueue(session: Session, channel: str, key: str, payload: str, now: datetime) -> None:
    """Add a message for ``channel``, due now; a message with the same ``key`` already in the
    outbox is kept as it is (enqueuing is idempotent)."""
    row = {
        "channel": channel,
        "key": key,
        "payload": payload,
        "status": PENDING,
        "attempts": 0,
        "created_at": now,
        "due_at": now,
    }
    insert_ignoring(session, OutboxMessage, row, ["key"])


def due(session: Session, now: datetime, limit: int = 100) -> list[OutboxMessage]:
    """Pending messages whose next attempt is due by ``now``, oldest first (on an
    :data:`IN_ORDER` channel, only its oldest pending message)."""
    older = aliased(OutboxMessage)
    waiting = exists().where(
        older.status == PENDING, older.channel == OutboxMessage.channel, older.id < OutboxMessage.id
    )
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.status == PENDING,
            OutboxMessage.due_at <= now,
            ~(OutboxMessage.channel.startswith(IN_ORDER) & waiting),
        )
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def mark_sent(session: Session, message: OutboxMessage, at: datetime) -> None:
    """The message was delivered at ``at``."""
    message.status, message.sent_at = SENT, at
    message.attempts += 1
    session.flush()


def retry_later(session: Session, message: OutboxMessage, error: str, at: datetime) -> None:
    """An attempt failed with ``error``; try again from ``at``."""
    message.attempts += 1
    message.last_error, message.due_at = error, at
    session.flush()


def give_up(session: Session, message: OutboxMessage, error: str) -> None:
    """Stop trying: the message failed for good (e.g. the receiver refused it as invalid)."""
    message.attempts += 1
    message.status, message.last_error = DEAD, error
    session.flush()


def recent(session: Session, status: str | None = None, limit: int = 100) -> list[OutboxMessage]:
    """Messages, newest first, optionally only those with ``status``."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    return list(session.scalars(query))


def counts(session: Session) -> dict[tuple[str, str], tuple[int, int]]:
    """How many messages per (channel, status), and their attempts, for the metrics."""
    query = select(
        OutboxMessage.channel,
        OutboxMessage.status,
        func.count(),
        func.coalesce(func.sum(OutboxMessage.attempts), 0),
    ).group_by(OutboxMessage.channel, OutboxMessage.status)
    return {(ch, status): (int(n), int(tries)) for ch, status, n, tries in session.execute(query)}


def oldest_pending(session: Session) -> datetime | None:
    """When the oldest pending message was written (the outbox's age), if any."""
    return session.scalar(
        select(func.min(OutboxMessage.created_at)).where(OutboxMessage.status == PENDING)
    )
