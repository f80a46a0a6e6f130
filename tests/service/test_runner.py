"""``run_once`` on a real store (SQLite and PostgreSQL): the observations are those of each
monitor evaluated alone on the window loaded in full, and the window cache never serves stale
rows or profiles."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from smokejumper.monitoring.batch import arrow_to_table
from smokejumper.monitoring.monitors import (
    NO_ROWS,
    Observation,
    SloSpec,
    WindowData,
    evaluate,
    parse_monitor,
)
from smokejumper.monitoring.schema import Feature, ModelSchema
from smokejumper.service.evaluation import loading, runner
from smokejumper.service.evaluation.runner import RunSummary, closed_windows, run_once
from smokejumper.service.evaluation.window_cache import WindowCache
from smokejumper.service.ingest import ingest, reprofile
from smokejumper.service.slos import slo_statuses
from smokejumper.stats import serialize
from smokejumper.stats.dataset import merge_all, profile
from smokejumper.store.database import as_utc, make_engine, session_factory, upgrade
from smokejumper.store.labels import store_labels
from smokejumper.store.models import get_model, reference_of, register_model, set_reference
from smokejumper.store.monitors import monitors_of, save_monitor
from smokejumper.store.rawlog import RawLog
from smokejumper.store.slos import save_slo
from smokejumper.store.tables import (
    IngestBatch,
    Label,
    Monitor,
    Rejection,
    WindowEvaluation,
    WindowPart,
)
from smokejumper.store.tables import ObservationRow as StoredObservation

SCHEMA = ModelSchema(
    features=[Feature(name="x"), Feature(name="y"), Feature(name="plan", kind="categorical")]
)
#: Four hourly windows, the newest closing at the evaluation time NOW, which is before the real
#: clock (so that labels stored later make the windows due again, as late labels do). Evaluated
#: as of the real clock instead, the six silent windows after them are evaluated too.
FIRST = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=10)
NOW = FIRST + timedelta(hours=4)
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
        session.commit()
    for hour in range(4):
        for _ in range(2):
            _send(s, FIRST + timedelta(hours=hour), shift=0.4 * hour)
    try:
        yield s
    finally:
        engine.dispose()


def _send(
    s: Store, hour: datetime, *, shift: float = 0.0, rows: int = 300, labelled: bool = True
) -> list[str]:
    """One batch of predictions in the hour; a third of them labelled (unless not ``labelled``)."""
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
        table = arrow_to_table(flat, SCHEMA, datetime.now(UTC))
        ingest(session, s.raw_log, model, SCHEMA, reference_of(session, model), table, ids[0])
        if not labelled:
            return ids
        truth = s.rng.random(rows) < np.nan_to_num(score, nan=0.5)
        some = list(zip(ids, truth, strict=True))[::3]
        store_labels(session, model, [(i, str(int(t))) for i, t in some])
        session.commit()
    return ids


def _run(s: Store, cache: WindowCache, now: datetime = NOW) -> RunSummary:
    with s.sessions() as session:
        return run_once(session, s.raw_log, now, cache=cache)


def _closed_since_first(now: datetime) -> list[datetime]:
    """Every hourly window from FIRST on that has closed by ``now``."""
    hours = int((now - FIRST) // timedelta(hours=1))
    return [FIRST + timedelta(hours=h) for h in range(hours)]


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
        merge_all(profiles),  # as the service merges a window's parts: at once
        reference_of(session, model),
        pa.table({"id": list(labels), "label": list(labels.values())}),
    )


def _each_alone(
    s: Store, hours: Iterable[int] = range(4)
) -> dict[tuple[str, datetime], Observation]:
    """Each monitor evaluated alone on each window with rows (the first four, unless told),
    loaded in full, with the first window as the baseline."""
    out = {}
    with s.sessions() as session:
        monitors = monitors_of(session, get_model(session, "m"))
        starts = [FIRST + timedelta(hours=h) for h in hours]
        baseline = _window_in_full(session, s, FIRST).predictions
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
        session.commit()
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
        session.commit()
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


def test_a_late_batch_makes_its_evaluated_window_due_again(store: Store) -> None:
    # Evaluated as of the real clock, after every batch and label so far: only what arrives
    # from now on makes a window due again.
    first = _run(store, WindowCache(), datetime.now(UTC))
    assert first.windows == len(_closed_since_first(datetime.now(UTC)))
    assert _run(store, WindowCache(), datetime.now(UTC)).windows == 0
    silent = FIRST + timedelta(hours=5)
    assert _stored(store)[("mon10", silent)].value == 0.0

    # A client's spool replayed after an outage: batches for a window that has rows and for
    # one that was silent, without labels (which would make every recent window due anyway).
    _send(store, FIRST + timedelta(hours=1), rows=200, labelled=False)
    _send(store, silent, rows=150, labelled=False)
    again = _run(store, WindowCache(), datetime.now(UTC))
    assert again.windows == 2
    stored = _stored(store)
    assert stored[("mon10", FIRST + timedelta(hours=1))].value == 800.0
    assert stored[("mon10", silent)] == Observation(150.0, True, {})
    expected = _each_alone(store, hours=[0, 1, 2, 3, 5])
    assert {key: stored[key] for key in expected} == expected


def test_a_batch_stamped_before_a_pass_but_stored_after_it_is_not_missed(store: Store) -> None:
    # A batch is stamped when it is received and stored when its raw file is on disk; a pass
    # that begins in between reads the window without it, and must not count it as seen.
    # (passes at the real time, after every label so far: labels make recent windows due)
    window, began = FIRST + timedelta(hours=1), datetime.now(UTC)
    assert _run(store, WindowCache(), began).windows == len(_closed_since_first(began))
    _send(store, window, rows=200, labelled=False)
    with store.sessions() as session:
        newest = session.scalar(select(func.max(IngestBatch.id)))
        batch = session.get(IngestBatch, newest)
        assert batch is not None
        batch.received_at = began - timedelta(seconds=1)  # before the first pass began
        session.commit()
    assert _run(store, WindowCache(), datetime.now(UTC)).windows == 1
    assert _stored(store)[("mon10", window)].value == 800.0
    assert _run(store, WindowCache(), datetime.now(UTC)).windows == 0  # counted: not due again


def test_labels_stamped_before_a_pass_but_stored_after_it_are_not_missed(store: Store) -> None:
    began = datetime.now(UTC)
    _run(store, WindowCache(), began)
    ids = _send(store, FIRST + timedelta(hours=2), rows=30, labelled=False)
    _run(store, WindowCache(), datetime.now(UTC))  # the late batch, evaluated without labels
    with store.sessions() as session:
        store_labels(session, get_model(session, "m"), [(i, "1") for i in ids])
        session.execute(update(Label).values(received_at=began - timedelta(seconds=1)))
        session.commit()  # as if stamped before the passes above began
    later = datetime.now(UTC)
    assert _run(store, WindowCache(), later).windows == len(_closed_since_first(later))
    assert _stored(store) == {**_stored(store), **_each_alone(store)}  # the labels joined
    assert _run(store, WindowCache(), datetime.now(UTC)).windows == 0  # counted: not due again


def _evaluated_at(s: Store) -> dict[tuple[str, datetime], datetime]:
    query = select(Monitor.name, StoredObservation.window_start, StoredObservation.evaluated_at)
    query = query.join(Monitor, Monitor.id == StoredObservation.monitor_id)
    with s.sessions() as session:
        return {(name, as_utc(ws)): as_utc(at) for name, ws, at in session.execute(query)}


def test_late_labels_evaluate_only_the_monitors_that_read_labels(store: Store) -> None:
    began = datetime.now(UTC)
    _run(store, WindowCache(), began)
    before = _evaluated_at(store)
    ids = _send(store, FIRST + timedelta(hours=2), rows=30, labelled=False)
    with store.sessions() as session:  # a late batch, then labels for it
        _run(store, WindowCache(), datetime.now(UTC))
        after_batch = _evaluated_at(store)
        store_labels(session, get_model(session, "m"), [(i, "1") for i in ids])
        session.commit()
    later = datetime.now(UTC)
    summary = _run(store, WindowCache(), later)
    assert summary.windows == len(_closed_since_first(later))  # every recent window is due...
    changed = {key for key, at in _evaluated_at(store).items() if at == later}
    performance = {f"mon{i:02d}" for i, m in enumerate(MONITORS) if m["type"] == "performance"}
    assert {name for name, _ in changed} == performance  # ...for its label monitors only
    assert len(changed) == len(performance) * summary.windows
    # the late batch itself made every monitor of its window evaluated again, the others not
    redone = {key for key, at in after_batch.items() if at != before[key]}
    assert redone == {(f"mon{i:02d}", FIRST + timedelta(hours=2)) for i in range(len(MONITORS))}
    assert _stored(store) == {**_stored(store), **_each_alone(store)}


def test_a_late_batch_in_the_baseline_window_updates_prediction_drift_everywhere(
    store: Store,
) -> None:
    began = datetime.now(UTC)
    _run(store, WindowCache(), began)
    _send(store, FIRST, shift=3.0, rows=600, labelled=False)  # the baseline window changes
    _run(store, WindowCache(), datetime.now(UTC))
    assert _stored(store) == {**_stored(store), **_each_alone(store)}


def test_silent_windows_are_evaluated_and_a_volume_monitor_fires_on_zero(store: Store) -> None:
    now = datetime.now(UTC)
    summary = _run(store, WindowCache(), now)
    silent = _closed_since_first(now)[4:]
    assert len(silent) >= 6  # FIRST + 4 h up to the hour before the one ``now`` falls in
    assert summary.windows == 4 + len(silent)
    assert summary.observations == summary.windows * len(MONITORS)
    stored = _stored(store)
    assert min(start for _, start in stored) == FIRST  # nothing before the first data
    for start in silent:
        assert stored[("mon10", start)] == Observation(0.0, False, {})  # volume, min 100
        assert f"mon10@{start.isoformat()}" in summary.unhealthy
        others = [o for (name, at), o in stored.items() if at == start and name != "mon10"]
        assert others == [Observation(None, None, {"reason": NO_ROWS})] * (len(MONITORS) - 1)
    assert stored == {**_stored(store), **_each_alone(store)}  # the data windows unchanged
    assert _run(store, WindowCache(), datetime.now(UTC)).windows == 0  # evaluated once


def test_silent_windows_go_back_no_further_than_the_lookback(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    with store.sessions() as session:
        model = get_model(session, "m")
        idle = closed_windows(session, model, FIRST + timedelta(days=60))
        monkeypatch.setattr(runner, "SILENCE_LOOKBACK", timedelta(hours=3))
        short = closed_windows(session, model, FIRST + timedelta(hours=9, minutes=30))
        unknown = register_model(session, "quiet", SCHEMA, 3600)
        session.commit()
        assert closed_windows(session, unknown, FIRST + timedelta(days=60)) == []
    data = [FIRST + timedelta(hours=h) for h in range(4)]
    month = [FIRST + timedelta(days=30, hours=h) for h in range(30 * 24)]
    assert idle == data + month  # the data windows, then the silent ones of the last 30 days
    assert short == data + [FIRST + timedelta(hours=h) for h in (6, 7, 8)]


def test_prediction_drift_is_measured_against_the_first_window_with_rows(store: Store) -> None:
    refused = FIRST - timedelta(hours=2)
    with store.sessions() as session:
        model = get_model(session, "m")
        at = refused + timedelta(minutes=30)
        session.add(Rejection(model_id=model.id, received_at=at, problems=1, sample="[]"))
        session.commit()
    summary = _run(store, WindowCache())
    assert summary.windows == 6  # the refused batch's window, a silent one, four with rows
    stored = _stored(store)
    assert stored[("mon11", refused)] == Observation(None, None, {"reason": NO_ROWS})
    assert {key: stored[key] for key in _each_alone(store)} == _each_alone(store)
    assert stored[("mon11", FIRST)].value == pytest.approx(0.0)  # the baseline itself
    assert stored[("mon11", FIRST + timedelta(hours=3))].value is not None


def test_slo_state_moves_on_when_traffic_stops(store: Store) -> None:
    with store.sessions() as session:
        save_slo(session, SloSpec(name="drift", monitor="mon00", objective=0.99))
        save_slo(session, SloSpec(name="volume", monitor="mon10", objective=0.99))
        session.commit()
    _run(store, WindowCache())  # evaluated as the last data window closes
    with store.sessions() as session:
        during = {s["name"]: s for s in slo_statuses(session)}
    assert during["drift"]["as_of"] == NOW.isoformat()
    assert during["drift"]["state"] == "page"  # the last window drifted
    assert during["volume"]["state"] == "ok"

    now = datetime.now(UTC)
    _run(store, WindowCache(), now)  # hours later, no traffic since
    with store.sessions() as session:
        after = {s["name"]: s for s in slo_statuses(session)}
    newest_end = _closed_since_first(now)[-1] + timedelta(hours=1)
    assert after["drift"]["as_of"] == after["volume"]["as_of"] == newest_end.isoformat()
    assert after["drift"]["windows"] == 4  # silent windows give drift no verdict: no events
    assert after["drift"]["state"] == "ok"  # so the alerts' short windows have calmed down
    assert after["volume"]["unhealthy_windows"] >= 6  # silence is a volume drop
    assert after["volume"]["state"] == "page"
