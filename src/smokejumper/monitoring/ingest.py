"""Accept a validated batch: raw log first (durable), then one commit for the batch and its
window profiles. A ``batch_key`` seen before makes the call a no-op that reports the first batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smokejumper.errors import InputError
from smokejumper.monitoring.schema import ModelSchema
from smokejumper.stats import serialize
from smokejumper.stats.dataset import DatasetProfile, profile
from smokejumper.store.database import as_utc
from smokejumper.store.rawlog import RawLog
from smokejumper.store.tables import IngestBatch, Model, WindowEvaluation, WindowPart


@dataclass(frozen=True)
class IngestResult:
    """What the server acknowledges."""

    batch_id: int
    rows: int
    duplicate: bool


@dataclass(frozen=True)
class Part:
    """Rows of one batch in one window, version and segment, with their profile."""

    window_start: datetime
    version: str
    segment: str
    rows: int
    profile: DatasetProfile | None


def _group_keys(table: pa.Table, schema: ModelSchema, seconds: int) -> pa.ChunkedArray:
    micros = table.column("timestamp").cast(pa.int64()).to_numpy()
    start = (micros // (seconds * 1_000_000)) * seconds  # floor, also before 1970
    parts = [pa.array(start).cast(pa.string()), table.column("version").fill_null("")]
    for name in schema.segments:
        values = table.column(name).cast(pa.string()).fill_null("(null)")
        parts.append(pc.binary_join_element_wise(pa.scalar(f"{name}="), values, ""))
    return pc.binary_join_element_wise(*parts, "|")


def window_parts(
    table: pa.Table, schema: ModelSchema, reference: DatasetProfile | None, seconds: int
) -> list[Part]:
    """Split a batch by window, version and segment; profile each on the reference's bins.

    Without a reference only row counts are kept (profiles need the reference's bins to merge).
    """
    keys = _group_keys(table, schema, seconds)
    out = []
    for key in pc.unique(keys).to_pylist():
        rows = table.filter(pc.equal(keys, key))
        start, version, *segments = key.split("|")
        made = None
        if reference is not None:
            made = profile(rows.select(list(reference.columns)), reference=reference)
        out.append(
            Part(
                window_start=datetime.fromtimestamp(int(start), UTC),
                version=version,
                segment=",".join(segments),
                rows=rows.num_rows,
                profile=made,
            )
        )
    return out


def ingest(
    session: Session,
    raw_log: RawLog,
    model: Model,
    schema: ModelSchema,
    reference: DatasetProfile | None,
    table: pa.Table,
    batch_key: str,
) -> IngestResult:
    """Store a validated batch durably; idempotent on ``batch_key``."""
    earlier = session.scalar(
        select(IngestBatch).where(
            IngestBatch.model_id == model.id, IngestBatch.batch_key == batch_key
        )
    )
    if earlier is not None:
        return IngestResult(earlier.id, earlier.rows, duplicate=True)
    now = datetime.now(UTC)
    parts = window_parts(table, schema, reference, model.window_seconds)
    path = raw_log.write(model.id, now.strftime("%Y-%m-%d"), table)
    batch = IngestBatch(
        model_id=model.id,
        batch_key=batch_key,
        rows=table.num_rows,
        raw_path=str(path),
        received_at=now,
    )
    session.add(batch)
    try:
        session.flush()
        for part in parts:
            session.add(
                WindowPart(
                    model_id=model.id,
                    batch_id=batch.id,
                    window_start=part.window_start,
                    version=part.version,
                    segment=part.segment,
                    rows=part.rows,
                    profile=serialize.dumps([part.profile]) if part.profile else None,
                )
            )
        session.commit()
    except IntegrityError:
        # The same batch key won a race on another connection: report the batch it stored.
        session.rollback()
        path.unlink(missing_ok=True)
        winner = session.scalar(
            select(IngestBatch).where(
                IngestBatch.model_id == model.id, IngestBatch.batch_key == batch_key
            )
        )
        if winner is None:
            raise
        return IngestResult(winner.id, winner.rows, duplicate=True)
    return IngestResult(batch.id, batch.rows, duplicate=False)


def reprofile(
    session: Session,
    raw_log: RawLog,
    model: Model,
    schema: ModelSchema,
    reference: DatasetProfile,
) -> int:
    """Profile every stored window part again on a new reference's bins; returns batches done.

    Profiles on the old bins would not merge with new ones, and drift against the old reference
    is stale, so every window of the model is also marked for evaluation again.
    """
    batches = list(session.scalars(select(IngestBatch).where(IngestBatch.model_id == model.id)))
    for batch in batches:
        table = raw_log.read([batch.raw_path])
        assert table is not None
        fresh = {
            (p.window_start, p.version, p.segment): p.profile
            for p in window_parts(table, schema, reference, model.window_seconds)
        }
        for part in session.scalars(select(WindowPart).where(WindowPart.batch_id == batch.id)):
            made = fresh.get((as_utc(part.window_start), part.version, part.segment))
            part.profile = serialize.dumps([made]) if made is not None else None
    session.execute(delete(WindowEvaluation).where(WindowEvaluation.model_id == model.id))
    session.commit()
    return len(batches)


def first_hours(
    session: Session, raw_log: RawLog, model: Model, schema: ModelSchema, hours: float
) -> pa.Table:
    """The features of the model's predictions in the first ``hours`` after the earliest one."""
    paths = list(
        session.scalars(
            select(IngestBatch.raw_path)
            .where(IngestBatch.model_id == model.id)
            .order_by(IngestBatch.id)
        )
    )
    table = raw_log.read(paths)
    if table is None or table.num_rows == 0:
        raise InputError(f"model {model.name!r} has no predictions yet to take a reference from")
    ts = table.column("timestamp")
    start = pc.min(ts).as_py()
    cutoff = pa.scalar(start + timedelta(hours=hours), ts.type)
    return table.filter(pc.less(ts, cutoff)).select([f.name for f in schema.features])
