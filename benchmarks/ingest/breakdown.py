"""Where the time goes, in-process: the breakdown runs in a fresh child interpreter (the entry
script with ``--worker breakdown``), which replays the ingest route stage by stage on its own
SQLite store and prints its result as one tagged JSON line."""

from __future__ import annotations

import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from ingest.batch_costs import blob_options, cprofile_top, encoding_options, stored_table
from ingest.data import ClientSpec, make_body, model_body, reference_parquet
from ingest.settings import ARROW_BATCH, JSON_BATCH, MODEL, RESULT_TAG, SCRIPT, SEED, Json
from ingest.stages import (
    STAGES_APART,
    STAGES_ARROW,
    STAGES_COMMON,
    STAGES_JSON,
    Replay,
    StageClock,
    raw_write_apart,
    replay_batch,
)


def run_breakdown(reps: int, home_parent: Path | None, timeout: float = 1800) -> Json:
    """Run the breakdown in a fresh interpreter; its result, or ``{"error": ...}``."""
    home = Path(tempfile.mkdtemp(prefix="sj-ingest-breakdown-", dir=home_parent))
    command = [sys.executable, str(SCRIPT), "--worker", "breakdown"]
    command += ["--worker-home", str(home), "--worker-reps", str(reps)]
    try:
        proc = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    finally:
        shutil.rmtree(home, ignore_errors=True)
    tagged = [ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT_TAG)]
    if proc.returncode != 0 or not tagged:
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        return {"error": lines[-1][:300] if lines else f"exit code {proc.returncode}"}
    result: Json = json.loads(tagged[-1][len(RESULT_TAG) :])
    return result


def breakdown_worker_main(home: Path, reps: int) -> int:
    """The child's side: run the breakdown and print its result as one tagged line."""
    result = run_breakdown_worker(home, reps)
    print(RESULT_TAG + json.dumps(result), flush=True)
    return 0


def run_breakdown_worker(home: Path, reps: int) -> Json:
    """In a fresh child: the ingest path without HTTP, per stage, median ms per batch."""
    import pyarrow.parquet as pq

    from smokejumper.monitoring.schema import ModelSchema
    from smokejumper.service.references import ReferenceCache
    from smokejumper.stats.dataset import profile
    from smokejumper.store.database import make_engine, session_factory, upgrade
    from smokejumper.store.models import register_model, set_reference
    from smokejumper.store.rawlog import RawLog
    from smokejumper.store.tokens import create_token

    engine = make_engine(f"sqlite:///{home / 'smokejumper.db'}")
    upgrade(engine)
    sessions = session_factory(engine)
    schema = ModelSchema.model_validate(model_body()["schema"])
    with sessions() as db:
        model = register_model(db, MODEL, schema, 3600)
        reference = profile(pq.read_table(io.BytesIO(reference_parquet())))
        set_reference(db, model, reference, "parquet")
        token = create_token(db, "admin")
        db.commit()
    replay = Replay(sessions, engine, RawLog(home / "raw"), token, ReferenceCache())
    out: Json = {}
    for kind, batch in (("json", JSON_BATCH), ("arrow", ARROW_BATCH)):
        spec = ClientSpec(kind, batch)
        bodies = [make_body(spec, (SEED, 99, k, batch), f"bd-{k}") for k in range(4)]
        per_batch: list[Counter[str]] = []
        cpu: list[float] = []
        wall: list[float] = []
        for rep in range(reps + 2):  # the first two warm up lazy imports and caches
            clock = StageClock()
            cpu0, t0 = time.process_time(), time.perf_counter()
            stored = replay_batch(kind, bodies[rep % len(bodies)], replay, clock)
            batch_wall, batch_cpu = time.perf_counter() - t0, time.process_time() - cpu0
            raw_write_apart(stored, replay.raw_log.root / "apart", clock)
            if rep >= 2:
                wall.append(batch_wall)
                cpu.append(batch_cpu)
                per_batch.append(clock.stages)
        names = [*STAGES_COMMON[:2], *(STAGES_JSON if kind == "json" else STAGES_ARROW)]
        names += [*STAGES_COMMON[2:], *STAGES_APART]
        table = stored_table(kind, bodies[0], schema)
        out[kind] = {
            "batch": batch,
            "body_bytes": statistics.mean(len(b) for b in bodies),
            "stages_ms": {s: statistics.median(c[s] for c in per_batch) * 1000 for s in names},
            "wall_ms": statistics.median(wall) * 1000,
            "cpu_ms": statistics.median(cpu) * 1000,
            "reps": reps,
            "top": cprofile_top(kind, bodies, replay, max(reps // 2, 3)),
            "encoding": encoding_options(table),
            "blob": blob_options(table, schema, reference),
        }
    engine.dispose()
    return out
