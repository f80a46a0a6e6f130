"""``run_once`` on a real store (SQLite and PostgreSQL): the observations are those of each
monitor evaluated alone on the window loaded in full, and the window cache never serves stale
rows or profiles."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import reduce
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from smokejumper.monitoring import loading
from smokejumper.monitoring.batch import arrow_to_table
from smokejumper.monitoring.evaluate import Observation, WindowData, evaluate
from smokejumper.monitoring.ingest import ingest, reprofile
from smokejumper.monitoring.monitors import parse_monitor
from smokejumper.monitoring.runner import RunSummary, run_once
from smokejumper.monitoring.schema import Feature, ModelSchema
from smokejumper.monitoring.window_cache import WindowCache
from smokejumper.stats import serialize
from smokejumper.stats.dataset import DatasetProfile, profile
from smokejumper.store.database import as_utc, make_engine, session_factory, upgrade
from smokejumper.store.models import get_model, reference_of, register_model, set_reference
from smokejumper.store.monitoring import monitors_of, save_monitor, store_labels
from smokejumper.store.rawlog import RawLog
from smokejumper.store.tables import IngestBatch, Label, Monitor, WindowEvaluation, WindowPart
from smokejumper.store.tables import Observation as StoredObservation

SCHEMA = ModelSchema(
    features=[Feature(name="x"), Feature(name="y"), Feature(name="plan", kind="categorical")]
)
#: Four hourly windows, closed by the evaluation time NOW, which is before the real clock (so
#: that labels stored later make the windows due again, as late labels do).
FIRST = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=10)
NOW = FIRST + timedelta(hours=8)
MONITORS: list[dict[str, Any]] = [
    {"type": "feature_drift"},
    {"type": "feature_drift", "columns": ["x"], "max": 0.5},
    {"type": "feature_drift", "columns": ["y", "plan"], "max": 0.5},
    {"type": "performance", "metric": "accuracy", "min": 0.5},
    {"type": "performance", "metric": "f1", "min": 0.5},
    {"type": "performance", "metric": "roc_auc", "min": 0.5},
    {"type": "performance", "metric": "mae"},
    {"type": "null_rate"},
    {"type": "out_of_range", "column": "x"},
    {"type": "unseen_categories", "column": "plan"},
    {"type": "volume", "min": 100},
    {"type": "prediction_drift"},
    {"type": "latency", "quantile": 0.9},
]


@dataclass
class Store:
    sessions: sessionmaker[Session]
    raw_log: RawLog
    rng: np.random.Generator
    batches: int = 0


@pytest.fixture
def store(database_url: str, tmp_path: Path) -> Iterator[Store]:
    engine = make_engine(database_url)
    upgrade(engine)
    s = Store(session_factory(engine), RawLog(tmp_path / "raw"), np.random.default_rng(7))
    with s.sessions() as session:
        model = register_model(session, "m", SCHEMA, 3600)
        ref = {"x": s.rng.normal(size=4000), "y": s.rng.normal(size=4000)}
        set_reference(session, model, profile(pa.table({**ref, "plan": ["a", "b"] * 2000})), "t")
        for i, fields in enumerate(MONITORS):
            save_monitor(session, parse_monitor({"name": f"mon{i:02d}", "model": "m", **fields}))
    for hour in range(4):
        for _ in range(2):
            _send(s, FIRST + timedelta(hours=hour), shift=0.4 * hour)
    try:
        yield s
    finally:
        engine.dispose()


def _send(s: Store, hour: datetime, *, shift: float = 0.0, rows: int = 300) -> list[str]:
    """One batch of predictions in the hour; a third of them labelled."""
    s.batches += 1
    ids = [f"b{s.batches}-{i}" for i in range(rows)]
    x = s.rng.normal(shift, 1.0, rows)
    x[s.rng.random(rows) < 0.05] = np.nan
    score = 1 / (1 + np.exp(-x))
    flat = pa.table(
        {
            "id": ids,
            "timestamp": pa.array(
                [hour + timedelta(seconds=int(t)) for t in s.rng.integers(0, 3600, rows)],
                pa.timestamp("us", tz="UTC"),
            ),
            "x": x,
            "y": s.rng.normal(0, 1 + shift, rows),
            "plan": s.rng.choice(["a", "b", "c"] if shift else ["a", "b"], rows),
            "prediction": np.nan_to_num(score, nan=0.5),
            "latency_ms": s.rng.gamma(2, 10, rows),
        }
    )
    with s.sessions() as session:
        model = get_model(session, "m")
        table = arrow_to_table(flat, SCHEMA, NOW)
        ingest(session, s.raw_log, model, SCHEMA, reference_of(session, model), table, ids[0])
        truth = s.rng.random(rows) < np.nan_to_num(score, nan=0.5)
        labelled = list(zip(ids, truth, strict=True))[::3]
        store_labels(session, model, [(i, str(int(t))) for i, t in labelled])
    return ids


def _run(s: Store, cache: WindowCache) -> RunSummary:
    with s.sessions() as session:
        return run_once(session, s.raw_log, NOW, cache=cache)


def _stored(s: Store) -> dict[tuple[str, datetime], Observation]:
    query = select(Monitor.name, StoredObservation).join(
        Monitor, Monitor.id == StoredObservation.monitor_id
    )
    with s.sessions() as session:
        return {
            (name, as_utc(o.window_start)): Observation(o.value, o.healthy, json.loads(o.details))
            for name, o in session.execute(query)
        }


def _window_in_full(session: Session, s: Store, start: datetime) -> WindowData:
    """Every row, part and label of the window, read without the runner's loading code."""
    model = get_model(session, "m")
    end = start + timedelta(hours=1)
    parts = session.scalars(
        select(WindowPart).where(WindowPart.window_start == start).order_by(WindowPart.id)
    ).all()
    paths = session.scalars(
        select(IngestBatch.raw_path)
        .where(IngestBatch.id.in_({p.batch_id for p in parts}))
        .order_by(IngestBatch.id)
    ).all()
    table = pa.concat_tables([pq.read_table(p) for p in paths])
    ts = table.column("timestamp")
    low, high = pa.scalar(start, ts.type), pa.scalar(end, ts.type)
    table = table.filter(pc.and_(pc.greater_equal(ts, low), pc.less(ts, high)))
    ids = set(table.column("id").to_pylist())
    labels = {
        pid: label
        for pid, label in session.execute(select(Label.prediction_id, Label.label))
        if pid in ids
    }
    profiles = [q for p in parts if p.profile is not None for q in serialize.loads(p.profile)]
    return WindowData(
        start,
        table,
        reduce(DatasetProfile.merge, profiles),
        reference_of(session, model),
        pa.table({"id": list(labels), "label": list(labels.values())}),
    )


