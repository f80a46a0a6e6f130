"""Repository of silences. Nothing here commits: the caller's unit of work does."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from smokejumper.alerting import Silence
from smokejumper.store.database import as_utc
from smokejumper.store.tables import SilenceRow


def add_silence(session: Session, silence: Silence, now: datetime) -> None:
    """Store a new silence."""
    session.add(
        SilenceRow(
            id=silence.id,
            matchers=json.dumps([str(m) for m in silence.matchers]),
            starts_at=silence.starts_at,
            ends_at=silence.ends_at,
            created_by=silence.created_by,
            comment=silence.comment,
            created_at=now,
        )
    )
    session.flush()


def load_silences(session: Session, since: datetime | None = None) -> list[Silence]:
    """Silences, oldest first; with ``since``, only those ending after it."""
    query = select(SilenceRow).order_by(SilenceRow.created_at, SilenceRow.id)
    if since is not None:
        query = query.where(SilenceRow.ends_at > since)
    return [_silence(row) for row in session.scalars(query)]


def expire_silence(session: Session, silence_id: str, now: datetime) -> Silence | None:
    """End silence ``silence_id`` at ``now`` (if it ends later); ``None`` if there is none.

    A silence that had not started yet is kept with a span of one microsecond ending at
    ``now``, so it stays on record without ever having muted anything."""
    row = session.get(SilenceRow, silence_id)
    if row is None:
        return None
    if as_utc(row.ends_at) > now:
        row.ends_at = now
        if as_utc(row.starts_at) >= now:
            row.starts_at = now - timedelta(microseconds=1)
    session.flush()
    return _silence(row)


def _silence(row: SilenceRow) -> Silence:
    return Silence.of(
        row.id,
        json.loads(row.matchers),
        as_utc(row.starts_at),
        as_utc(row.ends_at),
        row.created_by,
        row.comment,
    )
