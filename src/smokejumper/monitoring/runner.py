"""Evaluate monitors on closed windows and store their observations (the I/O edge).

A window is evaluated once it has closed; it is evaluated again when labels arrive later (for
windows up to :data:`LABEL_LOOKBACK` old) or when a custom metric is posted for it afterwards.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smokejumper.monitoring.evaluate import evaluate_all
from smokejumper.monitoring.loading import Needs, WindowLoader
from smokejumper.monitoring.window_cache import WindowCache
from smokejumper.store import monitoring as repo
from smokejumper.store.database import as_utc
from smokejumper.store.models import list_models, reference_of
from smokejumper.store.rawlog import RawLog
from smokejumper.store.tables import CustomMetric, Model, Rejection, WindowEvaluation, WindowPart

#: How far back late labels cause windows to be evaluated again.
LABEL_LOOKBACK = timedelta(days=7)
#: Window rows and profiles kept between the passes of this process.
CACHE = WindowCache()


@dataclass
class RunSummary:
    """What one evaluation pass did."""

    windows: int = 0
    observations: int = 0
    unhealthy: list[str] = field(default_factory=list)


def closed_windows(session: Session, model: Model, now: datetime) -> list[datetime]:
    """Starts of the model's closed windows that have data or refused batches."""
    query = select(WindowPart.window_start).where(WindowPart.model_id == model.id).distinct()
    starts = {as_utc(s) for s in session.scalars(query)}
    seconds = model.window_seconds
    refused = select(Rejection.received_at).where(Rejection.model_id == model.id)
    for received in session.scalars(refused):
        epoch = int(as_utc(received).timestamp())
        starts.add(datetime.fromtimestamp(epoch - epoch % seconds, UTC))
    return sorted(s for s in starts if s + timedelta(seconds=seconds) <= now)


def _due(session: Session, model: Model, starts: list[datetime], now: datetime) -> list[datetime]:
    evaluated = {
        as_utc(ws): as_utc(at)
        for ws, at in session.execute(
            select(WindowEvaluation.window_start, WindowEvaluation.evaluated_at).where(
                WindowEvaluation.model_id == model.id
            )
        )
    }
    label_time = repo.latest_label_time(session, model)
    custom_time = {
        as_utc(ws): as_utc(at)
        for ws, at in session.execute(
            select(CustomMetric.window_start, func.max(CustomMetric.received_at))
            .where(CustomMetric.model_id == model.id)
            .group_by(CustomMetric.window_start)
        )
    }
    due = []
    for start in starts:
        last = evaluated.get(start)
        relabelled = (
            label_time is not None
            and as_utc(label_time) > (last or start)
            and start >= now - LABEL_LOOKBACK
        )
        if last is None or relabelled or custom_time.get(start, start) > last:
            due.append(start)
    return due


def run_once(
    session: Session,
    raw_log: RawLog,
    now: datetime | None = None,
    *,
    cache: WindowCache | None = None,
) -> RunSummary:
    """Evaluate every monitor on every window that is due.

    ``cache`` keeps window rows and profiles between passes (see :mod:`.window_cache`); by
    default the process's :data:`CACHE`. A model's observations are written at the end of its
    windows, in one transaction.
    """
    now = now or datetime.now(UTC)
    cache = CACHE if cache is None else cache
    summary = RunSummary()
    for model in list_models(session):
        monitors = repo.monitors_of(session, model)
        starts = closed_windows(session, model, now)
        if not monitors or not starts:
            continue
        due = _due(session, model, starts, now)
        if not due:
            continue
        specs = [spec for _, spec in monitors]
        needs = Needs.of(specs)
        reference = reference_of(session, model) if needs.reference else None
        loader = WindowLoader(session, raw_log, model, reference, needs, cache)
        baseline = None
        observed: list[dict[str, Any]] = []
        for data in loader.windows(due):
            if needs.baseline:
                if baseline is None:
                    first = data.predictions if data.start == starts[0] else loader.rows(starts[0])
                    baseline = first.select(["prediction", "confidence"])
                data = replace(data, baseline=baseline)
            for (row, spec), obs in zip(monitors, evaluate_all(specs, data), strict=True):
                observed.append(
                    {
                        "monitor_id": row.id,
                        "window_start": data.start,
                        "value": obs.value,
                        "healthy": obs.healthy,
                        "details": json.dumps(obs.details),
                        "evaluated_at": now,
                    }
                )
                if obs.healthy is False:
                    summary.unhealthy.append(f"{spec.name}@{data.start.isoformat()}")
        repo.save_observations(session, observed)
        repo.save_window_evaluations(session, model, due, now)
        session.commit()
        summary.windows += len(due)
        summary.observations += len(observed)
    return summary