def _each_alone(s: Store) -> dict[tuple[str, datetime], Observation]:
    out = {}
    with s.sessions() as session:
        monitors = monitors_of(session, get_model(session, "m"))
        starts = [FIRST + timedelta(hours=h) for h in range(4)]
        baseline = _window_in_full(session, s, starts[0]).predictions
        for start in starts:
            window = replace(
                _window_in_full(session, s, start),
                baseline=baseline.select(["prediction", "confidence"]),
            )
            for _, spec in monitors:
                out[(spec.name, start)] = evaluate(spec, replace(window, memo={}))
    return out


def _make_due(s: Store) -> None:
    with s.sessions() as session:
        session.execute(delete(WindowEvaluation))
        session.commit()


def test_observations_are_each_monitors_own(store: Store) -> None:
    summary = _run(store, WindowCache())
    assert (summary.windows, summary.observations) == (4, 4 * len(MONITORS))
    stored = _stored(store)
    assert stored == _each_alone(store)
    assert stored[("mon00", FIRST + timedelta(hours=3))].healthy is False  # drifted
    assert stored[("mon03", FIRST)].value is not None  # labels joined


def test_the_cache_serves_unchanged_windows_and_never_stale_ones(store: Store) -> None:
    cache = WindowCache()
    _run(store, cache)
    _make_due(store)
    _run(store, cache)
    assert cache.stats()["hits"] == 8  # every window's rows and profile, the second time
    assert _stored(store) == _each_alone(store)

    # A late batch in the first window and labels for it: new rows, a new part, new labels.
    late = _send(store, FIRST, shift=2.0, rows=200)
    before = cache.stats()["misses"]
    _run(store, cache)  # the labels make every window due again
    assert cache.stats()["misses"] == before + 2  # the first window's rows and profile
    stored = _stored(store)
    assert stored[("mon10", FIRST)].value == 800.0
    assert stored == _each_alone(store)

    # A changed label is read afresh.
    with store.sessions() as session:
        store_labels(session, get_model(session, "m"), [(late[0], "1"), (late[3], "1")])
        store_labels(session, get_model(session, "m"), [(i, "0") for i in late[::3]])
    _run(store, cache)
    assert _stored(store) == _each_alone(store)
    assert _stored(store)[("mon03", FIRST)] != stored[("mon03", FIRST)]


def test_a_new_reference_reprofiles_the_windows_and_the_cache_follows(store: Store) -> None:
    cache = WindowCache()
    _run(store, cache)
    drift_before = _stored(store)[("mon00", FIRST)]
    with store.sessions() as session:
        model = get_model(session, "m")
        wider = {"x": store.rng.normal(0, 3, 4000), "y": store.rng.normal(0, 3, 4000)}
        new = profile(pa.table({**wider, "plan": ["a", "b", "c", "d"] * 1000}))
        set_reference(session, model, new, "t2")
        reprofile(session, store.raw_log, model, SCHEMA, new)  # rewrites parts, windows due
    _run(store, cache)
    stored = _stored(store)
    assert stored[("mon00", FIRST)] != drift_before
    assert stored == _each_alone(store)


def test_nothing_kept_when_the_cache_is_off(store: Store) -> None:
    off = WindowCache(max_bytes=0)
    _run(store, off)
    kept = off.stats()
    assert (kept["rows"], kept["profiles"], kept["bytes"], kept["hits"]) == (0, 0, 0, 0)
    assert _stored(store) == _each_alone(store)


def test_labels_probed_per_window_when_the_model_has_too_many(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loading, "LABELS_PER_WINDOW", 0)  # never fetch them all at once
    _run(store, WindowCache())
    stored = _stored(store)
    assert stored == _each_alone(store)
    assert stored[("mon03", FIRST)].value is not None  # labels joined
