"""Root-cause diagnosis: one incident of a 50-feature model over 7 days of hourly windows.

What it measures
----------------
A store is built in a temporary folder with the store's and the service's own functions
(``register_model``/``set_reference``, ``service.ingest.ingest`` with a ``RawLog``, so every
window has its raw-log Parquet files and its profiled window parts, as the server stores
them): one model with 48 numeric and 2 categorical features (``plan`` is its segment),
``--windows`` hourly windows (default 168: 7 days) of ``--rows`` predictions each (default
59,524: 10,000,032 rows in all), in ``--batches`` batches per window. From the onset (36
windows before the end) ``f00`` is null in half the ``basic`` rows and ``f01``..``f04``
drift. A share of each window's predictions (``--labelled``, default 0.2) gets a label, an
outcome drawn with the prediction as its probability, as ground truth arriving later would. The
observations of a feature-drift monitor (50 columns in its details), a null-rate
monitor and a volume monitor are written for every window (the evaluator's job, not timed
here), with 50 changes and an alias move in the lookback; the incident is opened with the
null-rate monitor's onset.

Then ``smokejumper.service.rca.runs.run_diagnosis`` (gathering the inputs from the store,
every collector, storing the diagnosis and its timeline event) is timed: once cold (the
first call in the process) and ``--repeats`` times warm. Acceptance: under 5 s at full size.

How to run (from the repository root)
-------------------------------------
    .venv/bin/python benchmarks/rca_diagnosis.py                    # full size (10M rows)
    .venv/bin/python benchmarks/rca_diagnosis.py --rows 6000        # 1M rows
    .venv/bin/python benchmarks/rca_diagnosis.py --keep /tmp/rca    # build once (minutes) ...
    .venv/bin/python benchmarks/rca_diagnosis.py --keep /tmp/rca --profile  # ... time again

``--keep DIR`` builds the store in DIR and reuses it on later runs (building 10M rows takes
5 to 10 minutes; the diagnosis does not change the store but for its own diagnosis rows).
``--profile`` prints cProfile's top functions of one more diagnosis.

Writes ``benchmarks/results/rca_diagnosis.md`` (``--output`` to change).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import pstats
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from _common import command_line, git_state, log, machine_lines

NUMERIC = [f"f{i:02d}" for i in range(48)]
OUTPUT = Path(__file__).resolve().parent / "results" / "rca_diagnosis.md"


def _schema() -> Any:
    from smokejumper.monitoring.schema import ModelSchema

    features = [{"name": n, "kind": "numeric"} for n in NUMERIC]
    features += [{"name": "plan", "kind": "categorical"}, {"name": "region", "kind": "categorical"}]
    return ModelSchema.model_validate(
        {"features": features, "segments": ["plan"], "prediction_kind": "numeric"}
    )


def _batch(rng: Any, start: datetime, n: int, broken: bool, prefix: str, now: datetime) -> Any:
    from smokejumper.monitoring.batch import arrow_to_table

    cols: dict[str, Any] = {
        "id": [f"{prefix}-{i}" for i in range(n)],
        "timestamp": pa.array(
            [start + timedelta(seconds=int(s)) for s in rng.integers(0, 3600, n)],
            pa.timestamp("us", tz="UTC"),
        ),
        "version": ["v2" if broken else "v1"] * n,
    }
    plans = rng.choice(["basic", "pro"], n)
    for i, name in enumerate(NUMERIC):
        values = rng.normal(0.8 if broken and 1 <= i <= 4 else 0.0, 1.0, n)
        mask = (plans == "basic") & (rng.random(n) < 0.5) if broken and i == 0 else None
        cols[name] = pa.array(values, mask=mask)
    cols["plan"] = plans
    cols["region"] = rng.choice(["eu", "us", "apac"], n)
    cols["prediction"] = rng.random(n)
    cols["confidence"] = rng.random(n)
    cols["latency_ms"] = rng.gamma(2.0, 10.0, n)
    cols["error"] = rng.random(n) < 0.001
    return arrow_to_table(pa.table(cols), _schema(), now)


def build(
    home: Path, windows: int, rows: int, batches: int, labelled: float = 0.0
) -> dict[str, Any]:
    """The store, the incident and how long building took."""
    from smokejumper.changes import make_change
    from smokejumper.incidents import Incident
    from smokejumper.monitoring.monitors import parse_monitor
    from smokejumper.service.ingest import ingest
    from smokejumper.stats.dataset import profile
    from smokejumper.store.changes import add_change
    from smokejumper.store.database import make_engine, session_factory, upgrade
    from smokejumper.store.incidents import store_changed
    from smokejumper.store.labels import store_labels
    from smokejumper.store.models import reference_of, register_model, set_reference
    from smokejumper.store.monitors import save_monitor
    from smokejumper.store.observations import save_observations
    from smokejumper.store.rawlog import RawLog

    rng = np.random.default_rng(7)
    began = time.perf_counter()
    engine = make_engine(f"sqlite:///{home / 'smokejumper.db'}")
    upgrade(engine)
    sessions = session_factory(engine)
    raw_log = RawLog(home / "raw")
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    starts = [now - timedelta(hours=windows - k) for k in range(windows)]
    onset = starts[-36] if windows > 36 else starts[len(starts) // 2]
    schema = _schema()
    with sessions() as session:
        model = register_model(session, "bench", schema, 3600)
        ref = {n: rng.normal(0, 1, 20_000) for n in NUMERIC}
        ref["plan"] = rng.choice(["basic", "pro"], 20_000)
        ref["region"] = rng.choice(["eu", "us", "apac"], 20_000)
        set_reference(session, model, profile(pa.table(ref)), "parquet")
        reference = reference_of(session, model)
        monitors = {}
        for spec in (
            {"name": "drift", "model": "bench", "type": "feature_drift"},
            {
                "name": "f00-nulls",
                "model": "bench",
                "type": "null_rate",
                "column": "f00",
                "severity": "page",
            },
            {"name": "volume", "model": "bench", "type": "volume", "min": 1},
        ):
            monitors[spec["name"]] = save_monitor(session, parse_monitor(spec)).id
        session.commit()
        per = rows // batches
        for w, start in enumerate(starts):
            broken = start >= onset
            for b in range(batches):
                table = _batch(rng, start, per, broken, f"w{w}b{b}", now)
                ingest(session, raw_log, model, schema, reference, table, f"w{w}b{b}")
                if labelled > 0:
                    ids = table.column("id").to_numpy(zero_copy_only=False)
                    chance = table.column("prediction").to_numpy(zero_copy_only=False)
                    keep = rng.random(len(ids)) < labelled
                    outcome = rng.random(len(ids)) < chance
                    pairs = zip(ids[keep], outcome[keep], strict=True)
                    store_labels(session, model, [(str(i), str(int(o))) for i, o in pairs])
                    session.commit()
            cols = {
                n: {
                    "effect_size": 0.3 if broken and 1 <= i <= 4 else 0.01,
                    "drift": bool(broken and 1 <= i <= 4),
                    "method": "wasserstein",
                }
                for i, n in enumerate([*NUMERIC, "plan", "region"])
            }
            rate = 0.25 if broken else 0.0
            save_observations(
                session,
                [
                    {
                        "monitor_id": monitors["drift"],
                        "window_start": start,
                        "value": 4 / 50 if broken else 0.0,
                        "healthy": not broken,
                        "details": json.dumps({"columns": cols}),
                        "evaluated_at": now,
                    },
                    {
                        "monitor_id": monitors["f00-nulls"],
                        "window_start": start,
                        "value": rate,
                        "healthy": not broken,
                        "details": json.dumps({"column": "f00", "rates": {"f00": rate}}),
                        "evaluated_at": now,
                    },
                    {
                        "monitor_id": monitors["volume"],
                        "window_start": start,
                        "value": float(batches * per),
                        "healthy": True,
                        "details": "{}",
                        "evaluated_at": now,
                    },
                ],
            )
        for k in range(50):
            add_change(
                session,
                make_change(
                    key=f"deploy-{k}",
                    at=onset - timedelta(hours=k % 24, minutes=k),
                    kind="config",
                    service=f"svc-{k % 5}",
                    summary=f"config change {k}",
                ),
                now,
            )
        add_change(
            session,
            make_change(
                key="move-2",
                at=onset - timedelta(minutes=25),
                kind="alias_move",
                model="bench",
                summary="alias champion moved from v1 to v2",
                details={"alias": "champion", "old_version": "1", "new_version": "2"},
            ),
            now,
        )
        incident, events = Incident.open(
            "INC-1", "bench: f00 null", "SEV2", onset, source="alerting", models=["bench"]
        )
        incident, more = incident.record_onset("f00-nulls", onset)
        from smokejumper.incidents import Changed

        store_changed(session, Changed(incident, (*events, *more)))
        session.commit()
    return {
        "sessions": sessions,
        "raw_log": raw_log,
        "now": now,
        "engine": engine,
        "build_s": time.perf_counter() - began,
        "rows": per * batches * windows,
        "windows": windows,
        "labelled": labelled,
    }


#: The kept store's facts (when it was built for, its rows, how long building took).
FACTS = "facts.json"


def kept(home: Path) -> dict[str, Any]:
    """The store an earlier ``--keep`` run built in ``home``."""
    from smokejumper.store.database import make_engine, session_factory
    from smokejumper.store.rawlog import RawLog

    facts = json.loads((home / FACTS).read_text())
    engine = make_engine(f"sqlite:///{home / 'smokejumper.db'}")
    log(f"reusing the store in {home} ({facts['rows']:,} rows)")
    return {
        "sessions": session_factory(engine),
        "raw_log": RawLog(home / "raw"),
        "now": datetime.fromisoformat(facts["now"]),
        "engine": engine,
        "build_s": facts["build_s"],
        "rows": facts["rows"],
        "windows": facts.get("windows", 168),
        "labelled": facts.get("labelled", 0.0),
    }


def diagnose(store: dict[str, Any], repeats: int, profiled: bool) -> tuple[list[float], Any]:
    """Seconds of each diagnosis (the first cold) and the last answer; with ``profiled``, one
    more run under cProfile, its top functions printed (not in the timings)."""
    from smokejumper.service.rca.runs import run_diagnosis

    def run() -> Any:
        return run_diagnosis(store["sessions"], store["raw_log"], "INC-1", store["now"])

    timings, answer = [], {}
    for _ in range(1 + repeats):
        began = time.perf_counter()
        answer = run()
        timings.append(time.perf_counter() - began)
    if profiled:
        profiler = cProfile.Profile()
        profiler.runcall(run)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
    return timings, answer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--windows", type=int, default=168)
    parser.add_argument("--rows", type=int, default=59_524, help="predictions per window")
    parser.add_argument("--batches", type=int, default=4, help="ingest batches per window")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--labelled", type=float, default=0.2, help="share of the predictions with a label"
    )
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument(
        "--keep",
        type=Path,
        help="build the store in this folder and keep it; an existing one is reused as it is",
    )
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        home = args.keep or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        store = kept(home) if args.keep and (home / FACTS).exists() else None
        if store is None:
            log(f"building {args.windows} windows of {args.rows:,} rows")
            home.mkdir(parents=True, exist_ok=True)
            store = build(home, args.windows, args.rows, args.batches, args.labelled)
            facts = {k: store[k] for k in ("build_s", "rows", "windows", "labelled")}
            facts["now"] = store["now"].isoformat()
            (home / FACTS).write_text(json.dumps(facts))
            log(f"built in {store['build_s']:.1f} s")
        timings, answer = diagnose(store, args.repeats, args.profile)
        store["raw_log"].close()
        store["engine"].dispose()
    top = answer["hypotheses"][:3]
    warm = statistics.median(timings[1:]) if len(timings) > 1 else timings[0]
    full = store["rows"] >= 10_000_000
    verdict = ("**met**" if max(timings) < 5 else "**missed**") if full else "not run at 10M rows"
    lines = [
        "# RCA diagnosis benchmark",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        *machine_lines(git_state(), ["numpy", "pyarrow", "sqlalchemy"]),
        "",
        f"Command: `{command_line(__file__, sys.argv[1:])}`",
        "",
        "| measure | value |",
        "|---|---|",
        f"| windows (hourly) | {store['windows']} |",
        "| features | 50 |",
        f"| logged rows | {store['rows']:,} |",
        f"| labelled share | {store['labelled']:.0%} |",
        f"| store build (not timed as diagnosis) | {store['build_s']:.1f} s |",
        f"| diagnosis, cold | {timings[0]:.2f} s |",
        f"| diagnosis, warm (median of {args.repeats}) | {warm:.2f} s |",
        f"| target: under 5 s at 10M rows, cold and warm | {verdict} |",
        "",
        "Top hypotheses found:",
        "",
        *[f"{h['rank']}. {h['title']} ({h['label']}, {h['confidence']:.0%})" for h in top],
        "",
    ]
    if not full:
        lines += [
            f"Note: run at {store['rows']:,} rows, not the 10,000,000 of the acceptance, "
            "because building the full store (ingesting and profiling 10M rows of 50 "
            "features) takes long on the shared machine this ran on. The diagnosis reads a "
            "bounded slice of the store (a day of observations, 12 windows of profiles and "
            "raw rows around the onset), so its time grows with the rows per window, not "
            "the total: the full run needs `--rows 59524` (the default).",
            "",
        ]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
