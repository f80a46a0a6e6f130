"""Repository of observations (a monitor's value for one window). Nothing here commits: the
caller's unit of work does."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from smokejumper.store.database import as_utc
from smokejumper.store.tables import Model, Monitor, ObservationRow
from smokejumper.store.upsert import upsert_many


def save_observations(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Write observations, replacing earlier ones of the same monitor and window."""
    upsert_many(session, ObservationRow, rows, ["monitor_id", "window_start"])


def observations_of(
    session: Session,
    model: Model,
    monitor: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[tuple[str, ObservationRow]]:
    """``(monitor name, observation)`` of the model's monitors (or of ``monitor``) in windows
    starting in ``[start, end)``, oldest window first, then by monitor name."""
    query = (
        select(Monitor.name, ObservationRow)
        .join(ObservationRow, ObservationRow.monitor_id == Monitor.id)
        .where(Monitor.model_id == model.id)
        .order_by(ObservationRow.window_start, Monitor.name)
    )
    if monitor is not None:
        query = query.where(Monitor.name == monitor)
    if start is not None:
        query = query.where(ObservationRow.window_start >= start)
    if end is not None:
        query = query.where(ObservationRow.window_start < end)
    return [(name, row) for name, row in session.execute(query)]


def latest_observations(session: Session) -> dict[int, ObservationRow]:
    """The newest observation of each monitor, by monitor id."""
    newest = (
        select(ObservationRow.monitor_id, func.max(ObservationRow.window_start).label("ws"))
        .group_by(ObservationRow.monitor_id)
        .subquery()
    )
    query = select(ObservationRow).join(
        newest,
        (ObservationRow.monitor_id == newest.c.monitor_id)
        & (ObservationRow.window_start == newest.c.ws),
    )
    return {row.monitor_id: row for row in session.scalars(query)}


def observation_marks(session: Session) -> dict[int, tuple[int, int, datetime, datetime]]:
    """Per monitor id: how many observations it has, how many of them unhealthy, the newest
    evaluation time and the newest window (one grouped query: what changes when its
    observations do; a re-evaluation also renews its time)."""
    unhealthy = func.sum(case((ObservationRow.healthy.is_(False), 1), else_=0))
    query = select(
        ObservationRow.monitor_id,
        func.count(),
        unhealthy,
        func.max(ObservationRow.evaluated_at),
        func.max(ObservationRow.window_start),
    ).group_by(ObservationRow.monitor_id)
    return {
        monitor_id: (int(count), int(bad or 0), as_utc(evaluated), as_utc(window))
        for monitor_id, count, bad, evaluated, window in session.execute(query)
    }


def recent_observations(session: Session, monitor_id: int, limit: int) -> list[ObservationRow]:
    """The monitor's ``limit`` newest observations, newest first."""
    query = (
        select(ObservationRow)
        .where(ObservationRow.monitor_id == monitor_id)
        .order_by(ObservationRow.window_start.desc())
        .limit(limit)
    )
    return list(session.scalars(query))
