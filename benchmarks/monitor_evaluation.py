"""Monitor evaluation: 50 monitors of mixed types over 24 closed hourly windows, one pass.

What it measures
----------------
In one process, a store is built in a temporary folder with the store's own functions
(``make_engine``/``upgrade``/``session_factory``, ``register_model``/``set_reference``,
``monitoring.ingest.ingest`` with a ``RawLog``, ``store_labels``, ``save_monitor`` with
``parse_monitor``): one model with 20 numeric features and one categorical feature, a reference
profile of 50,000 rows, 24 hourly windows in the past (the newest ending at the start of the hour
the run falls in, so that every window closed by then holds data: the runner also evaluates
closed windows without data, which would add silent windows to the pass) of 5,000 predictions
each, sent as 5 batches per window, labels for 20 % of the predictions, and 50 monitors of every
built-in type except fairness and custom (see the table in the results).
Later windows are shifted on purpose (a drifted feature, an unseen category, more nulls and
out-of-range values), so monitors have something to find.

Then ``smokejumper.monitoring.runner.run_once(session, raw_log, now, cache=...)`` is timed over
the 24 closed windows, each pass after clearing the observations and window evaluations so that
every window is due again: once cold (the first call in the process: lazy imports, the window
cache empty), then ``--repeats`` times warm in each of two modes, taking turns: with the
evaluator's window cache switched off (every pass reads the raw Parquet batches and deserialises
the stored profile parts: the cost of evaluating windows for the first time), and with the
process's window cache as the long-lived server evaluator keeps it (window rows and merged
profiles kept from earlier passes, keyed by their content; labels, custom metrics and every
statistic computed afresh: the cost of evaluating windows again, e.g. after a new reference).

After the last warm pass of each mode the stored observations are compared, bit for bit, with a
reference in which every window is loaded in full as the runner used to load it and each
monitor is evaluated on its own (no drift report, label join or count shared between monitors);
the run exits with status 1 if they differ. One more warm pass per mode wraps the runner's calls
with timers to split the time between loading windows, evaluating monitors (per monitor type)
and saving, and one last pass runs under cProfile. The raw batch files were just written, so
they are read from the page cache.

How to run (from the repository root)
-------------------------------------
    .venv/bin/python benchmarks/monitor_evaluation.py            # the full run (about 2 minutes)
    .venv/bin/python benchmarks/monitor_evaluation.py --quick    # 6 windows of 1,000 rows

The full run writes ``benchmarks/results/monitor_evaluation.md``; ``--quick`` writes
``benchmarks/.data/monitor_evaluation-quick.md`` unless ``--output`` says otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import platform
import pstats
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _common import command_line, git_state, md_table, text_table, version

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA_DIR = HERE / ".data"
DEFAULT_OUTPUT = HERE / "results" / "monitor_evaluation.md"
QUICK_OUTPUT = DATA_DIR / "monitor_evaluation-quick.md"

SEED = 20_261_127
MODEL = "bench"
NUMERIC = tuple(f"f{i:02d}" for i in range(20))
CATEGORY = "plan"
PLANS = ("free", "basic", "plus", "pro", "team")
UNSEEN_PLAN = "enterprise"
REFERENCE_ROWS = 50_000
#: Targets from the issue.
TARGET_SECONDS = 1.0
TARGET_WINDOWS = 24
TARGET_MONITORS = 50
PACKAGES = ("smokejumper", "numpy", "pyarrow", "scipy", "scikit-learn", "sqlalchemy", "pydantic")

Json = dict[str, Any]


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- the monitors


def monitor_specs() -> list[Json]:
    """The 50 monitors, as a monitors file would declare them."""
    specs: list[Json] = []

    def add(name: str, kind: str, **fields: Any) -> None:
        specs.append({"name": name, "model": MODEL, "type": kind, **fields})

    for q, limit in ((0.5, 30.0), (0.9, 60.0), (0.99, 120.0)):
        add(f"latency-p{round(q * 100)}", "latency", quantile=q, max=limit)
    add("volume", "volume", min=4_000)
    add("errors", "error_rate", max=0.02)
    add("confidence-mean", "confidence", statistic="mean", min=0.6)
    add("confidence-low", "confidence", statistic="low_share", below=0.55, max=0.2)
    add("nulls-any", "null_rate", max=0.05)
    for name in NUMERIC[:9]:
        add(f"nulls-{name}", "null_rate", column=name, max=0.02)
    add(f"nulls-{CATEGORY}", "null_rate", column=CATEGORY, max=0.02)
    for name in NUMERIC:
        add(f"range-{name}", "out_of_range", column=name, max=0.01)
    add("drift-all", "feature_drift", max=0.0)
    add("drift-first-five", "feature_drift", columns=list(NUMERIC[:5]), max=0.2)
    add("drift-plan", "feature_drift", columns=[CATEGORY], max=0.0)
    add("drift-last-five", "feature_drift", columns=list(NUMERIC[-5:]), max=0.2)
    add("prediction-drift", "prediction_drift", max=0.1)
    add("unseen-plan", "unseen_categories", column=CATEGORY, max=0.01)
    for metric, limit in (
        ("accuracy", 0.6),
        ("precision", 0.5),
        ("recall", 0.5),
        ("f1", 0.5),
        ("roc_auc", 0.6),
        ("mae", None),
    ):
        bounds = {"max": 0.5} if limit is None else {"min": limit}
        add(f"perf-{metric}", "performance", metric=metric, **bounds)
    assert len(specs) == TARGET_MONITORS, len(specs)
    return specs


# --------------------------------------------------------------------------- the store


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
    from smokejumper.monitoring.ingest import ingest
    from smokejumper.monitoring.monitors import parse_monitor
    from smokejumper.stats.dataset import profile
    from smokejumper.store.database import make_engine, session_factory, upgrade
    from smokejumper.store.models import reference_of, register_model, set_reference
    from smokejumper.store.monitoring import save_monitor, store_labels
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
    store.build_s = times
    return store


def reset(store: Store) -> None:
    """Forget every observation and evaluation, so that every window is due again."""
    from sqlalchemy import delete

    from smokejumper.store.tables import Observation, WindowEvaluation

    with store.sessions() as session:
        session.execute(delete(Observation))
        session.execute(delete(WindowEvaluation))
        session.commit()


# --------------------------------------------------------------------------- timing


def _rss_mib(key: str = "VmRSS") -> float | None:
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return None


@dataclass
class Pass:
    """One timed ``run_once``."""

    seconds: float
    cpu_seconds: float
    windows: int
    observations: int
    unhealthy: int


#: The two ways the warm passes run: the evaluator's window cache kept between passes, or
#: switched off so that every pass reads and deserialises everything again.
CACHE_ON, CACHE_OFF = "caches warm", "caches off"
MODES = (CACHE_OFF, CACHE_ON)


def _cache(mode: str) -> Any:
    """The cache a pass runs with: the process's own, or one that keeps nothing."""
    from smokejumper.monitoring import runner
    from smokejumper.monitoring.window_cache import WindowCache

    return runner.CACHE if mode == CACHE_ON else WindowCache(max_bytes=0)


