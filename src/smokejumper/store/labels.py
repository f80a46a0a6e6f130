"""Repository of labels (ground truth joined to predictions by id). Nothing here commits: the
caller's unit of work does."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime

from sqlalchemy import ARRAY, ColumnElement, String, any_, bindparam, func, select
from sqlalchemy.orm import Session

from smokejumper.store.database import as_utc
from smokejumper.store.tables import Label, Model
from smokejumper.store.upsert import upsert_many


def store_labels(session: Session, model: Model, labels: Iterable[tuple[str, str]]) -> int:
    """Store ``(prediction id, label)`` pairs; a later label for an id replaces the earlier,
    also within ``labels`` (one statement may not touch a row twice on PostgreSQL). Returns how
    many ids got a label."""
    now = datetime.now(UTC)
    latest = dict(labels)  # the last label given for each id
    rows = [
        {"model_id": model.id, "prediction_id": pid, "label": label, "received_at": now}
        for pid, label in latest.items()
    ]
    upsert_many(session, Label, rows, ["model_id", "prediction_id"])
    return len(rows)


def labels_for(session: Session, model: Model, ids: Sequence[str]) -> dict[str, str]:
    """The labels known for these prediction ids, in one query whatever their number.

    The ids travel as one parameter (a PostgreSQL array, a JSON array for SQLite's
    ``json_each``), so the statement is compiled once, not once per id; probing the index in
    key order is faster, so they are sorted first.
    """
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    found: dict[str, str] = {}
    connection = session.connection()  # plain rows: the ORM's row handling costs more here
    for match in _id_matches(session, wanted):
        query = select(Label.prediction_id, Label.label).where(Label.model_id == model.id, match)
        found.update(connection.execute(query).all())
    return found


def all_labels(session: Session, model: Model, *, at_most: int) -> dict[str, str] | None:
    """Every label of the model, or ``None`` when it has more than ``at_most`` of them."""
    count = session.scalar(select(func.count()).where(Label.model_id == model.id)) or 0
    if count > at_most:
        return None
    query = select(Label.prediction_id, Label.label).where(Label.model_id == model.id)
    return dict(session.connection().execute(query).all())


def _id_matches(session: Session, ids: list[str]) -> Iterator[ColumnElement[bool]]:
    """Conditions on ``Label.prediction_id`` that together match exactly ``ids``."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        yield Label.prediction_id == any_(bindparam("ids", ids, type_=ARRAY(String)))
    elif dialect == "sqlite" and sqlite3.sqlite_version_info >= (3, 38):  # JSON built in
        values = func.json_each(bindparam("ids", json.dumps(ids))).table_valued("value")
        yield Label.prediction_id.in_(select(values.c.value))
    else:  # one bound parameter per id, within the oldest SQLite's limit of 999
        for start in range(0, len(ids), 900):
            yield Label.prediction_id.in_(ids[start : start + 900])


def has_labels(session: Session, model: Model) -> bool:
    """Whether the model has any label (one index probe, not a count)."""
    query = select(Label.id).where(Label.model_id == model.id).limit(1)
    return session.scalar(query) is not None


def label_summary(session: Session, model: Model) -> tuple[int, datetime | None]:
    """How many labels the model has, and when the newest arrived (one query)."""
    query = select(func.count(Label.id), func.max(Label.received_at))
    count, newest = session.execute(query.where(Label.model_id == model.id)).one()
    return int(count), as_utc(newest) if newest is not None else None


def label_totals(session: Session) -> list[tuple[str, int]]:
    """``(model name, labels stored)`` for every registered model."""
    query = (
        select(Model.name, func.count(Label.id))
        .outerjoin(Label, Label.model_id == Model.id)
        .group_by(Model.name)
    )
    return [(name, int(count)) for name, count in session.execute(query)]
