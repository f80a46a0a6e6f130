"""Evaluate monitors on closed windows and store their observations (the I/O edge).

A window is evaluated once it has closed; it is evaluated again when labels arrive later (for
windows up to :data:`LABEL_LOOKBACK` old) or when a custom metric is posted for it afterwards.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import reduce
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smokejumper.monitoring.evaluate import Observation, WindowData, evaluate
from smokejumper.stats import serialize
from smokejumper.stats.dataset import DatasetProfile
from smokejumper.store import monitoring as repo
from smokejumper.store.database import as_utc
from smokejumper.store.models import list_models, reference_of, schema_of
from smokejumper.store.rawlog import RawLog
from smokejumper.store.tables import (
    CustomMetric,
    IngestBatch,
    Model,
    Rejection,
    WindowEvaluation,
    WindowPart,
)

#: How far back late labels cause windows to be evaluated again.
LABEL_LOOKBACK = timedelta(days=7)


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


def load_window(
    session: Session,
    raw_log: RawLog,
    model: Model,
    start: datetime,
    reference: DatasetProfile | None,
) -> WindowData:
    """The rows, merged profile, labels and custom metrics of one window."""
    end = start + timedelta(seconds=model.window_seconds)
    parts = session.execute(
        select(WindowPart.batch_id, WindowPart.profile).where(
            WindowPart.model_id == model.id, WindowPart.window_start == start
        )
    ).all()
    batch_ids = sorted({batch_id for batch_id, _ in parts})
    paths = list(session.scalars(select(IngestBatch.raw_path).where(IngestBatch.id.in_(batch_ids))))
    table = raw_log.read(paths)
    if table is None:  # only refused batches in this window
        table = schema_of(model).arrow_schema().empty_table()
    ts = table.column("timestamp")
    table = table.filter(
        pc.and_(
            pc.greater_equal(ts, pa.scalar(start, ts.type)), pc.less(ts, pa.scalar(end, ts.type))
        )
    )
    profiles = [p for _, blob in parts if blob is not None for p in serialize.loads(blob)]
    labels = repo.labels_for(session, model, table.column("id").to_pylist())
    return WindowData(
        start=start,
        predictions=table,
        profile=reduce(DatasetProfile.merge, profiles) if profiles else None,
        reference=reference,
        labels=pa.table(
            {"id": list(labels), "label": list(labels.values())},
            schema=pa.schema([("id", pa.string()), ("label", pa.string())]),
        ),
        custom=repo.custom_for(session, model, start),
        rejected_batches=repo.rejections_between(session, model, start, end),
    )


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


def run_once(session: Session, raw_log: RawLog, now: datetime | None = None) -> RunSummary:
    """Evaluate every monitor on every window that is due."""
    now = now or datetime.now(UTC)
    summary = RunSummary()
    for model in list_models(session):
        monitors = repo.monitors_of(session, model)
        starts = closed_windows(session, model, now)
        if not monitors or not starts:
            continue
        reference = reference_of(session, model)
        baseline = None
        for start in _due(session, model, starts, now):
            data = load_window(session, raw_log, model, start, reference)
            if baseline is None:
                first = load_window(session, raw_log, model, starts[0], None).predictions
                baseline = first.select(["prediction", "confidence"])
            data = replace(data, baseline=baseline)
            rows: list[dict[str, Any]] = []
            for row, spec in monitors:
                try:
                    obs = evaluate(spec, data)
                except Exception as err:  # one broken monitor must not stop the others
                    obs = Observation(None, None, {"error": f"{type(err).__name__}: {err}"})
                rows.append(
                    {
                        "monitor_id": row.id,
                        "window_start": start,
                        "value": obs.value,
                        "healthy": obs.healthy,
                        "details": json.dumps(obs.details),
                        "evaluated_at": now,
                    }
                )
                if obs.healthy is False:
                    summary.unhealthy.append(f"{spec.name}@{start.isoformat()}")
            repo.save_observations(session, rows)
            repo.upsert(
                session,
                WindowEvaluation,
                [{"model_id": model.id, "window_start": start, "evaluated_at": now}],
                ["model_id", "window_start"],
            )
            session.commit()
            summary.windows += 1
            summary.observations += len(rows)
    return summary
