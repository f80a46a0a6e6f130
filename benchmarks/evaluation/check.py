"""The check: the stored observations of a pass against a reference in which every window is
loaded in full (as the runner used to load it) and each monitor is evaluated on its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from evaluation.settings import MODEL, Json
from evaluation.store import Store

Observed = dict[tuple[str, datetime], tuple[float | None, bool | None, Json]]


def stored_observations(store: Store) -> Observed:
    """The observations in the store: ``(monitor, window) -> (value, healthy, details)``."""
    import json

    from sqlalchemy import select

    from smokejumper.store.database import as_utc
    from smokejumper.store.tables import Monitor
    from smokejumper.store.tables import ObservationRow as Observation

    query = select(
        Monitor.name, Observation.window_start, Observation.value, Observation.healthy
    ).add_columns(Observation.details)
    query = query.join(Monitor, Monitor.id == Observation.monitor_id)
    with store.sessions() as session:
        return {
            (name, as_utc(start)): (value, healthy, json.loads(details))
            for name, start, value, healthy, details in session.execute(query)
        }


def _reference_window(session: Any, raw_log: Any, model: Any, start: datetime) -> Any:
    """A window loaded as the runner loaded windows before their loading was shared and
    cached: every column of every batch, every part's profile deserialised and merged (at
    once, as every reader of a window's parts merges them), labels fetched by ids in chunks of
    900, custom metrics and refused batches."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from sqlalchemy import select

    from smokejumper.monitoring.monitors import WindowData
    from smokejumper.stats import serialize
    from smokejumper.stats.dataset import merge_all
    from smokejumper.store import batches, custom_metrics
    from smokejumper.store.models import reference_of
    from smokejumper.store.tables import IngestBatch, Label, WindowPart

    end = start + timedelta(seconds=model.window_seconds)
    parts = session.execute(
        select(WindowPart.batch_id, WindowPart.profile)
        .where(WindowPart.model_id == model.id, WindowPart.window_start == start)
        .order_by(WindowPart.id)
    ).all()
    batch_ids = sorted({batch_id for batch_id, _ in parts})
    paths = list(
        session.scalars(
            select(IngestBatch.raw_path)
            .where(IngestBatch.id.in_(batch_ids))
            .order_by(IngestBatch.id)
        )
    )
    table = raw_log.read(paths)
    ts = table.column("timestamp")
    table = table.filter(
        pc.and_(
            pc.greater_equal(ts, pa.scalar(start, ts.type)), pc.less(ts, pa.scalar(end, ts.type))
        )
    )
    profiles = [p for _, blob in parts if blob is not None for p in serialize.loads(blob)]
    ids = table.column("id").to_pylist()
    labels: dict[str, str] = {}
    for at in range(0, len(ids), 900):
        query = select(Label.prediction_id, Label.label).where(
            Label.model_id == model.id, Label.prediction_id.in_(ids[at : at + 900])
        )
        labels.update((pid, label) for pid, label in session.execute(query))
    return WindowData(
        start=start,
        predictions=table,
        profile=merge_all(profiles) if profiles else None,
        reference=reference_of(session, model),
        labels=pa.table(
            {"id": list(labels), "label": list(labels.values())},
            schema=pa.schema([("id", pa.string()), ("label", pa.string())]),
        ),
        custom=custom_metrics.custom_for(session, model, start),
        rejected_batches=batches.rejections_between(session, model, start, end),
    )


def reference_observations(store: Store) -> Observed:
    """Each monitor evaluated on its own (nothing shared between monitors, nothing cached,
    every window loaded in full), on every window: what ``run_once`` must reproduce. Prediction
    and confidence drift compare with the model's first closed window with rows, the first of
    the benchmark's windows."""
    from dataclasses import replace

    from smokejumper.monitoring.monitors import Observation, evaluate
    from smokejumper.store.models import get_model
    from smokejumper.store.monitors import monitors_of

    out: Observed = {}
    with store.sessions() as session:
        model = get_model(session, MODEL)
        first = _reference_window(session, store.raw_log, model, store.window_starts[0])
        baseline = first.predictions.select(["prediction", "confidence"])
        for start in store.window_starts:
            window = _reference_window(session, store.raw_log, model, start)
            for _, spec in monitors_of(session, model):
                alone = replace(window, baseline=baseline, memo={})
                try:
                    obs = evaluate(spec, alone)
                except Exception as err:  # as the runner records a failing monitor
                    obs = Observation(None, None, {"error": f"{type(err).__name__}: {err}"})
                out[(spec.name, start)] = (obs.value, obs.healthy, obs.details)
    return out


@dataclass
class Check:
    """How the observations of a pass compare with the per-monitor reference."""

    mode: str
    compared: int
    identical: int
    different: list[str]  # the first few that differ

    @property
    def ok(self) -> bool:
        """Every observation identical, and every reference observation present."""
        return self.compared > 0 and self.identical == self.compared and not self.different


def check(mode: str, observed: Observed, reference: Observed) -> Check:
    """Compare values, health and details, exactly (floats bit for bit)."""
    keys = sorted(set(observed) | set(reference))
    different = []
    identical = 0
    for key in keys:
        if observed.get(key) == reference.get(key):
            identical += 1
        else:
            name, start = key
            different.append(f"{name}@{start:%H:%M}: {observed.get(key)} vs {reference.get(key)}")
    return Check(mode, len(keys), identical, different[:5])
