"""The temporary store: one model with 20 numeric features and one categorical feature, its
reference, hourly windows of predictions (the later half shifted on purpose), labels for a
share of them and the monitors; and a reset that makes every window due again."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from evaluation.monitors import monitor_specs
from evaluation.settings import (
    CATEGORY,
    MODEL,
    NUMERIC,
    PLANS,
    REFERENCE_ROWS,
    SEED,
    UNSEEN_PLAN,
    Json,
)


@dataclass(frozen=True)
class Shape:
    """How big the store is."""

    windows: int
    rows: int  # per window
    batches: int  # per window
    label_share: float


@dataclass
class Store:
    """The temporary store and what went into it."""

    home: Path
    engine: Any
    sessions: Any
    raw_log: Any
    shape: Shape
    now: datetime
    window_starts: list[datetime]
    build_s: Json = field(default_factory=dict)
    labels: int = 0
    monitors: list[Json] = field(default_factory=list)


def _schema() -> Any:
    from smokejumper.monitoring.schema import Feature, ModelSchema

    features = [Feature(name=n, kind="numeric") for n in NUMERIC]
    return ModelSchema(features=[*features, Feature(name=CATEGORY, kind="categorical")])


def _reference_table(rng: Any) -> Any:
    import pyarrow as pa

    columns: dict[str, Any] = {n: rng.standard_normal(REFERENCE_ROWS) for n in NUMERIC}
    columns[CATEGORY] = pa.array(rng.choice(PLANS, REFERENCE_ROWS), pa.string())
    return pa.table(columns)


def _batch(rng: Any, start: datetime, rows: int, shifted: bool, prefix: str) -> tuple[Any, Any]:
    """One batch of predictions in a window (flat columns, as a client sends them) and the
    probability behind each prediction's label; ``shifted`` windows drift on purpose."""
    import numpy as np
    import pyarrow as pa

    offsets = rng.uniform(0, 3600 * 1_000_000, rows).astype(np.int64)
    micros = int(start.timestamp() * 1_000_000) + offsets
    columns: dict[str, Any] = {
        "id": pa.array([f"{prefix}-{i}" for i in range(rows)], pa.string()),
        "timestamp": pa.array(micros, pa.timestamp("us", tz="UTC")),
        "version": pa.array(["v1"] * rows, pa.string()),
    }
    signal = None
    for k, name in enumerate(NUMERIC):
        values = rng.standard_normal(rows)
        if k == 3:
            signal = values  # what the predictions depend on (before any value goes missing)
        if shifted and k == 0:
            values = values + 0.5  # a drifted feature
        if shifted and k == 1:
            values = values * 3.0  # wider: out of the reference's range more often
        mask = rng.random(rows) < (0.04 if shifted and k == 2 else 0.005)
        columns[name] = pa.array(values, mask=mask)
    plans = rng.choice(PLANS, rows).astype(object)
    if shifted:
        plans[rng.random(rows) < 0.03] = UNSEEN_PLAN
    columns[CATEGORY] = pa.array(plans, pa.string())
    assert signal is not None
    score = 1 / (1 + np.exp(-signal * 1.5))
    columns["prediction"] = pa.array(np.clip(score + rng.normal(0, 0.1, rows), 0, 1))
    columns["confidence"] = pa.array(rng.uniform(0.5, 1.0, rows))
    columns["latency_ms"] = pa.array(rng.gamma(2.0, 6.0, rows))
    columns["error"] = pa.array(rng.random(rows) < 0.01)
    return pa.table(columns), score


def build_store(shape: Shape, home: Path) -> Store:
    """Register the model, set its reference, ingest the windows, label some, declare monitors."""
    import numpy as np

    from smokejumper.monitoring.batch import arrow_to_table
    from smokejumper.monitoring.monitors import parse_monitor
    from smokejumper.service.ingest import ingest
    from smokejumper.stats.dataset import profile
    from smokejumper.store.database import make_engine, session_factory, upgrade
    from smokejumper.store.labels import store_labels
    from smokejumper.store.models import reference_of, register_model, set_reference
    from smokejumper.store.monitors import save_monitor
    from smokejumper.store.rawlog import RawLog

    rng = np.random.default_rng(SEED)
    times: Json = {}
    start = time.perf_counter()
    engine = make_engine(f"sqlite:///{home / 'smokejumper.db'}")
    upgrade(engine)
    sessions = session_factory(engine)
    raw_log = RawLog(home / "raw")
    schema = _schema()
    now = datetime.now(UTC)
    # The newest window ends at the start of the current hour: a later one would be open, and an
    # earlier newest window would leave a silent closed window that the runner evaluates too.
    newest = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    starts = [newest - timedelta(hours=shape.windows - 1 - k) for k in range(shape.windows)]
    store = Store(home, engine, sessions, raw_log, shape, now, starts)
    with sessions() as session:
        model = register_model(session, MODEL, schema, 3600)
        set_reference(session, model, profile(_reference_table(rng)), "parquet")
        times["setup_s"] = time.perf_counter() - start
        start = time.perf_counter()
        reference = reference_of(session, model)
        labels: list[tuple[str, str]] = []
        per_batch = shape.rows // shape.batches
        for w, window_start in enumerate(starts):
            for b in range(shape.batches):
                prefix = f"w{w:02d}b{b}"
                shifted = w >= shape.windows // 2
                flat, score = _batch(rng, window_start, per_batch, shifted, prefix)
                table = arrow_to_table(flat, schema, now)
                ingest(session, raw_log, model, schema, reference, table, prefix)
                labelled = int(per_batch * shape.label_share)
                truth = rng.random(labelled) < score[:labelled]
                labels += [(f"{prefix}-{i}", "1" if t else "0") for i, t in enumerate(truth)]
        times["ingest_s"] = time.perf_counter() - start
        start = time.perf_counter()
        store.labels = store_labels(session, model, labels)
        times["labels_s"] = time.perf_counter() - start
        store.monitors = monitor_specs()
        for spec in store.monitors:
            save_monitor(session, parse_monitor(spec))
        session.commit()
    store.build_s = times
    return store


def reset(store: Store) -> None:
    """Forget every observation and evaluation, so that every window is due again."""
    from sqlalchemy import delete

    from smokejumper.store.tables import ObservationRow, WindowEvaluation

    with store.sessions() as session:
        session.execute(delete(ObservationRow))
        session.execute(delete(WindowEvaluation))
        session.commit()
