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

import hashlib
import json
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from smokejumper.errors import BatchKeyConflictError, BatchRejectedError, InputError
from smokejumper.monitoring.parts import Part, window_parts
from smokejumper.monitoring.schema import ModelSchema
from smokejumper.monitoring.text import check_text
from smokejumper.service.references import ReferenceCache
from smokejumper.stats import serialize
from smokejumper.stats.dataset import DatasetProfile
from smokejumper.store import batches, windows
from smokejumper.store.database import as_utc
from smokejumper.store.rawlog import RawLog
from smokejumper.store.tables import Model

#: The most hours a reference may be taken from (a century: more is surely a mistake).
MAX_FIRST_HOURS = 100 * 366 * 24


@dataclass(frozen=True)
class IngestResult:
    """What the server acknowledges."""

    batch_id: int
    rows: int
    duplicate: bool


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
    digest: str | None = None  # of the body, to tell a retry from other content under the key

    def finish(self, session: Session) -> IngestResult:
        """Wait until the raw-log file is on disk, then commit the batch and its window parts."""
        path = self.written.result()  # durable on disk before the store's commit makes it count
        batch = {
            "model_id": self.model_id,
            "batch_key": self.batch_key,
            "rows": self.rows,
            "raw_path": str(path),
            "received_at": self.received_at,
            "content_digest": self.digest,
        }
        parts = [
            {
                "model_id": self.model_id,
                "window_start": part.window_start,
                "version": part.version,
                "segment": part.segment,
                "rows": part.rows,
                "profile": blob,
                "nulls": json.dumps(part.nulls) if part.nulls is not None else None,
            }
            for part, blob in zip(self.parts, self.blobs, strict=True)
        ]
        try:
            batch_id = batches.add_batch(session, batch, parts)
            session.commit()
        except IntegrityError:
            # The same batch key won a race on another connection: report the batch it stored.
            session.rollback()
            path.unlink(missing_ok=True)
            winner = _stored_batch(session, self.model_id, self.batch_key, self.digest)
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
    *,
    digest: str | None = None,
) -> IngestResult | PendingBatch:
    """The CPU-bound half of :func:`ingest`: a duplicate's result, or the batch profiled.

    The raw-log file is written on a helper thread meanwhile; nothing is stored until
    :meth:`PendingBatch.finish`. A batch key stored before with another ``digest`` (of the
    body) raises :class:`BatchKeyConflictError`.
    """
    earlier = _stored_batch(session, model.id, batch_key, digest)
    if earlier is not None:
        return earlier
    now = datetime.now(UTC)
    written = raw_log.write_soon(model.id, now.strftime("%Y-%m-%d"), table)
    try:
        parts = window_parts(table, schema, reference, model.window_seconds)
        blobs = [serialize.dumps([p.profile]) if p.profile else None for p in parts]
    except BaseException:
        _discard(written)
        raise
    return PendingBatch(model.id, batch_key, table.num_rows, now, parts, blobs, written, digest)


def ingest(
    session: Session,
    raw_log: RawLog,
    model: Model,
    schema: ModelSchema,
    reference: DatasetProfile | None,
    table: pa.Table,
    batch_key: str,
    *,
    digest: str | None = None,
) -> IngestResult:
    """Store a validated batch durably; idempotent on ``batch_key`` (see :func:`begin`)."""
    pending = begin(session, raw_log, model, schema, reference, table, batch_key, digest=digest)
    return pending if isinstance(pending, IngestResult) else pending.finish(session)


def refuse(session: Session, model: Model, problems: Sequence[Mapping[str, Any]]) -> None:
    """Remember (and commit) that a batch of the model was refused, with its first problems:
    the ``rejected_batches`` monitor counts them."""
    batches.record_rejection(session, model, problems)
    session.commit()


def _stored_batch(
    session: Session, model_id: int, batch_key: str, digest: str | None = None
) -> IngestResult | None:
    """The batch stored earlier under ``batch_key``, reported as a duplicate, or
    :class:`BatchKeyConflictError` when both it and this one have digests that differ."""
    found = batches.stored_batch(session, model_id, batch_key)
    if found is None:
        return None
    if digest is not None and found.content_digest not in (None, digest):
        raise BatchKeyConflictError(
            f"the batch key {batch_key!r} (Idempotency-Key or batch_id) was used for batch "
            f"{found.id} of other content; nothing of this batch was stored. Send new content "
            "under a new key; resend exactly the same body to have a retry counted once"
        )
    return IngestResult(found.id, found.rows, duplicate=True)