def timed_pass(store: Store, mode: str = CACHE_ON) -> Pass:
    """Reset, then time one ``run_once`` over every closed window."""
    from smokejumper.monitoring.runner import run_once

    reset(store)
    cache = _cache(mode)
    with store.sessions() as session:
        cpu, start = time.process_time(), time.perf_counter()
        summary = run_once(session, store.raw_log, store.now, cache=cache)
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu
    return Pass(seconds, cpu, summary.windows, summary.observations, len(summary.unhealthy))


# --------------------------------------------------------------------------- the check

Observed = dict[tuple[str, datetime], tuple[float | None, bool | None, Json]]


def stored_observations(store: Store) -> Observed:
    """The observations in the store: ``(monitor, window) -> (value, healthy, details)``."""
    import json

    from sqlalchemy import select

    from smokejumper.store.database import as_utc
    from smokejumper.store.tables import Monitor, Observation

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
    cached: every column of every batch, every part's profile deserialised and merged, labels
    fetched by ids in chunks of 900, custom metrics and refused batches."""
    from functools import reduce

    import pyarrow as pa
    import pyarrow.compute as pc
    from sqlalchemy import select

    from smokejumper.monitoring.evaluate import WindowData
    from smokejumper.stats import serialize
    from smokejumper.stats.dataset import DatasetProfile
    from smokejumper.store import monitoring as repo
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
        profile=reduce(DatasetProfile.merge, profiles) if profiles else None,
        reference=reference_of(session, model),
        labels=pa.table(
            {"id": list(labels), "label": list(labels.values())},
            schema=pa.schema([("id", pa.string()), ("label", pa.string())]),
        ),
        custom=repo.custom_for(session, model, start),
        rejected_batches=repo.rejections_between(session, model, start, end),
    )


def reference_observations(store: Store) -> Observed:
    """Each monitor evaluated on its own (nothing shared between monitors, nothing cached,
    every window loaded in full), on every window: what ``run_once`` must reproduce. Prediction
    and confidence drift compare with the model's first closed window with rows, the first of
    the benchmark's windows."""
    from dataclasses import replace

    from smokejumper.monitoring.evaluate import Observation, evaluate
    from smokejumper.store.models import get_model
    from smokejumper.store.monitoring import monitors_of

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


