"""Repository of windows: the partial profiles batches leave in each window (merged on read)
and when each window was last evaluated. Nothing here commits: the caller's unit of work does."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from smokejumper.store.database import as_utc
from smokejumper.store.tables import IngestBatch, Model, WindowEvaluation, WindowPart
from smokejumper.store.upsert import upsert_many


def window_batches(
    session: Session, model: Model, starts: Sequence[datetime]
) -> dict[datetime, list[str]]:
    """The raw-log files of the batches with rows in each of these windows, in batch order."""
    out: dict[datetime, list[str]] = {start: [] for start in starts}
    if not starts:
        return out
    query = (
        select(WindowPart.window_start, WindowPart.batch_id, IngestBatch.raw_path)
        .join(IngestBatch, IngestBatch.id == WindowPart.batch_id)
        .where(
            WindowPart.model_id == model.id,
            WindowPart.window_start >= min(starts),
            WindowPart.window_start <= max(starts),
        )
        .distinct()
    )
    found = sorted((as_utc(start), batch, path) for start, batch, path in session.execute(query))
    for start, _, path in found:
        if start in out:
            out[start].append(path)
    return out


def batch_paths_between(
    session: Session,
    model: Model,
    low: datetime | None,
    high: datetime,
    versions: Sequence[str] | None = None,
) -> list[str]:
    """The raw-log files of the batches with rows in windows starting after ``low`` (when
    given) and before ``high``, of ``versions`` when given, in the order they were stored."""
    parts = select(WindowPart.batch_id).where(
        WindowPart.model_id == model.id, WindowPart.window_start < high
    )
    if low is not None:
        parts = parts.where(WindowPart.window_start > low)
    if versions:  # ingest files a batch's rows without a version under ""
        parts = parts.where(WindowPart.version.in_(versions))
    found = select(IngestBatch.raw_path).where(IngestBatch.id.in_(parts)).order_by(IngestBatch.id)
    return list(session.scalars(found))


def window_profiles(session: Session, model: Model, start: datetime) -> list[bytes]:
    """The serialised profiles of a window's parts, in the order the parts were stored."""
    query = (
        select(WindowPart.profile)
        .where(
            WindowPart.model_id == model.id,
            WindowPart.window_start == start,
            WindowPart.profile.is_not(None),
        )
        .order_by(WindowPart.id)
    )
    return [blob for blob in session.scalars(query) if blob is not None]


def window_batch_counts(session: Session, model: Model) -> dict[datetime, int]:
    """For each window of the model with rows, how many batches have rows in it (one grouped
    query for all the windows)."""
    query = (
        select(WindowPart.window_start, func.count(func.distinct(WindowPart.batch_id)))
        .where(WindowPart.model_id == model.id)
        .group_by(WindowPart.window_start)
    )
    return {as_utc(start): int(count) for start, count in session.execute(query)}


def first_window(session: Session, model: Model) -> datetime | None:
    """Start of the model's earliest window with rows."""
    found = session.scalar(
        select(func.min(WindowPart.window_start)).where(WindowPart.model_id == model.id)
    )
    return as_utc(found) if found is not None else None


class Evaluated(NamedTuple):
    """When a window was last evaluated, and what it had then (``None``: not counted)."""

    at: datetime
    batches: int | None  # batches with rows in the window
    labels: int | None  # labels of the model


def window_evaluations(session: Session, model: Model) -> dict[datetime, Evaluated]:
    """For each evaluated window of the model: when, and the counts it was evaluated with."""
    query = select(
        WindowEvaluation.window_start,
        WindowEvaluation.evaluated_at,
        WindowEvaluation.batches,
        WindowEvaluation.labels,
    ).where(WindowEvaluation.model_id == model.id)
    return {
        as_utc(start): Evaluated(as_utc(at), batches, labels)
        for start, at, batches, labels in session.execute(query)
    }


def newest_evaluated_window(session: Session, model: Model) -> datetime | None:
    """Start of the newest window of the model that was evaluated (with or without rows)."""
    query = select(func.max(WindowEvaluation.window_start)).where(
        WindowEvaluation.model_id == model.id
    )
    found = session.scalar(query)
    return as_utc(found) if found is not None else None


def save_window_evaluations(
    session: Session,
    model: Model,
    starts: Sequence[datetime],
    evaluated_at: datetime,
    batches: Mapping[datetime, int] | None = None,
    labels: int | None = None,
) -> None:
    """Record that these windows of the model were evaluated at ``evaluated_at``, holding
    ``batches[start]`` batches (0 for a window missing from it) while the model had ``labels``
    labels."""
    counts = batches or {}
    rows = [
        {
            "model_id": model.id,
            "window_start": s,
            "evaluated_at": evaluated_at,
            "batches": counts.get(s, 0),
            "labels": labels,
        }
        for s in starts
    ]
    upsert_many(session, WindowEvaluation, rows, ["model_id", "window_start"])


def forget_evaluations(session: Session, model: Model) -> None:
    """Mark every window of the model for evaluation again (its reference changed)."""
    session.execute(delete(WindowEvaluation).where(WindowEvaluation.model_id == model.id))


def window_part_rows(
    session: Session, model: Model, start: datetime | None = None, end: datetime | None = None
) -> list[tuple[datetime, str, int, bytes | None, str | None]]:
    """``(window start, version, rows, profile, nulls)`` of the model's window parts in windows
    starting in ``[start, end)``."""
    query = select(
        WindowPart.window_start,
        WindowPart.version,
        WindowPart.rows,
        WindowPart.profile,
        WindowPart.nulls,
    ).where(WindowPart.model_id == model.id)
    if start is not None:
        query = query.where(WindowPart.window_start >= as_utc(start))
    if end is not None:
        query = query.where(WindowPart.window_start < as_utc(end))
    return [(as_utc(s), v, n, p, z) for s, v, n, p, z in session.execute(query)]


def window_part_counts(
    session: Session, model: Model, start: datetime | None = None, end: datetime | None = None
) -> list[tuple[datetime, str, str, int]]:
    """``(window start, version, segment, rows)`` of the model's window parts in windows
    starting in ``[start, end)``, without their profiles: how its traffic splits."""
    query = select(
        WindowPart.window_start, WindowPart.version, WindowPart.segment, WindowPart.rows
    ).where(WindowPart.model_id == model.id)
    if start is not None:
        query = query.where(WindowPart.window_start >= as_utc(start))
    if end is not None:
        query = query.where(WindowPart.window_start < as_utc(end))
    return [(as_utc(s), v, seg, n) for s, v, seg, n in session.execute(query)]
