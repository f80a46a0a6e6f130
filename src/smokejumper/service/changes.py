"""The change log: record a change (once per id), list changes. The incident timeline reads
them with :func:`smokejumper.store.changes.changes_between` in its own unit of work."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from smokejumper.changes import Change, make_change
from smokejumper.errors import ChangeConflictError
from smokejumper.store.changes import add_change, find_changes
from smokejumper.store.database import unit_of_work


def record_change(
    sessions: sessionmaker[Session],
    *,
    at: datetime,
    kind: str,
    summary: str,
    model: str | None = None,
    service: str | None = None,
    link: str | None = None,
    details: Mapping[str, Any] | None = None,
    key: str | None = None,
    now: datetime,
) -> tuple[dict[str, Any], bool]:
    """Store a change (checked by :func:`smokejumper.changes.make_change`); the change as
    stored and whether it is new. A change sent again under the same ``key`` is stored once
    (not new); under a key already used for a change saying something else it is refused
    with :class:`ChangeConflictError`. Without a key one is made up."""
    change = make_change(
        key=key or uuid.uuid4().hex,
        at=at,
        kind=kind,
        summary=summary,
        model=model,
        service=service,
        link=link,
        details=details,
    )
    with unit_of_work(sessions) as session:
        stored, new = add_change(session, change, now)
    if not stored.same_content(change):
        raise ChangeConflictError(
            f"a different change is already recorded under id {change.key!r} "
            f"({stored.kind} at {stored.at.isoformat()}: {stored.summary!r}); "
            "send a new id for a new change"
        )
    return change_to_dict(stored), new


def list_changes(
    sessions: sessionmaker[Session],
    *,
    model: str | None = None,
    kind: str | None = None,
    service: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Changes at ``[since, until)``, filtered, newest first, as JSON-ready data."""
    with sessions() as session:
        found = find_changes(
            session,
            model=model,
            kind=kind,
            service=service,
            since=since,
            until=until,
            limit=limit,
        )
    return [change_to_dict(c) for c in found]


def change_to_dict(change: Change) -> dict[str, Any]:
    """A change as the API answers it (``id`` is its key).

    >>> from datetime import UTC, datetime
    >>> change_to_dict(make_change(key="d-1", at=datetime(2026, 11, 30, tzinfo=UTC),
    ...                            kind="deploy", model="churn", summary="v7"))["time"]
    '2026-11-30T00:00:00+00:00'
    """
    return {
        "id": change.key,
        "time": change.at.isoformat(),
        "kind": change.kind,
        "model": change.model,
        "service": change.service,
        "summary": change.summary,
        "link": change.link,
        "details": dict(change.details),
        "source": change.source,
    }
