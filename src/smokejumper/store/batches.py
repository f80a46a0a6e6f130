"""Repository of ingest batches (acknowledged predictions, their raw-log files and window
parts) and of refused batches. Nothing here commits: the caller's unit of work does."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.orm import Session

from smokejumper.store.database import as_utc
from smokejumper.store.tables import IngestBatch, Model, Rejection, WindowPart

#: The longest batch key the store holds (``ingest_batches.batch_key``).
MAX_BATCH_KEY = 200


class StoredBatch(NamedTuple):
    """A batch in the store: its id, row count and the digest of its body (None if stored
    before digests were kept)."""

    id: int
    rows: int
    content_digest: str | None = None


_STORED_BATCH = select(IngestBatch.id, IngestBatch.rows, IngestBatch.content_digest).where(
    IngestBatch.model_id == bindparam("model_id"), IngestBatch.batch_key == bindparam("batch_key")
)
_INSERT_BATCH = insert(IngestBatch).returning(IngestBatch.id)
_INSERT_PARTS = insert(WindowPart)


def stored_batch(session: Session, model_id: int, batch_key: str) -> StoredBatch | None:
    """The batch stored under ``batch_key``, if any (plain statement: runs on every batch)."""
    found = (
        session.connection()
        .execute(_STORED_BATCH, {"model_id": model_id, "batch_key": batch_key})
        .first()
    )
    return StoredBatch(found.id, found.rows, found.content_digest) if found is not None else None


def add_batch(
    session: Session,
    batch: Mapping[str, Any],
    parts: Sequence[Mapping[str, Any]],
) -> int:
    """Insert a batch (``model_id``, ``batch_key``, ``rows``, ``raw_path``, ``received_at``,
    ``content_digest``) and its window parts (each without ``batch_id``); the new batch's id.
    A batch key stored before raises :class:`sqlalchemy.exc.IntegrityError`."""
    connection = session.connection()
    batch_id: int = connection.execute(_INSERT_BATCH, dict(batch)).scalar_one()
    if parts:
        connection.execute(_INSERT_PARTS, [{**part, "batch_id": batch_id} for part in parts])
    return batch_id


def batches_of(session: Session, model: Model) -> list[IngestBatch]:
    """Every batch of the model, in the order stored."""
    query = select(IngestBatch).where(IngestBatch.model_id == model.id).order_by(IngestBatch.id)
    return list(session.scalars(query))


def parts_of(session: Session, batch: IngestBatch) -> list[WindowPart]:
    """The window parts of one batch."""
    return list(session.scalars(select(WindowPart).where(WindowPart.batch_id == batch.id)))


def paths_received_since(session: Session, model: Model, since: datetime) -> list[str]:
    """The raw-log files of the model's batches received from ``since`` on, newest first."""
    query = (
        select(IngestBatch.raw_path)
        .where(IngestBatch.model_id == model.id, IngestBatch.received_at >= since)
        .order_by(IngestBatch.received_at.desc(), IngestBatch.id.desc())
    )
    return list(session.scalars(query))


def record_rejection(session: Session, model: Model, problems: Sequence[Mapping[str, Any]]) -> None:
    """Remember that a batch of the model was refused, with its first few problems."""
    session.add(
        Rejection(
            model_id=model.id,
            received_at=datetime.now(UTC),
            problems=len(problems),
            sample=json.dumps(list(problems[:5])),
        )
    )


def refusal_times(session: Session, model: Model) -> list[datetime]:
    """When each refused batch of the model arrived."""
    query = select(Rejection.received_at).where(Rejection.model_id == model.id)
    return [as_utc(at) for at in session.scalars(query)]


def rejections_between(session: Session, model: Model, start: datetime, end: datetime) -> int:
    """How many batches of the model were refused in ``[start, end)``."""
    query = select(func.count(Rejection.id)).where(
        Rejection.model_id == model.id, Rejection.received_at >= start, Rejection.received_at < end
    )
    return int(session.scalar(query) or 0)


def ingest_totals(session: Session) -> list[tuple[str, int, int]]:
    """``(model name, batches, rows)`` acknowledged for every registered model."""
    query = (
        select(Model.name, func.count(IngestBatch.id), func.coalesce(func.sum(IngestBatch.rows), 0))
        .outerjoin(IngestBatch, IngestBatch.model_id == Model.id)
        .group_by(Model.name)
    )
    return [(name, int(count), int(total)) for name, count, total in session.execute(query)]
