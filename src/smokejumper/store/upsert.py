"""Insert-or-replace for SQLite and PostgreSQL (both speak ``ON CONFLICT ... DO UPDATE``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from smokejumper.store.tables import Base


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def upsert(
    session: Session, entity: type[Base], rows: Sequence[Mapping[str, Any]], keys: Sequence[str]
) -> None:
    """Insert rows, replacing those whose ``keys`` match."""
    if not rows:
        return
    stmt = _insert(session)(entity).values(list(rows))
    updates = {c: stmt.excluded[c] for c in rows[0] if c not in keys}
    session.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=updates))


def upsert_many(
    session: Session, entity: type[Base], rows: Sequence[Mapping[str, Any]], keys: Sequence[str]
) -> None:
    """Like :func:`upsert`, as one executemany of a statement compiled once (not a statement
    with every row's values in it, which SQLAlchemy compiles afresh each time)."""
    if not rows:
        return
    stmt = _insert(session)(entity)
    updates = {c: stmt.excluded[c] for c in rows[0] if c not in keys}
    session.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=updates), rows)


def insert_ignoring(
    session: Session, entity: type[Base], row: Mapping[str, Any], keys: Sequence[str]
) -> None:
    """Insert a row unless one with the same ``keys`` exists (then leave that one as it is)."""
    stmt = _insert(session)(entity).values(dict(row))
    session.execute(stmt.on_conflict_do_nothing(index_elements=list(keys)))


def insert_statement(session: Session) -> Any:
    """The insert construct of the session's dialect, which has ``on_conflict_do_update`` and
    ``on_conflict_do_nothing`` (SQLite and PostgreSQL spell them alike)."""
    return _insert(session)
