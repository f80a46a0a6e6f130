"""Repository of the change log: changes by key, filtered, and between two times. Nothing here
commits: the caller's unit of work does."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from smokejumper.changes import Change
from smokejumper.changes.records import canonical
from smokejumper.store.database import as_utc
from smokejumper.store.tables import ChangeRow
from smokejumper.store.upsert import insert_statement, upsert

_Q = TypeVar("_Q", bound=Select[Any])


def add_change(session: Session, change: Change, now: datetime) -> tuple[Change, bool]:
    """Store ``change`` unless one with its key is stored; the change stored under the key
    (compare it with ``change`` to tell a repeated send from a conflict) and whether it was
    stored now."""
    stmt = insert_statement(session)(ChangeRow).values(_row(change, now))
    made = session.scalar(
        stmt.on_conflict_do_nothing(index_elements=["key"]).returning(ChangeRow.id)
    )
    stored = get_change(session, change.key)
    assert stored is not None
    return stored, made is not None


def put_change(session: Session, change: Change, now: datetime) -> None:
    """Store ``change``, replacing the one under its key (a pipeline run as it goes on)."""
    upsert(session, ChangeRow, [_row(change, now)], ["key"])


def get_change(session: Session, key: str) -> Change | None:
    """The change stored under ``key``."""
    row = session.scalar(select(ChangeRow).where(ChangeRow.key == key))
    return None if row is None else _change(row)


def find_changes(
    session: Session,
    *,
    model: str | None = None,
    kind: str | None = None,
    service: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 500,
) -> list[Change]:
    """Changes at ``[since, until)``, filtered, newest first (at most ``limit``)."""
    query = _between(select(ChangeRow), since, until)
    if model is not None:
        query = query.where(ChangeRow.model == model)
    if kind is not None:
        query = query.where(ChangeRow.kind == kind)
    if service is not None:
        query = query.where(ChangeRow.service == service)
    query = query.order_by(ChangeRow.at.desc(), ChangeRow.id.desc()).limit(limit)
    return [_change(row) for row in session.scalars(query)]


def changes_between(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    models: Iterable[str] | None = None,
    include_unscoped: bool = True,
    kinds: Iterable[str] | None = None,
) -> list[Change]:
    """Changes at ``[start, end)``, oldest first: for an incident's timeline. With ``models``
    only the changes of those models, and (``include_unscoped``) those that name no model:
    a service's deploy or config change, a pipeline run."""
    query = _between(select(ChangeRow), start, end)
    if models is not None:
        named = ChangeRow.model.in_(list(models))
        query = query.where(or_(named, ChangeRow.model.is_(None)) if include_unscoped else named)
    if kinds is not None:
        query = query.where(ChangeRow.kind.in_(list(kinds)))
    query = query.order_by(ChangeRow.at, ChangeRow.id)
    return [_change(row) for row in session.scalars(query)]


def _between(query: _Q, since: datetime | None, until: datetime | None) -> _Q:
    if since is not None:
        query = query.where(ChangeRow.at >= since)
    if until is not None:
        query = query.where(ChangeRow.at < until)
    return query


def _row(change: Change, now: datetime) -> dict[str, object]:
    return {
        "key": change.key,
        "at": change.at,
        "kind": change.kind,
        "model": change.model,
        "service": change.service,
        "summary": change.summary,
        "link": change.link,
        "details": canonical(change.details),
        "source": change.source,
        "recorded_at": now,
    }


def _change(row: ChangeRow) -> Change:
    return Change(
        key=row.key,
        at=as_utc(row.at),
        kind=row.kind,
        summary=row.summary,
        model=row.model,
        service=row.service,
        link=row.link,
        details=json.loads(row.details),
        source=row.source,
    )