def content_digest(body: bytes) -> str:
    """The digest stored with a batch: SHA-256 of its body, in hex.

    >>> content_digest(b"[]")[:12]
    '4f53cda18c2b'
    """
    return hashlib.sha256(body).hexdigest()


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
    stored = batches.batches_of(session, model)
    for batch in stored:
        table = raw_log.read([batch.raw_path])
        assert table is not None
        fresh = {
            (p.window_start, p.version, p.segment): p.profile
            for p in window_parts(table, schema, reference, model.window_seconds)
        }
        for part in batches.parts_of(session, batch):
            made = fresh.get((as_utc(part.window_start), part.version, part.segment))
            part.profile = serialize.dumps([made]) if made is not None else None
            part.nulls = None  # the profile counts them now
    windows.forget_evaluations(session, model)
    session.flush()
    return len(stored)


def first_hours(
    session: Session,
    raw_log: RawLog,
    model: Model,
    schema: ModelSchema,
    hours: float,
    now: datetime | None = None,
    *,
    with_time: bool = False,
) -> pa.Table:
    """The features of the model's predictions in the first ``hours`` after the earliest one
    (and their ``timestamp`` too, ``with_time``).

    Only the batches with rows in those hours are read. Asking for more hours than have passed
    since the earliest prediction is refused: the reference would silently be shorter.
    """
    if not 0 < hours <= MAX_FIRST_HOURS:  # also refuses NaN
        raise InputError(
            f"first_hours must be positive and at most {MAX_FIRST_HOURS:,} (a century), "
            f"got {hours:g}"
        )
    earliest = windows.first_window(session, model)
    if earliest is None:
        raise InputError(f"model {model.name!r} has no predictions yet to take a reference from")
    # every row of the first ``hours`` lies in a window starting before this
    bound = earliest + timedelta(seconds=model.window_seconds) + timedelta(hours=hours)
    paths = windows.batch_paths_between(session, model, None, bound)
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
    wanted = [f.name for f in schema.features] + (["timestamp"] if with_time else [])
    return table.filter(pc.less(ts, cutoff)).select(wanted)


def accept_batch(
    sessions: sessionmaker[Session],
    raw_log: RawLog,
    references: ReferenceCache,
    gate: threading.Lock,
    name: str,
    parse: Callable[[ModelSchema, datetime], tuple[pa.Table, str | None]],
    idempotency_key: str | None = None,
    digest: str | None = None,
) -> tuple[str, IngestResult]:
    """Log a batch of model ``name``'s predictions: ``parse(schema, now)`` gives the validated
    table and the batch key the body names, if any. Returns the batch key (the idempotency key,
    else the body's, else a new one) and what was stored.

    The CPU-bound half (finding the model, parsing, validating, profiling) runs holding
    ``gate``: that work needs the GIL, so batches taking turns at it every few milliseconds
    each cost more. Writing the raw log and committing run outside it, so one batch is stored
    while the next is profiled. A refused batch is recorded (the ``rejected_batches`` monitor
    counts them) and its :class:`BatchRejectedError` raised.

    ``digest`` (:func:`content_digest` of the body) is stored with the batch: the same key
    sent again with another body is refused with :class:`BatchKeyConflictError` (409). A key
    longer than the store holds is refused before anything is read.
    """
    _check_key("Idempotency-Key", idempotency_key)
    now = datetime.now(UTC)
    with sessions() as session:
        with gate:
            model, schema, reference = references.model(session, name)
            try:
                table, body_key = parse(schema, now)
            except BatchRejectedError as err:
                refuse(session, model, err.errors)
                raise
            _check_key("batch_id", body_key)
            key = idempotency_key or body_key or uuid.uuid4().hex
            pending = begin(session, raw_log, model, schema, reference, table, key, digest=digest)
        result = pending if isinstance(pending, IngestResult) else pending.finish(session)
    return key, result


def _check_key(name: str, key: str | None) -> None:
    """Refuse a batch key longer than the store holds (an empty one counts as none given)."""
    if key and len(key) > batches.MAX_BATCH_KEY:
        raise InputError(
            f"{name} must be 1 to {batches.MAX_BATCH_KEY} characters, got {len(key):,}; use a "
            "shorter key such as a UUID"
        )
    try:
        check_text(key or "")
    except ValueError as err:
        raise InputError(f"{name} {err}") from None
