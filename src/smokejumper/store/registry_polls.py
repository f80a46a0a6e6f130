"""Repository of the MLflow poller's memory: per registry, the last state seen and how its
polls go (successes, failures, the last error). Nothing here commits: the caller's unit of
work does, so a poll's changes and the state they lead to are stored together or not at all."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smokejumper.store.database import as_utc
from smokejumper.store.tables import RegistryPollRow


@dataclass(frozen=True)
class RegistryPoll:
    """What is stored of a registry: ``state`` (``None`` before the first successful poll) is
    a :meth:`~smokejumper.changes.registry.RegistrySnapshot.to_dict`."""

    source: str
    state: dict[str, Any] | None
    polled_at: datetime | None
    attempted_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    failing_since: datetime | None
    consecutive_failures: int
    errors_total: int
    changes_total: int


def get_poll(session: Session, source: str, *, for_update: bool = False) -> RegistryPoll | None:
    """The memory of the registry ``source`` (``None``: never polled)."""
    row = _row(session, source, for_update)
    return None if row is None else _poll(row)


def save_success(
    session: Session, source: str, state: dict[str, Any], now: datetime, recorded: int
) -> None:
    """A poll at ``now`` read ``state`` and recorded ``recorded`` changes; failures end."""
    row = _row(session, source, True) or _new(session, source)
    row.state = json.dumps(state, sort_keys=True, separators=(",", ":"))
    row.polled_at = row.attempted_at = now
    row.failing_since = None
    row.consecutive_failures = 0
    row.changes_total += recorded


def save_failure(session: Session, source: str, error: str, now: datetime) -> RegistryPoll:
    """A poll at ``now`` failed with ``error``; the memory as it is now."""
    row = _row(session, source, True) or _new(session, source)
    row.attempted_at = row.last_error_at = now
    row.last_error = error[:2000]
    if row.failing_since is None:
        row.failing_since = now
    row.consecutive_failures += 1
    row.errors_total += 1
    session.flush()
    return _poll(row)


def _row(session: Session, source: str, for_update: bool) -> RegistryPollRow | None:
    query = select(RegistryPollRow).where(RegistryPollRow.source == source)
    return session.scalar(query.with_for_update() if for_update else query)


def _new(session: Session, source: str) -> RegistryPollRow:
    row = RegistryPollRow(source=source, consecutive_failures=0, errors_total=0, changes_total=0)
    session.add(row)
    return row


def _time(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


def _poll(row: RegistryPollRow) -> RegistryPoll:
    return RegistryPoll(
        source=row.source,
        state=None if row.state is None else json.loads(row.state),
        polled_at=_time(row.polled_at),
        attempted_at=_time(row.attempted_at),
        last_error=row.last_error,
        last_error_at=_time(row.last_error_at),
        failing_since=_time(row.failing_since),
        consecutive_failures=row.consecutive_failures,
        errors_total=row.errors_total,
        changes_total=row.changes_total,
    )