# --------------------------------------------------------------------------- where the time goes


class _Timers:
    """Seconds and calls per label."""

    def __init__(self) -> None:
        self.seconds: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()

    def wrap(self, label: str | Callable[..., str], func: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            name = label(*args, **kwargs) if callable(label) else label
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - start
                self.calls[name] += 1

        return timed

    def wrap_iterator(
        self, label: str, func: Callable[..., Iterator[Any]]
    ) -> Callable[..., Iterator[Any]]:
        """Time each step of the iterator ``func`` returns (the caller's work in between
        is not counted)."""

        def timed(*args: Any, **kwargs: Any) -> Iterator[Any]:
            steps = func(*args, **kwargs)
            while True:
                start = time.perf_counter()
                try:
                    item = next(steps)
                except StopIteration:
                    return
                finally:
                    self.seconds[label] += time.perf_counter() - start
                self.calls[label] += 1
                yield item

        return timed


@contextlib.contextmanager
def _patched(target: Any, name: str, value: Any) -> Iterator[None]:
    original = getattr(target, name)
    setattr(target, name, value)
    try:
        yield
    finally:
        setattr(target, name, original)


LOAD = "load windows (caller's thread)"
LOAD_PARTS = (
    "stored profile parts of the window (window_profiles, SQL)",
    "parts deserialised and merged, or from the cache (WindowCache.profile)",
    "labels for the window's ids (labels_for)",
    "custom metrics and refused batches",
)
LOAD_REST = "  rest: raw files of the windows (SQL), waiting for the reader thread"
READER = "rows: raw Parquet batches read and filtered (reader thread, overlapped)"
SAVE = "save observations, window evaluations, commit"


@dataclass
class Split:
    """Where one instrumented pass spent its time."""

    total_s: float
    load: Counter[str]
    load_calls: Counter[str]
    evaluate: Counter[str]  # per monitor type
    evaluate_calls: Counter[str]


def split_pass(store: Store, mode: str) -> Split:
    """One pass with the runner's calls wrapped in timers."""
    from smokejumper.monitoring import runner
    from smokejumper.monitoring.loading import WindowLoader
    from smokejumper.monitoring.monitors import evaluation as evaluate_module
    from smokejumper.monitoring.window_cache import WindowCache
    from smokejumper.store import monitoring as repo

    reset(store)
    load, evaluate, reader = _Timers(), _Timers(), _Timers()
    patches = [
        _patched(WindowLoader, "windows", load.wrap_iterator(LOAD, WindowLoader.windows)),
        _patched(repo, "window_profiles", load.wrap(LOAD_PARTS[0], repo.window_profiles)),
        _patched(WindowCache, "profile", load.wrap(LOAD_PARTS[1], WindowCache.profile)),
        _patched(repo, "labels_for", load.wrap(LOAD_PARTS[2], repo.labels_for)),
        _patched(repo, "custom_for", load.wrap(LOAD_PARTS[3], repo.custom_for)),
        _patched(repo, "rejections_between", load.wrap(LOAD_PARTS[3], repo.rejections_between)),
        _patched(WindowLoader, "_rows", reader.wrap(READER, WindowLoader._rows)),
        _patched(
            evaluate_module,
            "evaluate",
            evaluate.wrap(lambda spec, _: spec.type, evaluate_module.evaluate),
        ),
        _patched(repo, "save_observations", load.wrap(SAVE, repo.save_observations)),
        _patched(repo, "save_window_evaluations", load.wrap(SAVE, repo.save_window_evaluations)),
    ]
    with contextlib.ExitStack() as stack:
        for patch in patches:
            stack.enter_context(patch)
        with store.sessions() as session:
            stack.enter_context(_patched(session, "commit", load.wrap(SAVE, session.commit)))
            start = time.perf_counter()
            runner.run_once(session, store.raw_log, store.now, cache=_cache(mode))
            total = time.perf_counter() - start
    load.seconds[READER], load.calls[READER] = reader.seconds[READER], reader.calls[READER]
    return Split(total, load.seconds, load.calls, evaluate.seconds, evaluate.calls)


class _InlineExecutor:
    """Stands in for ``ThreadPoolExecutor``: runs the work in the calling thread."""

    def __init__(self, *_: Any, **__: Any) -> None:
        pass

    def __enter__(self) -> _InlineExecutor:
        return self

    def __exit__(self, *_: object) -> None:
        return None

    def map(self, func: Callable[..., Any], *iterables: Any) -> Iterator[Any]:
        return iter([func(*args) for args in zip(*iterables, strict=True)])

    def submit(self, func: Callable[..., Any], *args: Any) -> Any:
        from concurrent.futures import Future

        future: Future[Any] = Future()
        future.set_result(func(*args))
        return future


def profiled_pass(store: Store, top: int = 20) -> tuple[float, list[Json], list[Json]]:
    """One pass (caches warm) under cProfile: the heaviest functions by own and total time.

    cProfile sees only the thread it runs in, so the thread pools of ``compare`` and of the
    window loader are replaced by an inline executor for this pass: their work shows up.
    """
    from smokejumper.monitoring import loading
    from smokejumper.monitoring.runner import run_once
    from smokejumper.stats import compare

    reset(store)
    profiler = cProfile.Profile()
    with (
        _patched(compare, "ThreadPoolExecutor", _InlineExecutor),
        _patched(loading, "ThreadPoolExecutor", _InlineExecutor),
        store.sessions() as session,
    ):
        start = time.perf_counter()
        profiler.enable()
        run_once(session, store.raw_log, store.now)
        profiler.disable()
        seconds = time.perf_counter() - start
    entries = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    rows = [
        {
            "function": _short_function(path, line, name),
            "calls": calls,
            "own_ms": own * 1000,
            "total_ms": total * 1000,
            "ours": "smokejumper/" in path,
        }
        for (path, line, name), (_, calls, own, total, _) in entries.items()
    ]
    by_own = sorted(rows, key=lambda r: -r["own_ms"])[:top]
    by_total = [r for r in sorted(rows, key=lambda r: -r["total_ms"]) if r["ours"]][:top]
    return seconds, by_own, by_total


def _short_function(path: str, line: int, name: str) -> str:
    if path == "~":
        return name  # a built-in
    if "site-packages/" in path:
        path = path.split("site-packages/", 1)[1]
    elif "/src/" in path:
        path = path.split("/src/", 1)[1]
    else:
        path = re.sub(r"^.*/lib/python3\.\d+/", "", path)
    return f"{name} ({path}:{line})"


# --------------------------------------------------------------------------- reporting


def _read_key(path: str, key: str) -> str | None:
    with contextlib.suppress(OSError):
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    return None


def machine_lines(git_at_start: str) -> list[str]:
    """Facts about the machine and software the numbers were taken on."""
    git_now = git_state()
    git = git_now if git_now == git_at_start else f"{git_at_start} at start, {git_now} at end"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    memory = _read_key("/proc/meminfo", "MemTotal")
    memory_text = f"{int(memory.split()[0]) / 1024**2:.1f} GiB" if memory else "unknown"
    cpu = _read_key("/proc/cpuinfo", "model name") or platform.processor() or "unknown"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return [
        f"- Machine: {cores} cores (nproc), {cpu}, {memory_text} RAM, "
        f"{platform.system()} {platform.release()}",
        f"- Load average (1, 5, 15 min) when the report was written: {load}",
        f"- Python {platform.python_version()} ({sys.executable})",
        "- Packages: " + ", ".join(f"{p} {version(p)}" for p in PACKAGES),
        f"- Smokejumper source: git {git}",
    ]


def _fmt(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


@dataclass
class Result:
    """Everything one run measured."""

    store: Store
    cold: Pass
    warm: dict[str, list[Pass]]  # per mode
    splits: dict[str, Split]  # per mode
    checks: list[Check]
    cache_stats: dict[str, int]
    profile_s: float
    by_own: list[Json]
    by_total: list[Json]
    rss_before_mib: float | None
    peak_rss_mib: float | None
    db_bytes: int
    raw_bytes: int
    command: str
    git_at_start: str

    def median(self, mode: str) -> float:
        """Median wall seconds of the warm passes of one mode."""
        return statistics.median(p.seconds for p in self.warm[mode])

    @property
    def windows(self) -> int:
        """Windows evaluated per warm pass."""
        return self.warm[CACHE_ON][0].windows if self.warm[CACHE_ON] else 0


PASS_HEADER = ("Pass", "Seconds", "CPU s", "ms per window", "Windows", "Observations", "Unhealthy")


def pass_rows(result: Result) -> list[list[str]]:
    """The cold pass, every warm pass of each mode and their medians."""

    def row(label: str, p: Pass) -> list[str]:
        per_window = p.seconds * 1000 / p.windows if p.windows else None
        return [
            label,
            _fmt(p.seconds, 3),
            _fmt(p.cpu_seconds, 3),
            _fmt(per_window, 1),
            str(p.windows),
            f"{p.observations:,}",
            str(p.unhealthy),
        ]

    rows = [row("cold (first in the process, caches empty)", result.cold)]
    for mode in MODES:
        passes = result.warm[mode]
        rows += [row(f"warm {i + 1}, {mode}", p) for i, p in enumerate(passes)]
        median = result.median(mode)
        windows = passes[0].windows
        rows.append(
            [
                f"**warm, {mode}: median**",
                f"**{median:.3f}**",
                _fmt(statistics.median(p.cpu_seconds for p in passes), 3),
                _fmt(median * 1000 / windows if windows else None, 1),
                str(windows),
                "",
                "",
            ]
        )
    return rows


SPLIT_HEADER = (
    "Part",
    f"Calls ({CACHE_OFF})",
    f"ms per window ({CACHE_OFF})",
    f"Calls ({CACHE_ON})",
    f"ms per window ({CACHE_ON})",
)


def split_rows(result: Result) -> list[list[str]]:
    """Loading vs evaluating (per monitor type) vs saving, for each mode."""
    windows = max(result.windows, 1)
    splits = [result.splits[mode] for mode in MODES]

    def row(label: str, values: Sequence[tuple[float, int | str]]) -> list[str]:
        cells = [label]
        for seconds, calls in values:
            cells += [str(calls), _fmt(seconds * 1000 / windows, 2)]
        return cells

    def part(label: str, key: str) -> list[str]:
        return row(label, [(s.load[key], s.load_calls[key]) for s in splits])

    rows = [part(LOAD, LOAD)]
    rows += [part(f"  {p}", p) for p in LOAD_PARTS]
    rows.append(
        row(LOAD_REST, [(s.load[LOAD] - sum(s.load[p] for p in LOAD_PARTS), "") for s in splits])
    )
    rows.append(
        row(
            "evaluate (total)",
            [(sum(s.evaluate.values()), sum(s.evaluate_calls.values())) for s in splits],
        )
    )
    kinds = [kind for kind, _ in splits[0].evaluate.most_common()]
    rows += [row(f"  {k}", [(s.evaluate[k], s.evaluate_calls[k]) for s in splits]) for k in kinds]
    rows.append(part(SAVE, SAVE))
    rows.append(
        row(
            "rest (due windows, monitor specs, reference, baseline, building rows)",
            [
                (s.total_s - s.load[LOAD] - sum(s.evaluate.values()) - s.load[SAVE], "")
                for s in splits
            ],
        )
    )
    rows.append(row("whole pass (instrumented)", [(s.total_s, "") for s in splits]))
    rows.append(part(f"{READER}", READER))
    return rows


TYPE_HEADER = ("Type", "Monitors", "Names")


def type_rows(monitors: Sequence[Json]) -> list[list[str]]:
    """The declared monitors by type."""
    by: dict[str, list[str]] = {}
    for spec in monitors:
        by.setdefault(spec["type"], []).append(spec["name"])
    return [[kind, str(len(names)), _names(names)] for kind, names in by.items()]


def _names(names: Sequence[str]) -> str:
    return ", ".join(names) if len(names) <= 4 else f"{names[0]} ... {names[-1]}"


PROFILE_HEADER = ("Function", "Calls", "Own ms", "Total ms")


def profile_rows(rows: Sequence[Json]) -> list[list[str]]:
    """cProfile rows."""
    return [
        [r["function"], f"{r['calls']:,}", _fmt(r["own_ms"], 1), _fmt(r["total_ms"], 1)]
        for r in rows
    ]


@dataclass(frozen=True)
class Target:
    """The goal from the issue, and whether this run met it."""

    text: str
    met: bool | None
    evidence: str


def check_targets(result: Result) -> list[Target]:
    """50 monitors over 24 hourly windows in under a second (warm, median), per mode."""
    text = (
        f"{TARGET_MONITORS} monitors over {TARGET_WINDOWS} hourly windows in under "
        f"{TARGET_SECONDS:g} s"
    )
    if result.windows != TARGET_WINDOWS or len(result.store.monitors) != TARGET_MONITORS:
        why = f"this run had {result.windows} windows; the full run has {TARGET_WINDOWS}"
        return [Target(text, None, why)]
    out = []
    for mode in (CACHE_ON, CACHE_OFF):
        median = result.median(mode)
        evidence = (
            f"warm median {median:.2f} s ({median / TARGET_SECONDS:.1f}x the budget) at "
            f"{result.store.shape.rows:,} rows per window; cold first pass "
            f"{result.cold.seconds:.2f} s"
        )
        out.append(Target(f"{text}, {mode}", median < TARGET_SECONDS, evidence))
    return out


def _target_lines(targets: Sequence[Target]) -> list[str]:
    label = {True: "MET", False: "NOT MET", None: "not measured"}
    return [f"- {t.text}: **{label[t.met]}** ({t.evidence})" for t in targets]


def _check_lines(result: Result) -> list[str]:
    lines = []
    for c in result.checks:
        verdict = "identical" if c.ok else "DIFFERENT"
        lines.append(
            f"- Last warm pass, {c.mode}: {c.identical:,} of {c.compared:,} observations "
            f"{verdict} to the per-monitor reference (value, health and details, floats bit "
            "for bit)."
        )
        lines += [f"  - {d}" for d in c.different]
    return lines


def _budget_lines(result: Result) -> list[str]:
    """What the split says about the one-second budget."""
    windows = max(result.windows, 1)
    budget_ms = TARGET_SECONDS * 1000 / windows
    lines = [
        f"- Budget: {TARGET_SECONDS:g} s over {windows} windows is {budget_ms:.0f} ms per window "
        f"for loading it and evaluating all {len(result.store.monitors)} monitors."
    ]
    for mode in MODES:
        s = result.splits[mode]
        evaluated = sum(s.evaluate.values())
        kind, seconds = s.evaluate.most_common(1)[0] if s.evaluate else ("-", 0.0)
        lines.append(
            f"- {mode.capitalize()}: loading took {s.load[LOAD] * 1000 / windows:.0f} ms per "
            f"window on the caller's thread, evaluating {evaluated * 1000 / windows:.0f} ms "
            f"(`{kind}` the heaviest type: {seconds * 1000 / windows:.1f} ms per window, "
            f"{seconds / s.total_s:.0%} of the pass), saving "
            f"{s.load[SAVE] * 1000 / windows:.1f} ms."
        )
    return lines


def _cache_line(result: Result) -> str:
    c = result.cache_stats
    return (
        f"After the warm passes the process's window cache held the rows of {c['rows']} windows "
        f"and {c['profiles']} merged window profiles ({c['bytes'] / 2**20:,.1f} MiB by its "
        f"count; {c['hits']:,} hits, {c['misses']:,} misses)."
    )


def render_markdown(result: Result) -> str:
    """The results document."""
    store, shape = result.store, result.store.shape
    b = store.build_s
    parts = [
        "# Monitor evaluation: `run_once` over closed hourly windows",
        "",
        f"- Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        *machine_lines(result.git_at_start),
        f"- Command: `{result.command}`",
        "",
        f"One process. The store (SQLite and the raw Parquet log in a temporary folder) holds one "
        f"model with {len(NUMERIC)} numeric features and one categorical feature ({CATEGORY}), a "
        f"reference of {REFERENCE_ROWS:,} rows, {shape.windows} hourly windows (the newest "
        "ending at the start of the hour the run falls in, so that every closed window holds "
        f"data and no silent window is evaluated) of {shape.rows:,} predictions each "
        f"({shape.batches} ingest batches per window, window "
        f"profiles computed on ingest as the server does), {store.labels:,} labels "
        f"({shape.label_share:.0%} of the predictions) and {len(store.monitors)} monitors. "
        f"The second half of the windows (from window {shape.windows // 2 + 1} on) is shifted "
        "(feature f00 +0.5 sd, f01 three times wider, 4 % nulls in f02, 3 % of "
        f"{CATEGORY} an unseen value), so some monitors are unhealthy there. "
        "Each pass clears observations and window evaluations first, so all windows are due; "
        "the raw batches were just written, so they come from the page cache.",
        "",
        "- *Cold*: the first pass in the process: lazy imports of SciPy, scikit-learn and the "
        "drift methods, and the evaluator's window cache empty.",
        "- *Warm, caches off*: later passes with the window cache switched off: every pass "
        "reads every window's raw Parquet batches and deserialises and merges its stored "
        "profile parts again. This is the work of evaluating windows for the first time "
        "(a window that just closed is never in the cache).",
        "- *Warm, caches warm*: later passes as the server's long-lived evaluator runs them "
        "when windows are evaluated again (after a new reference, or late predictions in "
        "many windows): the rows and merged profile of each window come "
        "from the process's window cache (`smokejumper.monitoring.window_cache`), which the "
        "cold pass filled. The cache keys rows by the window and each raw file's path, size and "
        "modification time, and profiles by a digest of each stored part's bytes, so new "
        "batches or re-profiled parts are new keys. Labels, custom metrics and refused batches "
        "are read from the store on every pass; nothing computed from the data (drift, "
        "metrics) is kept between passes.",
        "",
        "In both modes the monitors of a window share what they have in common: one drift "
        "report for the window's feature-drift monitors (a monitor on a subset of the columns "
        "takes its columns' statistics from it and corrects their p-values as a family of its "
        "own), one label join and one confusion count for the classification metrics, the "
        "missing values per column; only what the due monitors read is loaded; labels come in "
        "one query per window; the next window's raw batches are read on a helper thread while "
        "the current one is evaluated; observations are written in one statement and one "
        "commit per model.",
        "",
        f"Building the store: setup {b['setup_s']:.1f} s, ingest {b['ingest_s']:.1f} s, "
        f"labels {b['labels_s']:.1f} s. Disk: SQLite {result.db_bytes / 2**20:,.1f} MiB, raw log "
        f"{result.raw_bytes / 2**20:,.1f} MiB. Process RSS before the passes "
        f"{_fmt(result.rss_before_mib)} MiB, peak (`VmHWM`) {_fmt(result.peak_rss_mib)} MiB. "
        + _cache_line(result),
        "",
        "## Passes",
        "",
        md_table(PASS_HEADER, pass_rows(result)),
        "",
        "## Target",
        "",
        *_target_lines(check_targets(result)),
        "",
        "## Same observations",
        "",
        "After the last warm pass of each mode, the stored observations are compared with a "
        "reference computed without any of the above: every window loaded in full as the "
        "runner loaded it before (all columns, every part deserialised and merged, labels by "
        "ids in chunks of 900), and each monitor evaluated on its own, with nothing shared "
        "with the other monitors of the window.",
        "",
        *_check_lines(result),
        "",
        "## Where the time goes",
        "",
        "One more warm pass of each mode with the runner's calls wrapped in timers (the "
        "window loader's steps on the caller's thread, and within them the profile, labels, "
        "custom metrics and refused batches; `evaluate` per monitor type; saving). The reader "
        "thread's time is shown last: it overlaps the caller's work, so it is not part of the "
        "pass's sum; what the caller waited for it is in the loader's rest. The wrappers add "
        "a few microseconds per call.",
        "",
        md_table(SPLIT_HEADER, split_rows(result)),
        "",
        *_budget_lines(result),
        "",
        f"### cProfile of one warm pass, caches warm ({result.profile_s:.2f} s under the profiler)",
        "",
        "cProfile sees one thread only, so for this pass `compare` and the window loader run "
        "their work in the calling thread instead of their thread pools; the profiler's "
        "overhead makes every Python call slower, so read the numbers as a ranking.",
        "",
        "Heaviest by own time (all code):",
        "",
        md_table(PROFILE_HEADER, profile_rows(result.by_own)),
        "",
        "Heaviest Smokejumper functions by total time (including what they call):",
        "",
        md_table(PROFILE_HEADER, profile_rows(result.by_total)),
        "",
        "## The monitors",
        "",
        md_table(TYPE_HEADER, type_rows(store.monitors)),
        "",
    ]
    return "\n".join(parts)


def print_summary(result: Result) -> None:
    """The tables on stdout."""
    print(text_table(PASS_HEADER, [[c.replace("**", "") for c in r] for r in pass_rows(result)]))
    print()
    print(text_table(SPLIT_HEADER, split_rows(result)))
    print()
    print(text_table(PROFILE_HEADER, profile_rows(result.by_own[:12])))
    print()
    for line in [*_budget_lines(result), *_check_lines(result), _cache_line(result)]:
        print(line)
    for line in _target_lines(check_targets(result)):
        print(line.replace("**", ""))


# --------------------------------------------------------------------------- command line


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="6 windows of 1,000 rows")
    parser.add_argument("--windows", type=int, help="hourly windows (default 24)")
    parser.add_argument("--rows", type=int, help="predictions per window (default 5000)")
    parser.add_argument("--batches", type=int, default=5, help="ingest batches per window")
    parser.add_argument("--label-share", type=float, default=0.2, help="share of rows labelled")
    parser.add_argument("--repeats", type=int, help="warm passes (default 5)")
    parser.add_argument("--home-parent", type=Path, help="where the temporary store is made")
    parser.add_argument("--keep-home", action="store_true", help="keep the temporary store")
    parser.add_argument("--output", type=Path, help="Markdown results file")
    args = parser.parse_args(argv)
    quick = args.quick
    for name, short, full in (("windows", 6, 24), ("rows", 1_000, 5_000), ("repeats", 2, 5)):
        if getattr(args, name) is None:
            setattr(args, name, short if quick else full)
    if args.rows % args.batches:
        parser.error("--rows must be a multiple of --batches")
    if args.output is None:
        args.output = QUICK_OUTPUT if quick else DEFAULT_OUTPUT
    return args


def _folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(argv: Sequence[str] | None = None) -> int:
    """Build the store, time the passes, print and write the results."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    git_at_start = git_state()
    shape = Shape(args.windows, args.rows, args.batches, args.label_share)
    parent = args.home_parent
    if parent is not None:
        parent.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="sj-monitors-", dir=parent))
    try:
        _log(f"building the store in {home}: {shape.windows} windows x {shape.rows:,} rows ...")
        store = build_store(shape, home)
        rss_before = _rss_mib()
        _log("cold pass ...")
        cold = timed_pass(store, CACHE_ON)
        warm: dict[str, list[Pass]] = {mode: [] for mode in MODES}
        checks = []
        for i in range(args.repeats):  # the modes take turns, so that both see the same load
            for mode in MODES:
                warm[mode].append(timed_pass(store, mode))
                _log(f"warm pass {i + 1}, {mode}: {warm[mode][-1].seconds:.3f} s")
                if i == args.repeats - 1:
                    checks.append((mode, stored_observations(store)))
        cache_stats = _cache(CACHE_ON).stats()
        _log("reference observations, each monitor on its own ...")
        reference = reference_observations(store)
        checked = [check(mode, observed, reference) for mode, observed in checks]
        _log("instrumented passes ...")
        splits = {mode: split_pass(store, mode) for mode in MODES}
        _log("cProfile pass ...")
        profile_s, by_own, by_total = profiled_pass(store)
        store.engine.dispose()
        result = Result(
            store=store,
            cold=cold,
            warm=warm,
            splits=splits,
            checks=checked,
            cache_stats=cache_stats,
            profile_s=profile_s,
            by_own=by_own,
            by_total=by_total,
            rss_before_mib=rss_before,
            peak_rss_mib=_rss_mib("VmHWM"),
            db_bytes=sum(p.stat().st_size for p in home.glob("smokejumper.db*")),
            raw_bytes=_folder_bytes(home / "raw"),
            command=command_line(__file__, argv),
            git_at_start=git_at_start,
        )
    finally:
        if args.keep_home:
            _log(f"store kept at {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)
    print_summary(result)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render_markdown(result))
    _log(f"results written to {args.output}")
    return 0 if all(c.ok for c in checked) else 1


if __name__ == "__main__":
    sys.exit(main())
