"""Accept a validated batch: raw log first (durable), then one commit for the batch and its
window profiles. A ``batch_key`` seen before makes the call a no-op that reports the first batch.

:func:`ingest` is :func:`begin` then :meth:`PendingBatch.finish`. ``begin`` checks the batch key,
hands the raw-log file to a helper thread (Parquet encoding and ``fsync`` run outside the GIL)
and profiles and serialises the window parts meanwhile; ``finish`` waits until the file is on
disk, then inserts the batch and its parts and commits. The server runs ``begin`` for one
request at a time and ``finish`` outside that, so one batch is committed while the next is
profiled.
"""

from __future__ import annotations

import functools
import json
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import bindparam, delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smokejumper.errors import InputError
from smokejumper.monitoring.schema import ModelSchema
from smokejumper.stats import serialize
from smokejumper.stats.columns import unusable
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
    nulls: dict[str, int] | None = None  # per feature, kept when there is no profile


def _labels(table: pa.Table, schema: ModelSchema) -> dict[str, pa.ChunkedArray]:
    """Per row: its version (``""`` if none) and segment values (``"(null)"`` if none)."""
    columns = {"version": table.column("version").fill_null("")}
    for i, name in enumerate(schema.segments):
        columns[f"segment{i}"] = table.column(name).cast(pa.string()).fill_null("(null)")
    return columns


def _groups(
    table: pa.Table, schema: ModelSchema, seconds: int
) -> list[tuple[int, str, str, pa.Table]]:
    """The batch split by window, version and segment: ``(start, version, segment, rows)``."""
    micros = table.column("timestamp").cast(pa.int64())
    width = seconds * 1_000_000
    labels = _labels(table, schema)
    bounds = pc.min_max(micros)
    low, high = bounds["min"].as_py(), bounds["max"].as_py()
    if low is None:
        return []
    if low // width == high // width and all(  # // floors, also before 1970
        pc.count_distinct(c).as_py() == 1 for c in labels.values()
    ):  # one window, version and segment: nothing to group or filter
        groups = [
            (
                {"start": low // width * seconds} | {k: c[0].as_py() for k, c in labels.items()},
                table,
            )
        ]
    else:
        columns = {"start": pa.array(micros.to_numpy() // width * seconds), **labels}
        combos = pa.table(columns).group_by(list(columns), use_threads=False).aggregate([])
        groups = [
            (
                combo,
                table.filter(
                    functools.reduce(pc.and_, [pc.equal(columns[k], v) for k, v in combo.items()])
                ),
            )
            for combo in combos.to_pylist()
        ]
    out = []
    for key, rows in groups:
        segment = ",".join(f"{name}={key[f'segment{i}']}" for i, name in enumerate(schema.segments))
        out.append((int(key["start"]), str(key["version"]), segment, rows))
    return out


def window_parts(
    table: pa.Table, schema: ModelSchema, reference: DatasetProfile | None, seconds: int
) -> list[Part]:
    """Split a batch by window, version and segment; profile each on the reference's bins.

    Without a reference only row counts and unusable values per feature are kept (profiles
    need the reference's bins to merge).
    """
    out = []
    for start, version, segment, rows in _groups(table, schema, seconds):
        made, nulls = None, None
        if reference is not None:
            made = profile(rows.select(list(reference.columns)), reference=reference)
        else:
            nulls = {f.name: unusable(rows.column(f.name)) for f in schema.features}
        out.append(
            Part(
                window_start=datetime.fromtimestamp(start, UTC),
                version=version,
                segment=segment,
                rows=rows.num_rows,
                profile=made,
                nulls=nulls,
            )
        )
    return out


_WRITER: ThreadPoolExecutor | None = None
_WRITER_LOCK = threading.Lock()


def _writer() -> ThreadPoolExecutor:
    """The threads that write raw-log files (started on first use, shared by all requests)."""
    global _WRITER
    with _WRITER_LOCK:
        if _WRITER is None:
            _WRITER = ThreadPoolExecutor(max_workers=4, thread_name_prefix="smokejumper-rawlog")
        return _WRITER


def _discard(written: Future[Path]) -> None:
    """Remove the raw-log file of a batch that will not be stored after all."""
    try:
        path = written.result()
    except Exception:  # the write failed too: nothing to remove
        return
    path.unlink(missing_ok=True)


@dataclass
class PendingBatch:
    """A profiled batch whose raw-log file is being written; :meth:`finish` stores it."""

    model_id: int
    batch_key: str
    rows: int
    received_at: datetime
    parts: list[Part]
    blobs: list[bytes | None]
    written: Future[Path]

    def finish(self, session: Session) -> IngestResult:
        """Wait until the raw-log file is on disk, then commit the batch and its window parts."""
        path = self.written.result()  # durable on disk before the store's commit makes it count
        connection = session.connection()
        try:
            batch_id = connection.execute(
                _INSERT_BATCH,
                {
                    "model_id": self.model_id,
                    "batch_key": self.batch_key,
                    "rows": self.rows,
                    "raw_path": str(path),
                    "received_at": self.received_at,
                },
            ).scalar_one()
            if self.parts:
                connection.execute(
                    _INSERT_PARTS,
                    [
                        {
                            "model_id": self.model_id,
                            "batch_id": batch_id,
                            "window_start": part.window_start,
                            "version": part.version,
                            "segment": part.segment,
                            "rows": part.rows,
                            "profile": blob,
                            "nulls": json.dumps(part.nulls) if part.nulls is not None else None,
                        }
                        for part, blob in zip(self.parts, self.blobs, strict=True)
                    ],
                )
            session.commit()
        except IntegrityError:
            # The same batch key won a race on another connection: report the batch it stored.
            session.rollback()
            path.unlink(missing_ok=True)
            winner = _stored_batch(session, self.model_id, self.batch_key)
            if winner is None:
                raise
            return winner
        return IngestResult(batch_id, self.rows, duplicate=False)

    def abandon(self) -> None:
        """Give the batch up: its raw-log file is removed once written."""
        _discard(self.written)


def begin(
    session: Session,
    raw_log: RawLog,
    model: Model,
    schema: ModelSchema,
    reference: DatasetProfile | None,
    table: pa.Table,
    batch_key: str,
) -> IngestResult | PendingBatch:
    """The CPU-bound half of :func:`ingest`: a duplicate's result, or the batch profiled.

    The raw-log file is written on a helper thread meanwhile; nothing is stored until
    :meth:`PendingBatch.finish`.
    """
    earlier = _stored_batch(session, model.id, batch_key)
    if earlier is not None:
        return earlier
    now = datetime.now(UTC)
    written = _writer().submit(raw_log.write, model.id, now.strftime("%Y-%m-%d"), table)
    try:
        parts = window_parts(table, schema, reference, model.window_seconds)
        blobs = [serialize.dumps([p.profile]) if p.profile else None for p in parts]
    except BaseException:
        _discard(written)
        raise
    return PendingBatch(model.id, batch_key, table.num_rows, now, parts, blobs, written)


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
    pending = begin(session, raw_log, model, schema, reference, table, batch_key)
    return pending if isinstance(pending, IngestResult) else pending.finish(session)


_STORED_BATCH = select(IngestBatch.id, IngestBatch.rows).where(
    IngestBatch.model_id == bindparam("model_id"), IngestBatch.batch_key == bindparam("batch_key")
)
_INSERT_BATCH = insert(IngestBatch).returning(IngestBatch.id)
_INSERT_PARTS = insert(WindowPart)


def _stored_batch(session: Session, model_id: int, batch_key: str) -> IngestResult | None:
    """The batch stored earlier under ``batch_key``, reported as a duplicate."""
    found = (
        session.connection()
        .execute(_STORED_BATCH, {"model_id": model_id, "batch_key": batch_key})
        .first()
    )
    return IngestResult(found.id, found.rows, duplicate=True) if found is not None else None


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
            part.nulls = None  # the profile counts them now
    session.execute(delete(WindowEvaluation).where(WindowEvaluation.model_id == model.id))
    session.commit()
    return len(batches)


def first_hours(
    session: Session,
    raw_log: RawLog,
    model: Model,
    schema: ModelSchema,
    hours: float,
    now: datetime | None = None,
) -> pa.Table:
    """The features of the model's predictions in the first ``hours`` after the earliest one.

    Only the batches with rows in those hours are read. Asking for more hours than have passed
    since the earliest prediction is refused: the reference would silently be shorter.
    """
    if hours <= 0:
        raise InputError(f"first_hours must be positive, got {hours:g}")
    earliest = session.scalar(
        select(func.min(WindowPart.window_start)).where(WindowPart.model_id == model.id)
    )
    if earliest is None:
        raise InputError(f"model {model.name!r} has no predictions yet to take a reference from")
    # every row of the first ``hours`` lies in a window starting before this
    bound = as_utc(earliest) + timedelta(seconds=model.window_seconds) + timedelta(hours=hours)
    paths = list(
        session.scalars(
            select(IngestBatch.raw_path)
            .where(
                IngestBatch.id.in_(
                    select(WindowPart.batch_id).where(
                        WindowPart.model_id == model.id, WindowPart.window_start < bound
                    )
                )
            )
            .order_by(IngestBatch.id)
        )
    )
    table = raw_log.read(paths)
    if table is None or table.num_rows == 0:
        raise InputError(f"model {model.name!r} has no predictions yet to take a reference from")
    ts = table.column("timestamp")
    start = pc.min(ts).as_py()
    elapsed = ((now or datetime.now(UTC)) - start) / timedelta(hours=1)
    if elapsed < hours:
        raise InputError(
            f"model {model.name!r} logged its first prediction {elapsed:.1f} h ago, so its "
            f"first {hours:g} h are not over yet; ask for at most {elapsed:.1f} h or wait "
            f"{hours - elapsed:.1f} h"
        )
    cutoff = pa.scalar(start + timedelta(hours=hours), ts.type)
    return table.filter(pc.less(ts, cutoff)).select([f.name for f in schema.features])
