"""Ingest throughput of a real ``smokejumper serve``: predictions acknowledged per second.

What it measures
----------------
One ``smokejumper serve --workers N`` subprocess (``--workers``, default: the machine's cores;
uvicorn's supervisor and N worker processes on one port) on a free loopback port, with a fresh
``SMOKEJUMPER_HOME`` (SQLite, the default store) and ``SMOKEJUMPER_EVALUATE_EVERY=0`` (no
background evaluator). Server CPU time, memory and threads are summed over its processes. With
N > 1, one more round of the four main scenarios runs against a second server with one worker
process, for comparison (``--no-single-worker`` skips it).
An admin token comes from ``smokejumper token create --scope admin``. One model is registered
with 20 numeric features and a reference (a 50,000-row Parquet file sent to
``PUT /api/v1/models/{name}/reference``), so that every batch is profiled per window on the
reference's bins as it is ingested: the realistic path.

Clients are separate processes (``multiprocessing``, spawn), one ``httpx.Client`` each with
keep-alive. Each client builds its request bodies *before* the timed loop (a pool of
:data:`BODIES_PER_CLIENT` distinct bodies, sent in turn, each with its own ``Idempotency-Key``),
sends one untimed warm-up request, waits at a barrier with the other clients, then posts
batches back to back for a fixed duration. A prediction counts once the server answered 201;
predictions per second = rows acknowledged / wall time from the barrier to the last answer.

- JSON: ``POST /api/v1/models/{name}/predictions`` with a list of records
  ``{"id", "timestamp", "version", "features": {20 numbers}, "prediction", "confidence",
  "latency_ms"}``; 1,000 records per request unless said otherwise.
- Arrow: the same endpoint with ``Content-Type: application/vnd.apache.arrow.stream`` and flat
  columns (id, timestamp, version, the 20 features, prediction, confidence, latency_ms);
  10,000 rows per request unless said otherwise.

Scenarios: JSON and Arrow with 1 and 4 concurrent clients (``--duration`` seconds each, all four
repeated in ``--rounds`` rounds so that the spread shows), a short batch-size sweep with one
client, then a sustained run (``--sustain`` seconds; 2 JSON + 2 Arrow clients) during which the
server's ``VmRSS`` (``/proc/PID/status``) is sampled every ``--sample-every`` seconds; the slope
after a warm-up (least squares) says whether memory stays flat. Server CPU comes from
``/proc/PID/stat`` (user + system, all threads); client CPU from each client's own process time
over its timed loop.

Where the time goes: a fresh child process runs the server's ingest path in-process, stage by
stage, on the same bodies (no HTTP), timing each stage with the real functions; when ``py-spy``
is installed (``.venv/bin/pip install py-spy``) it also samples the live server during one
extra JSON and one extra Arrow run with 4 clients (not counted in the throughput table) and the
samples are grouped by ingest stage.

All on one machine: clients, server and disk share the cores; the table says how much CPU the
clients used.

How to run (from the repository root)
-------------------------------------
    .venv/bin/python benchmarks/ingest_throughput.py                   # 20 s per scenario
    .venv/bin/python benchmarks/ingest_throughput.py --sustain 600     # the 10-minute soak
    .venv/bin/python benchmarks/ingest_throughput.py --quick           # smoke test, ~1 minute

The full run writes ``benchmarks/results/ingest_throughput.md``; ``--quick`` writes
``benchmarks/.data/ingest_throughput-quick.md`` unless ``--output`` says otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import io
import json
import math
import multiprocessing
import os
import platform
import queue
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _common import command_line, git_state, md_table, text_table, version

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA_DIR = HERE / ".data"
DEFAULT_OUTPUT = HERE / "results" / "ingest_throughput.md"
QUICK_OUTPUT = DATA_DIR / "ingest_throughput-quick.md"

SEED = 20_261_127
MODEL = "bench"
FEATURES = tuple(f"f{i:02d}" for i in range(20))
REFERENCE_ROWS = 50_000
JSON_BATCH = 1_000
ARROW_BATCH = 10_000
SWEEP_JSON = (100, 5_000)
SWEEP_ARROW = (1_000, 100_000)
BODIES_PER_CLIENT = 4
ARROW_TYPE = "application/vnd.apache.arrow.stream"
RESULT_TAG = "@@BENCH-RESULT@@ "
PACKAGES = (
    "smokejumper",
    "fastapi",
    "starlette",
    "uvicorn",
    "h11",
    "httpx",
    "pydantic",
    "sqlalchemy",
    "pyarrow",
    "numpy",
    "datasketches",
)

#: Targets from the issue.
JSON_TARGET = 20_000
ARROW_TARGET = 200_000
#: Memory counts as flat when RSS grows less than this after the warm-up.
FLAT_MIB_PER_MIN = 5.0
#: Shorter sustained runs are reported but not judged.
MIN_SUSTAIN_S = 60.0

Json = dict[str, Any]


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- request bodies


@dataclass(frozen=True)
class ClientSpec:
    """What one client sends: the format and the rows per request."""

    kind: str  # "json" or "arrow"
    batch: int


def _batch_columns(rows: int, seed: Sequence[int]) -> dict[str, Any]:
    """Column values of one batch: N(0, 1) features, timestamps in the last minute."""
    import numpy as np

    rng = np.random.default_rng(list(seed))
    now_us = int(datetime.now(UTC).timestamp() * 1_000_000)
    return {
        "timestamp_us": now_us - rng.integers(1_000_000, 60_000_000, rows),
        "features": {name: rng.standard_normal(rows) for name in FEATURES},
        "prediction": rng.random(rows),
        "confidence": rng.uniform(0.5, 1.0, rows),
        "latency_ms": rng.gamma(2.0, 6.0, rows),
    }


def json_body(rows: int, seed: Sequence[int], prefix: str) -> bytes:
    """A JSON list of ``rows`` prediction records."""
    cols = _batch_columns(rows, seed)
    stamps = [
        datetime.fromtimestamp(us / 1_000_000, UTC).isoformat()
        for us in cols["timestamp_us"].tolist()
    ]
    features = {name: values.tolist() for name, values in cols["features"].items()}
    prediction = cols["prediction"].tolist()
    confidence = cols["confidence"].tolist()
    latency = cols["latency_ms"].tolist()
    records = [
        {
            "id": f"{prefix}-{i}",
            "timestamp": stamps[i],
            "version": "v1",
            "features": {name: features[name][i] for name in FEATURES},
            "prediction": prediction[i],
            "confidence": confidence[i],
            "latency_ms": latency[i],
        }
        for i in range(rows)
    ]
    return json.dumps(records).encode()


def arrow_body(rows: int, seed: Sequence[int], prefix: str) -> bytes:
    """An Arrow IPC stream of ``rows`` predictions in flat columns."""
    import pyarrow as pa

    cols = _batch_columns(rows, seed)
    table = pa.table(
        {
            "id": pa.array([f"{prefix}-{i}" for i in range(rows)], pa.string()),
            "timestamp": pa.array(cols["timestamp_us"], pa.timestamp("us", tz="UTC")),
            "version": pa.array(["v1"] * rows, pa.string()),
            **cols["features"],
            "prediction": cols["prediction"],
            "confidence": cols["confidence"],
            "latency_ms": cols["latency_ms"],
        }
    )
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def make_body(spec: ClientSpec, seed: Sequence[int], prefix: str) -> bytes:
    """One request body for ``spec``."""
    build = json_body if spec.kind == "json" else arrow_body
    return build(spec.batch, seed, prefix)


def reference_parquet() -> bytes:
    """The model's reference: 50,000 rows of the 20 features, N(0, 1), as Parquet."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng([SEED, 0])
    table = pa.table({name: rng.standard_normal(REFERENCE_ROWS) for name in FEATURES})
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def model_body() -> Json:
    """The registration request."""
    return {
        "name": MODEL,
        "schema": {
            "features": [{"name": n, "kind": "numeric"} for n in FEATURES],
            "prediction_kind": "numeric",
        },
        "window_seconds": 3600,
    }


# --------------------------------------------------------------------------- the server


def _smokejumper_command() -> list[str]:
    script = Path(sys.executable).with_name("smokejumper")
    return [str(script)] if script.exists() else [sys.executable, "-m", "smokejumper"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _proc_status(pid: int, key: str) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return float(line.split()[1])
    except OSError:
        return None
    return None


def _folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _descendants(pid: int) -> list[int]:
    """``pid`` and every live process below it (worker processes of ``serve --workers``)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        at = todo.pop()
        out.append(at)
        todo.extend(children.get(at, []))
    return out


class Server:
    """A ``smokejumper serve`` subprocess on a fresh home folder.

    With ``workers`` > 1 it is uvicorn's supervisor and that many worker processes; CPU time,
    memory and threads are then summed over all of them.
    """

    def __init__(self, home: Path, workers: int = 1) -> None:
        self.home = home
        self.workers = workers
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "SMOKEJUMPER_HOME": str(home),
            "SMOKEJUMPER_EVALUATE_EVERY": "0",
            "PYTHONWARNINGS": "ignore",
        }
        self.token = ""
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = home / "serve.log"

    @property
    def pid(self) -> int:
        """The server's process id."""
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = 60.0) -> None:
        """Create the admin token with the CLI, start serving and wait for ``/healthz``."""
        import httpx

        created = subprocess.run(
            [*_smokejumper_command(), "token", "create", "--scope", "admin", "--name", "bench"],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        self.token = created.stdout.strip().splitlines()[-1]
        command = [
            *_smokejumper_command(),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            *(["--workers", str(self.workers)] if self.workers > 1 else []),
        ]
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(command, env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    if self.workers > 1:
                        time.sleep(5)  # one worker answered; the others start alongside it
                    return
            time.sleep(0.1)
        raise RuntimeError(f"the server did not answer /healthz within {timeout:.0f} s")

    def log_tail(self) -> str:
        """The last lines the server wrote."""
        with contextlib.suppress(OSError):
            return " | ".join(self.log_path.read_text().strip().splitlines()[-5:])
        return "(no log)"

    def alive(self) -> bool:
        """Whether the server process still runs."""
        return self.proc is not None and self.proc.poll() is None

    def cpu_by_process(self) -> dict[int, float]:
        """User + system CPU seconds of each of the server's processes, all threads."""
        out = {}
        for pid in _descendants(self.pid):
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                out[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return out

    def cpu_seconds(self) -> float:
        """User + system CPU seconds of the server's processes, all threads."""
        return sum(self.cpu_by_process().values())

    def _status_sum(self, key: str) -> float | None:
        values = [_proc_status(pid, key) for pid in _descendants(self.pid)]
        found = [v for v in values if v is not None]
        return sum(found) if found else None

    def rss_mib(self) -> float | None:
        """Resident memory now (``VmRSS``, summed over the server's processes), MiB."""
        kib = self._status_sum("VmRSS")
        return None if kib is None else kib / 1024

    def hwm_mib(self) -> float | None:
        """Peak resident memory (``VmHWM``, summed over the server's processes), MiB."""
        kib = self._status_sum("VmHWM")
        return None if kib is None else kib / 1024

    def threads(self) -> int | None:
        """Threads of the server's processes."""
        count = self._status_sum("Threads")
        return None if count is None else int(count)

    def stop(self) -> None:
        """Interrupt the server (as Ctrl-C would) and wait for it."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def setup_model(self) -> None:
        """Register the benchmark model and set its reference."""
        import httpx

        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.url, headers=headers, timeout=120) as client:
            made = client.post("/api/v1/models", json=model_body())
            if made.status_code != 201:
                raise RuntimeError(f"model registration failed: {made.status_code} {made.text}")
            ref = client.put(f"/api/v1/models/{MODEL}/reference", content=reference_parquet())
            if ref.status_code != 200:
                raise RuntimeError(f"setting the reference failed: {ref.status_code} {ref.text}")


# --------------------------------------------------------------------------- client processes


def client_main(
    url: str,
    token: str,
    spec: ClientSpec,
    index: int,
    run_id: str,
    duration: float,
    barrier: Any,
    results: Any,
) -> None:
    """One client process: build bodies, warm up, wait at the barrier, post for ``duration``."""
    import httpx

    out: Json = {"index": index, "kind": spec.kind, "batch": spec.batch}
    try:
        start = time.perf_counter()
        bodies = [
            make_body(spec, (SEED, index, k, spec.batch), f"{run_id}-c{index}-b{k}")
            for k in range(BODIES_PER_CLIENT)
        ]
        out["build_s"] = time.perf_counter() - start
        out["body_bytes"] = statistics.mean(len(b) for b in bodies)
        content_type = "application/json" if spec.kind == "json" else ARROW_TYPE
        path = f"/api/v1/models/{MODEL}/predictions"
        headers = {"Authorization": f"Bearer {token}", "Content-Type": content_type}
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        with httpx.Client(base_url=url, headers=headers, timeout=300, limits=limits) as client:
            warm = client.post(
                path, content=bodies[0], headers={"Idempotency-Key": uuid.uuid4().hex}
            )
            if warm.status_code != 201:
                raise RuntimeError(f"warm-up answered {warm.status_code}: {warm.text[:200]}")
            barrier.wait(timeout=600)
            rows = requests = errors = duplicates = sent = 0
            latencies: list[float] = []
            first_error = None
            cpu0, t0 = time.process_time(), time.perf_counter()
            while time.perf_counter() - t0 < duration:
                body = bodies[requests % len(bodies)]
                key = f"{run_id}-{index}-{requests}"
                sent_at = time.perf_counter()
                answer = client.post(path, content=body, headers={"Idempotency-Key": key})
                latencies.append(time.perf_counter() - sent_at)
                requests += 1
                sent += len(body)
                if answer.status_code == 201 and answer.json().get("duplicate"):
                    duplicates += 1  # not new data: the key was seen before
                elif answer.status_code == 201:
                    rows += int(answer.json()["rows"])
                else:
                    errors += 1
                    first_error = first_error or f"{answer.status_code}: {answer.text[:200]}"
            out.update(
                elapsed=time.perf_counter() - t0,
                cpu_s=time.process_time() - cpu0,
                rows=rows,
                requests=requests,
                errors=errors,
                duplicates=duplicates,
                first_error=first_error,
                bytes_sent=sent,
                latencies=latencies,
            )
    except Exception as err:  # reported to the parent, which records it in the table
        out["error"] = f"{type(err).__name__}: {err}"
        with contextlib.suppress(Exception):
            barrier.abort()
    results.put(out)


@dataclass
class Scenario:
    """A named set of concurrent clients run for a fixed time."""

    name: str
    group: str  # "main", "sweep", "sustain" or "profile"
    clients: tuple[ClientSpec, ...]
    duration: float
    round: int = 1

    @property
    def kinds(self) -> str:
        """The formats sent, e.g. ``json`` or ``json+arrow``."""
        return "+".join(sorted({c.kind for c in self.clients}, key=["json", "arrow"].index))


@dataclass
class ScenarioResult:
    """Measurements of one scenario."""

    scenario: Scenario
    clients: list[Json] = field(default_factory=list)
    wall_s: float = 0.0
    server_cpu_s: float = 0.0
    rss_samples: list[tuple[float, float]] = field(default_factory=list)  # (seconds, MiB)
    other_cpu_s: float | None = None  # CPU time of processes outside the benchmark meanwhile
    steal_s: float | None = None  # time the hypervisor gave the machine's CPUs to others
    probe_ms: float | None = None  # a fixed Python loop timed just before the scenario
    busiest_s: list[float] = field(default_factory=list)  # CPU s of the busiest processes
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether every client finished without an exception."""
        return self.error is None and all("error" not in c for c in self.clients)

    def total(self, key: str, kind: str | None = None) -> int:
        """Sum of a client counter, over all clients or those of one format."""
        return sum(int(c.get(key, 0)) for c in self.clients if kind in (None, c["kind"]))

    def rate(self, kind: str | None = None) -> float:
        """Rows acknowledged per second."""
        return self.total("rows", kind) / self.wall_s if self.wall_s else 0.0

    def latencies_ms(self) -> list[float]:
        """Every request's latency, milliseconds."""
        return sorted(x * 1000 for c in self.clients for x in c.get("latencies", []))


def _quantile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    return values[min(len(values) - 1, int(q * len(values)))]


def _cpu_line() -> list[int] | None:
    try:
        return [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None


def _busy_seconds() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (``/proc/stat``), if known."""
    line = _cpu_line()
    if line is None:
        return None
    user, nice, system, _idle, _iowait, irq, softirq = line[:7]
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def _steal_seconds() -> float | None:
    """CPU seconds stolen by the hypervisor since boot (``/proc/stat``), if known."""
    line = _cpu_line()
    return None if line is None or len(line) < 8 else line[7] / os.sysconf("SC_CLK_TCK")


def speed_probe() -> float:
    """Milliseconds for a fixed pure-Python loop (best of 5): how fast the machine is now."""
    best = math.inf
    for _ in range(5):
        start = time.perf_counter()
        sum(i * i for i in range(200_000))
        best = min(best, time.perf_counter() - start)
    return best * 1000


def _own_cpu() -> float:
    """CPU seconds of this (parent) process."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_scenario(
    server: Server, scenario: Scenario, sample_every: float, run_id: str
) -> ScenarioResult:
    """Start the clients, release them together, sample the server until they are done."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(scenario.clients) + 1)
    results: Any = ctx.Queue()
    procs = [
        ctx.Process(
            target=client_main,
            args=(
                server.url,
                server.token,
                spec,
                i,
                f"{run_id}-{scenario.name}-r{scenario.round}",  # keys unique per scenario
                scenario.duration,
                barrier,
                results,
            ),
            daemon=True,
        )
        for i, spec in enumerate(scenario.clients)
    ]
    out = ScenarioResult(scenario, probe_ms=speed_probe())
    for proc in procs:
        proc.start()
    try:
        barrier.wait(timeout=600)
    except threading.BrokenBarrierError:
        out.error = "a client failed before the start"
    t0, by_process = time.perf_counter(), server.cpu_by_process()
    cpu0 = sum(by_process.values())
    busy0, own0, steal0 = _busy_seconds(), _own_cpu(), _steal_seconds()
    next_sample = 0.0
    limit = scenario.duration + 900
    while len(out.clients) < len(procs):
        now = time.perf_counter() - t0
        if now >= next_sample:
            rss = server.rss_mib()
            if rss is not None:
                out.rss_samples.append((now, rss))
            next_sample += sample_every
        with contextlib.suppress(queue.Empty):
            out.clients.append(results.get(timeout=max(0.01, next_sample - now)))
        if now > limit or not server.alive():
            out.error = "server died" if not server.alive() else "clients did not finish"
            break
    if server.alive():
        after = server.cpu_by_process()
        out.server_cpu_s = sum(after.values()) - cpu0
        spent = [after[pid] - by_process.get(pid, 0.0) for pid in after]
        out.busiest_s = sorted(spent, reverse=True)[: max(server.workers, 1)]
        busy = _busy_seconds()
        if busy is not None and busy0 is not None:
            clients = sum(c.get("cpu_s", 0.0) for c in out.clients)
            ours = out.server_cpu_s + clients + _own_cpu() - own0
            out.other_cpu_s = max(busy - busy0 - ours, 0.0)
        steal = _steal_seconds()
        if steal is not None and steal0 is not None:
            out.steal_s = steal - steal0
        rss = server.rss_mib()
        if rss is not None:
            out.rss_samples.append((time.perf_counter() - t0, rss))
    for proc in procs:
        proc.join(timeout=30)
        if proc.is_alive():
            proc.kill()
    out.wall_s = max((c.get("elapsed", 0.0) for c in out.clients), default=0.0)
    errors = [c["error"] for c in out.clients if "error" in c]
    if errors and out.error is None:
        out.error = errors[0]
    return out


# --------------------------------------------------------------------------- stage breakdown


class _Clock:
    """Accumulates wall seconds per stage name (from any thread)."""

    def __init__(self) -> None:
        self.stages: Counter[str] = Counter()
        self._lock = threading.Lock()

    def time(self, stage: str, call: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        try:
            return call()
        finally:
            spent = time.perf_counter() - start
            with self._lock:
                self.stages[stage] += spent

    def wrap(self, stage: str, func: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            return self.time(stage, lambda: func(*args, **kwargs))

        return timed


STAGES_JSON = ("JSON: parse (the route's _records)", "JSON: records -> Arrow (records_to_table)")
STAGES_ARROW = ("Arrow: read IPC stream", "Arrow: validate + cast (arrow_to_table)")
STAGES_COMMON = (
    "auth: token lookup",
    "model + schema + reference lookup (cached profile)",
    "ingest: duplicate-key query",
    "ingest: window profiles (window_parts)",
    "ingest: serialize window profiles (serialize.dumps)",
    "ingest: wait for the raw-log file (written meanwhile)",
    "ingest: insert rows",
    "ingest: commit",
    "ingest: rest",
)
STAGES_APART = (
    "  raw-log write on the helper thread (overlaps the stages above)",
    "  of which Parquet encode (zstd, in memory)",
    "  of which file write + fsync file + fsync folder",
)


def _breakdown_batch(
    kind: str, body: bytes, sessions: Any, engine: Any, raw_log: Any, token: str, clock: _Clock
) -> Any:
    """One batch through the route's steps, each timed (what ``store()`` does, unrolled)."""
    from sqlalchemy import select

    from smokejumper.monitoring import ingest as ingest_module
    from smokejumper.monitoring.batch import arrow_to_table, records_to_table
    from smokejumper.server.body import arrow_stream
    from smokejumper.store.tables import ApiToken
    from smokejumper.store.tokens import digest

    now = datetime.now(UTC)
    query = select(ApiToken.scope).where(
        ApiToken.token_hash == digest(token), ApiToken.revoked_at.is_(None)
    )

    def auth() -> Any:  # what the route's auth dependency runs
        with engine.connect() as connection:
            return connection.execute(query).scalar()

    clock.time(STAGES_COMMON[0], auth)
    with sessions() as db:
        model, schema, reference = clock.time(
            STAGES_COMMON[1], lambda: _REFERENCES.model(db, MODEL)
        )
        if kind == "json":
            records, _ = clock.time(STAGES_JSON[0], lambda: _route_parse(body))
            table = clock.time(STAGES_JSON[1], lambda: records_to_table(records, schema, now))
        else:
            raw = clock.time(STAGES_ARROW[0], lambda: arrow_stream(body))
            table = clock.time(STAGES_ARROW[1], lambda: arrow_to_table(raw, schema, now))
        # Time the parts of ingest() by wrapping what it calls; restored right after.
        real_parts, real_serialize = ingest_module.window_parts, ingest_module.serialize
        real_stored = ingest_module._stored_batch
        ingest_module.window_parts = clock.wrap(STAGES_COMMON[3], real_parts)  # type: ignore[assignment]
        ingest_module.serialize = _TimedSerialize(clock, real_serialize)  # type: ignore[assignment]
        ingest_module._stored_batch = clock.wrap(STAGES_COMMON[2], real_stored)  # type: ignore[assignment]
        db.commit = clock.wrap(STAGES_COMMON[7], db.commit)  # type: ignore[method-assign]
        timed_log = _timed_raw_log(raw_log.root, clock)
        inner = STAGES_COMMON[2:5]
        before = sum(clock.stages[s] for s in inner)
        try:
            start = time.perf_counter()
            pending = ingest_module.begin(
                db, timed_log, model, schema, reference, table, uuid.uuid4().hex
            )
            begun = time.perf_counter() - start
        finally:
            ingest_module.window_parts, ingest_module.serialize = real_parts, real_serialize
            ingest_module._stored_batch = real_stored
        clock.stages[STAGES_COMMON[8]] += begun - (sum(clock.stages[s] for s in inner) - before)
        assert isinstance(pending, ingest_module.PendingBatch)
        clock.time(STAGES_COMMON[5], pending.written.result)
        commit_before = clock.stages[STAGES_COMMON[7]]
        start = time.perf_counter()
        pending.finish(db)
        finished = time.perf_counter() - start
        clock.stages[STAGES_COMMON[6]] += finished - (
            clock.stages[STAGES_COMMON[7]] - commit_before
        )
    return table


#: The route's cache of parsed schemas and references (the breakdown's own instance).
_REFERENCES: Any = None


def _route_parse(body: bytes) -> tuple[list[Any], str | None]:
    """The JSON route's own body parser (whichever JSON library it uses)."""
    from smokejumper.server.routes import ingest as route

    parsed: tuple[list[Any], str | None] = route._records(body)
    return parsed


class _TimedSerialize:
    def __init__(self, clock: _Clock, real: Any) -> None:
        self.dumps = clock.wrap(STAGES_COMMON[4], real.dumps)
        self.loads = real.loads


def _timed_raw_log(root: Path, clock: _Clock) -> Any:
    """A ``RawLog`` whose ``write`` (on the helper thread) is timed apart."""
    from smokejumper.store.rawlog import RawLog

    log = RawLog(root)
    log.write = clock.wrap(STAGES_APART[0], log.write)  # type: ignore[method-assign]
    return log


def _raw_write_apart(table: Any, folder: Path, clock: _Clock) -> None:
    """The raw-log write split in two: Parquet encoding, and putting the bytes on disk."""
    from smokejumper.store.rawlog import encode

    data = clock.time(STAGES_APART[1], lambda: encode(table))
    folder.mkdir(parents=True, exist_ok=True)

    def put() -> None:
        target = folder / f"{uuid.uuid4().hex}.parquet"
        with open(target, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        target.unlink()

    clock.time(STAGES_APART[2], put)


def run_breakdown_worker(home: Path, reps: int) -> Json:
    """In a fresh child: the ingest path without HTTP, per stage, median ms per batch."""
    import pyarrow.parquet as pq

    from smokejumper.monitoring.schema import ModelSchema
    from smokejumper.server.references import ReferenceCache
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
    raw_log = RawLog(home / "raw")
    global _REFERENCES
    _REFERENCES = ReferenceCache()
    out: Json = {}
    for kind, batch in (("json", JSON_BATCH), ("arrow", ARROW_BATCH)):
        spec = ClientSpec(kind, batch)
        bodies = [make_body(spec, (SEED, 99, k, batch), f"bd-{k}") for k in range(4)]
        per_batch: list[Counter[str]] = []
        cpu: list[float] = []
        wall: list[float] = []
        for rep in range(reps + 2):  # the first two warm up lazy imports and caches
            clock = _Clock()
            cpu0, t0 = time.process_time(), time.perf_counter()
            stored = _breakdown_batch(
                kind, bodies[rep % len(bodies)], sessions, engine, raw_log, token, clock
            )
            batch_wall, batch_cpu = time.perf_counter() - t0, time.process_time() - cpu0
            _raw_write_apart(stored, raw_log.root / "apart", clock)
            if rep >= 2:
                wall.append(batch_wall)
                cpu.append(batch_cpu)
                per_batch.append(clock.stages)
        names = [*STAGES_COMMON[:2], *(STAGES_JSON if kind == "json" else STAGES_ARROW)]
        names += [*STAGES_COMMON[2:], *STAGES_APART]
        table = _stored_table(kind, bodies[0], schema)
        out[kind] = {
            "batch": batch,
            "body_bytes": statistics.mean(len(b) for b in bodies),
            "stages_ms": {s: statistics.median(c[s] for c in per_batch) * 1000 for s in names},
            "wall_ms": statistics.median(wall) * 1000,
            "cpu_ms": statistics.median(cpu) * 1000,
            "reps": reps,
            "top": _cprofile_top(kind, bodies, sessions, engine, raw_log, token, max(reps // 2, 3)),
            "encoding": _encoding_options(table),
            "blob": _blob_options(table, schema, reference),
        }
    engine.dispose()
    return out


def _stored_table(kind: str, body: bytes, schema: Any) -> Any:
    """A body as the table the server stores."""
    from smokejumper.monitoring.batch import arrow_to_table, records_to_table
    from smokejumper.server.body import arrow_stream

    now = datetime.now(UTC)
    if kind == "json":
        return records_to_table(_route_parse(body)[0], schema, now)
    return arrow_to_table(arrow_stream(body), schema, now)


def _median_ms(call: Callable[[], Any], repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


#: Parquet writer options tried on one stored batch; the first is what the raw log uses
#: (``smokejumper.store.rawlog.encode``: dictionary on string columns other than ``id``,
#: which for this model is ``version`` alone).
ENCODINGS: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "zstd, dictionary on `version` only (the raw log)",
        {"compression": "zstd", "use_dictionary": ["version"]},
    ),
    ("zstd, dictionary on every column (the raw log before)", {"compression": "zstd"}),
    ("lz4, dictionary on `version` only", {"compression": "lz4", "use_dictionary": ["version"]}),
    (
        "no compression, dictionary on `version` only",
        {"compression": "none", "use_dictionary": ["version"]},
    ),
)


def _encoding_options(table: Any) -> list[Json]:
    """Encoding time and size of one batch under a few Parquet writer options."""
    import pyarrow.parquet as pq

    from smokejumper.store.rawlog import dictionary_columns

    assert dictionary_columns(table.schema) == ENCODINGS[0][1]["use_dictionary"]
    out = []
    for label, options in ENCODINGS:
        sink = io.BytesIO()
        pq.write_table(table, sink, **options)
        size = sink.tell()
        ms = _median_ms(lambda o=options: pq.write_table(table, io.BytesIO(), **o))
        out.append({"option": label, "ms": ms, "bytes": size})
    return out


def _blob_options(table: Any, schema: Any, reference: Any) -> Json:
    """Cost of serialising one window profile, and of its compression (zstd now, zlib before)."""
    import zlib

    import pyarrow as pa

    from smokejumper.monitoring.ingest import window_parts
    from smokejumper.stats import serialize

    part = window_parts(table, schema, reference, 3600)[0].profile
    blob = serialize.dumps([part])
    payload = serialize._payload(memoryview(blob)[len(serialize.MAGIC) :])
    zstd = pa.Codec("zstd", 1)
    return {
        "dumps_ms": _median_ms(lambda: serialize.dumps([part])),
        "loads_ms": _median_ms(lambda: serialize.loads(blob)),
        "blob_bytes": len(blob),
        "payload_bytes": len(payload),
        "zstd1_ms": _median_ms(lambda: zstd.compress(payload)),
        "zlib6_ms": _median_ms(lambda: zlib.compress(payload, 6)),
        "zlib6_bytes": len(zlib.compress(payload, 6)),
        "zlib1_ms": _median_ms(lambda: zlib.compress(payload, 1)),
        "zlib1_bytes": len(zlib.compress(payload, 1)),
        "window_parts_ms": _median_ms(lambda: window_parts(table, schema, reference, 3600)),
        "profile_ms": _median_ms(
            lambda: _profile_only(table.select(list(reference.columns)), reference)
        ),
    }


def _profile_only(table: Any, reference: Any) -> Any:
    from smokejumper.stats.dataset import profile

    return profile(table, reference=reference)


def _cprofile_top(
    kind: str,
    bodies: Sequence[bytes],
    sessions: Any,
    engine: Any,
    raw_log: Any,
    token: str,
    batches: int,
) -> list[Json]:
    """cProfile over a few batches: the functions with the most own time, ms per batch."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for rep in range(batches):
        body = bodies[rep % len(bodies)]
        _breakdown_batch(kind, body, sessions, engine, raw_log, token, _Clock())
    profiler.disable()
    entries = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    ranked = sorted(entries.items(), key=lambda item: -item[1][2])
    out = []
    for (path, line, name), (_, calls, own, total, _) in ranked:
        if "ingest_throughput.py" in path:
            continue  # the benchmark's own timing wrappers
        out.append(
            {
                "function": _short_function(path, line, name),
                "calls": calls / batches,
                "own_ms": own * 1000 / batches,
                "total_ms": total * 1000 / batches,
            }
        )
        if len(out) == 15:
            break
    return out


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


def run_breakdown(reps: int, home_parent: Path | None, timeout: float = 1800) -> Json:
    """Run the breakdown in a fresh interpreter; its result, or ``{"error": ...}``."""
    home = Path(tempfile.mkdtemp(prefix="sj-ingest-breakdown-", dir=home_parent))
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", "breakdown"]
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


# --------------------------------------------------------------------------- py-spy


def _py_spy() -> str | None:
    local = Path(sys.executable).with_name("py-spy")
    return str(local) if local.exists() else shutil.which("py-spy")


def _lines_with(func: Callable[..., Any], needle: str) -> set[int]:
    lines, start = inspect.getsourcelines(func)
    return {start + i for i, text in enumerate(lines) if needle in text}


@dataclass(frozen=True)
class _Rule:
    category: str
    path: str  # suffix of the file, e.g. "store/rawlog.py"
    function: str
    lines: frozenset[int] | None = None  # only these lines of the function, if given


def _stage_rules() -> list[_Rule]:
    """How a sampled stack maps to an ingest stage: the innermost matching frame decides."""
    from smokejumper.monitoring import ingest as ingest_module
    from smokejumper.server.routes import ingest as route
    from smokejumper.store import rawlog

    fsync = _lines_with(rawlog.RawLog.write, "fsync")
    finish = ingest_module.PendingBatch.finish
    commit = _lines_with(finish, "session.commit()")
    wait = _lines_with(finish, "self.written.result()")
    gate = _lines_with(route.log_predictions, "app.ingest_gate")
    return [
        _Rule("raw log: fsync (file + folder)", "store/rawlog.py", "write", frozenset(fsync)),
        _Rule("raw log: fsync (file + folder)", "store/rawlog.py", "_fsync_dir"),
        _Rule("raw log: Parquet encode", "store/rawlog.py", "encode"),
        _Rule("raw log: file write", "store/rawlog.py", "write"),
        _Rule("ingest: commit", "monitoring/ingest.py", "finish", frozenset(commit)),
        _Rule(
            "ingest: wait for the raw-log file", "monitoring/ingest.py", "finish", frozenset(wait)
        ),
        _Rule("ingest: insert rows", "monitoring/ingest.py", "finish"),
        _Rule("ingest: duplicate-key query", "monitoring/ingest.py", "_stored_batch"),
        _Rule("ingest: serialize window profiles", "stats/serialize.py", "dumps"),
        _Rule("reference: deserialize (cache miss)", "stats/serialize.py", "loads"),
        _Rule("ingest: window profiles (window_parts)", "monitoring/ingest.py", "window_parts"),
        _Rule("ingest: rest", "monitoring/ingest.py", "begin"),
        _Rule(STAGES_JSON[1], "monitoring/batch.py", "records_to_table"),
        _Rule(STAGES_JSON[0], "routes/ingest.py", "_records"),
        _Rule("Arrow: read IPC stream", "server/body.py", "arrow_stream"),
        _Rule("Arrow: validate + cast", "monitoring/batch.py", "arrow_to_table"),
        _Rule(HTTP_CATEGORIES[1], "server/body.py", "read_body"),
        _Rule("auth: token lookup", "server/auth.py", "lookup"),
        _Rule("auth: token lookup", "server/auth.py", "check"),
        _Rule("model + schema + reference lookup", "server/references.py", "model"),
        _Rule("model + schema + reference lookup", "server/references.py", "schema"),
        _Rule("model + schema + reference lookup", "server/references.py", "_reference"),
        _Rule("route: waiting for the ingest gate", "routes/ingest.py", "store", frozenset(gate)),
        _Rule("route: rest of store()", "routes/ingest.py", "store"),
    ]


HTTP_CATEGORIES = (
    "HTTP server stack (uvicorn, h11, Starlette, FastAPI, asyncio, threads)",
    "HTTP: read request body",
)
_FRAME = re.compile(r"^(?P<function>.*) \((?P<path>.*):(?P<line>\d+)\)$")
_HTTP_PARTS = ("uvicorn", "h11", "starlette", "fastapi", "anyio", "asyncio", "concurrent")


def _categorise(stack: str, rules: Sequence[_Rule]) -> str:
    frames = [_FRAME.match(f.strip()) for f in stack.split(";")]
    for match in reversed(frames):
        if match is None:
            continue
        path = match["path"].replace("\\", "/")
        function = match["function"].rsplit(".", 1)[-1]  # py-spy shows Class.method
        for rule in rules:
            if (
                function == rule.function
                and path.endswith(rule.path)
                and (rule.lines is None or int(match["line"]) in rule.lines)
            ):
                return rule.category
    if any(m is not None and any(p in m["path"] for p in _HTTP_PARTS) for m in frames):
        return HTTP_CATEGORIES[0]
    return "other"


def profile_server(
    server: Server, scenario: Scenario, sample_every: float, run_id: str
) -> tuple[ScenarioResult, Json]:
    """Run ``scenario`` while py-spy samples the server; samples per ingest stage."""
    tool = _py_spy()
    assert tool is not None
    output = server.home / f"py-spy-{scenario.name}.txt"
    # py-spy starts sampling at once; the clients need a few seconds to build and warm up,
    # so it records for longer and the idle start does not count (idle threads are skipped).
    seconds = int(scenario.duration + 30)
    command = [tool, "record", "--pid", str(server.pid), "--duration", str(seconds)]
    if server.workers > 1:
        command.append("--subprocesses")
    command += ["--rate", "100", "--format", "raw", "--nonblocking", "--output", str(output)]
    spy = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    result = run_scenario(server, scenario, sample_every, run_id)
    with contextlib.suppress(ProcessLookupError):
        spy.send_signal(signal.SIGINT)  # stop early; py-spy writes what it has
    try:
        spy_out, _ = spy.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        spy.kill()
        spy_out, _ = spy.communicate()
    if not output.exists():
        return result, {"error": (spy_out or "py-spy wrote nothing").strip()[-300:]}
    rules = _stage_rules()
    counts: Counter[str] = Counter()
    for line in output.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            counts[_categorise(stack, rules)] += int(count)
    total = sum(counts.values())
    return result, {"samples": total, "shares": {k: v / total for k, v in counts.items()}}


# --------------------------------------------------------------------------- reporting


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_gib() -> str:
    kib = _proc_status_file("/proc/meminfo", "MemTotal")
    return "unknown" if kib is None else f"{kib / 1024**2:.1f} GiB"


def _proc_status_file(path: str, key: str) -> float | None:
    with contextlib.suppress(OSError):
        for line in Path(path).read_text().splitlines():
            if line.startswith(key + ":"):
                return float(line.split()[1])
    return None


def _filesystem(path: Path) -> str:
    """Device and type of the file system holding ``path``, from ``/proc/mounts``."""
    best = ("", "unknown", "unknown")
    with contextlib.suppress(OSError):
        for line in Path("/proc/mounts").read_text().splitlines():
            device, mount, kind = line.split()[:3]
            if str(path.resolve()).startswith(mount) and len(mount) > len(best[0]):
                best = (mount, device, kind)
    return f"{best[2]} on {best[1]} (mounted at {best[0] or '?'})"


def machine_lines(git_at_start: str, home: Path) -> list[str]:
    """Facts about the machine and software the numbers were taken on."""
    git_now = git_state()
    git = git_now if git_now == git_at_start else f"{git_at_start} at start, {git_now} at end"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    extras = [p for p in ("httptools", "uvloop", "orjson") if version(p) != "not installed"]
    return [
        f"- Machine: {cores} cores (nproc), {_cpu_model()}, {_memory_gib()} RAM, "
        f"{platform.system()} {platform.release()}",
        f"- Store and raw log on: {_filesystem(home)}",
        f"- Load average (1, 5, 15 min) when the report was written: {load}",
        f"- Python {platform.python_version()} ({sys.executable})",
        "- Packages: " + ", ".join(f"{p} {version(p)}" for p in PACKAGES),
        "- Optional speed-ups installed: "
        + (
            ", ".join(extras)
            or "none (uvicorn runs on h11 and asyncio; no httptools, uvloop or orjson)"
        ),
        f"- Smokejumper source: git {git}",
    ]


def _fmt(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


MAIN_HEADER = (
    "Scenario",
    "Round",
    "Format",
    "Clients",
    "Rows/request",
    "Body KiB",
    "Seconds",
    "Requests",
    "Rows acked",
    "Rows/s",
    "MiB/s in",
    "p50 ms",
    "p99 ms",
    "Errors",
    "Duplicates",
    "Server CPU (cores)",
    "Server CPU ms/request",
    "Busiest processes CPU s",
    "Client CPU s",
    "Other procs CPU s",
    "Steal s",
    "Probe ms",
    "Server RSS MiB (end)",
)


def main_rows(results: Sequence[ScenarioResult]) -> list[list[str]]:
    """One row per scenario."""
    rows = []
    for r in results:
        s = r.scenario
        batches = sorted({c.batch for c in s.clients})
        head = [s.name, str(s.round), s.kinds, str(len(s.clients))]
        head.append("/".join(f"{b:,}" for b in batches))
        if not r.ok:
            rows.append([*head, f"error: {r.error}"] + [""] * (len(MAIN_HEADER) - 6))
            continue
        requests = r.total("requests")
        lat = r.latencies_ms()
        body_kib = statistics.mean(c["body_bytes"] for c in r.clients) / 1024
        rows.append(
            [
                *head,
                _fmt(body_kib),
                _fmt(r.wall_s, 1),
                f"{requests:,}",
                f"{r.total('rows'):,}",
                _fmt(r.rate()),
                _fmt(r.total("bytes_sent") / 2**20 / r.wall_s if r.wall_s else None, 1),
                _fmt(_quantile(lat, 0.5), 0),
                _fmt(_quantile(lat, 0.99), 0),
                str(r.total("errors")),
                str(r.total("duplicates")),
                _fmt(r.server_cpu_s / r.wall_s if r.wall_s else None, 2),
                _fmt(r.server_cpu_s * 1000 / requests if requests else None, 0),
                " / ".join(_fmt(x, 1) for x in r.busiest_s) or "-",
                _fmt(sum(c.get("cpu_s", 0.0) for c in r.clients), 1),
                _fmt(r.other_cpu_s, 1),
                _fmt(r.steal_s, 1),
                _fmt(r.probe_ms, 1),
                _fmt(r.rss_samples[-1][1] if r.rss_samples else None, 0),
            ]
        )
    return rows


def _slope_mib_per_min(samples: Sequence[tuple[float, float]]) -> float | None:
    if len(samples) < 3:
        return None
    xs = [t / 60 for t, _ in samples]
    ys = [m for _, m in samples]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var if var else None


def sustain_warmup(duration: float) -> float:
    """Seconds of the sustained run left out of the slope: a quarter, at most 60."""
    return min(60.0, duration / 4)


@dataclass
class MemoryVerdict:
    """RSS during the sustained run."""

    first: float
    last: float
    peak: float
    slope_all: float | None
    slope_after: float | None
    warmup_s: float
    samples: int


def memory_verdict(result: ScenarioResult) -> MemoryVerdict | None:
    """First/last/max RSS and the slopes, for the sustained run."""
    samples = result.rss_samples
    if not samples:
        return None
    warmup = sustain_warmup(result.scenario.duration)
    return MemoryVerdict(
        first=samples[0][1],
        last=samples[-1][1],
        peak=max(m for _, m in samples),
        slope_all=_slope_mib_per_min(samples),
        slope_after=_slope_mib_per_min([s for s in samples if s[0] >= warmup]),
        warmup_s=warmup,
        samples=len(samples),
    )


def sustain_rows(result: ScenarioResult) -> list[list[str]]:
    """RSS over the sustained run, one row per tenth of the run (and the end)."""
    samples = result.rss_samples
    if not samples:
        return []
    step = max(result.scenario.duration / 10, 1.0)
    rows, next_at = [], 0.0
    for t, mib in samples:
        if t >= next_at or (t, mib) == samples[-1]:
            rows.append([_fmt(t, 0), _fmt(mib, 1)])
            next_at = t + step
    return rows


@dataclass(frozen=True)
class Target:
    """One goal from the issue, and whether this run met it."""

    text: str
    met: bool | None
    evidence: str


def _best(
    results: Sequence[ScenarioResult], kind: str, batch: int
) -> tuple[str, list[float]] | None:
    """The main scenario of this format with the highest median rate over its rounds."""
    rates: dict[str, list[float]] = {}
    for r in results:
        if (
            r.ok
            and r.scenario.group == "main"
            and r.scenario.kinds == kind
            and all(c.batch == batch for c in r.scenario.clients)
        ):
            rates.setdefault(r.scenario.name, []).append(r.rate())
    if not rates:
        return None
    name = max(rates, key=lambda n: statistics.median(rates[n]))
    return name, rates[name]


def check_targets(
    results: Sequence[ScenarioResult], sustain: ScenarioResult | None
) -> list[Target]:
    """JSON and Arrow rates (best of 1 and 4 clients at the stated batch size), flat memory."""
    out = []
    for kind, batch, goal in (
        ("json", JSON_BATCH, JSON_TARGET),
        ("arrow", ARROW_BATCH, ARROW_TARGET),
    ):
        best = _best(results, kind, batch)
        text = f">= {goal:,} predictions/s with {'JSON' if kind == 'json' else 'Arrow'}"
        if best is None:
            out.append(Target(text, None, "no successful run"))
            continue
        name, rates = best
        rate = statistics.median(rates)
        each = ", ".join(f"{x:,.0f}" for x in rates)
        evidence = (
            f"{rate:,.0f}/s with {name}, the better of 1 and 4 clients (median of {len(rates)} "
            f"round(s): {each}); {rate / goal:.0%} of the target"
        )
        out.append(Target(text, rate >= goal, evidence))
    text = f"Server memory flat (RSS growth < {FLAT_MIB_PER_MIN:g} MiB/min after warm-up)"
    verdict = memory_verdict(sustain) if sustain is not None and sustain.ok else None
    if verdict is None or verdict.slope_after is None:
        out.append(Target(text, None, "no sustained run"))
    elif sustain is not None and sustain.scenario.duration < MIN_SUSTAIN_S:
        out.append(
            Target(
                text,
                None,
                f"a {sustain.scenario.duration:.0f} s run is too short to judge "
                f"(needs {MIN_SUSTAIN_S:.0f} s or more); {verdict.slope_after:+.2f} MiB/min",
            )
        )
    else:
        out.append(
            Target(
                text,
                verdict.slope_after < FLAT_MIB_PER_MIN,
                f"{verdict.slope_after:+.2f} MiB/min after the first {verdict.warmup_s:.0f} s "
                f"of a {sustain.scenario.duration:.0f} s run"  # type: ignore[union-attr]
                f" ({verdict.first:.0f} -> {verdict.last:.0f} MiB, max {verdict.peak:.0f})",
            )
        )
    return out


def _target_lines(targets: Sequence[Target]) -> list[str]:
    label = {True: "MET", False: "NOT MET", None: "not measured"}
    return [f"- {t.text}: **{label[t.met]}** ({t.evidence})" for t in targets]


BREAKDOWN_HEADER = ("Stage", "JSON ms/batch", "JSON share", "Arrow ms/batch", "Arrow share")


def breakdown_rows(breakdown: Json) -> list[list[str]]:
    """Median ms per stage and its share of the batch's wall time, JSON next to Arrow."""
    if "error" in breakdown:
        return [[f"error: {breakdown['error']}", "", "", "", ""]]
    names: list[str] = []
    for kind in ("json", "arrow"):
        names += [n for n in breakdown[kind]["stages_ms"] if n not in names]
    rows = []
    for name in names:
        cells = [name]
        for kind in ("json", "arrow"):
            ms = breakdown[kind]["stages_ms"].get(name)
            share = (
                ms / breakdown[kind]["wall_ms"]
                if ms is not None and not name.startswith(" ")
                else None
            )
            cells += [_fmt(ms, 1), "" if share is None else f"{share:.0%}"]
        rows.append(cells)
    totals = ["sum of stages (median batch wall time)"]
    cpu = ["CPU ms per batch (all threads)"]
    rate = ["rows/s if one core did only this"]
    for kind in ("json", "arrow"):
        b = breakdown[kind]
        totals += [_fmt(b["wall_ms"], 1), "100%"]
        cpu += [_fmt(b["cpu_ms"], 1), ""]
        rate += [_fmt(b["batch"] / b["wall_ms"] * 1000), ""]
    return [*rows, totals, cpu, rate]


def spy_rows(spies: dict[str, Json]) -> list[list[str]]:
    """Share of the server's active samples per stage, one column per profiled run."""
    names = sorted(
        {n for s in spies.values() for n in s.get("shares", {})},
        key=lambda n: -max(s.get("shares", {}).get(n, 0.0) for s in spies.values()),
    )
    rows = [[n] + [f"{s.get('shares', {}).get(n, 0.0):.1%}" for s in spies.values()] for n in names]
    rows.append(["samples"] + [f"{s.get('samples', 0):,}" for s in spies.values()])
    return rows


@dataclass
class Report:
    """Everything one run produced."""

    results: list[ScenarioResult]
    sustain: ScenarioResult | None
    breakdown: Json
    spies: dict[str, Json]
    spy_note: str
    disk: Json
    server_notes: list[str]
    command: str
    git_at_start: str
    home_parent: Path
    workers: int = 1


def _http_overhead_lines(report: Report) -> list[str]:
    """Server CPU per request in the live runs next to the in-process CPU per batch."""
    if "error" in report.breakdown:
        return []
    out = []
    for kind, batch in (("json", JSON_BATCH), ("arrow", ARROW_BATCH)):
        live = [
            r.server_cpu_s * 1000 / r.total("requests")
            for r in report.results
            if r.ok
            and r.total("requests")
            and r.scenario.group == "main"
            and r.scenario.kinds == kind
            and len(r.scenario.clients) == 1
            and r.scenario.clients[0].batch == batch
        ]
        if not live:
            continue
        server_ms = statistics.fmean(live)
        inproc = report.breakdown[kind]["cpu_ms"]
        spy = report.spies.get(f"{kind}-4 (% of samples)", {}).get("shares", {})
        http = sum(spy.get(c, 0.0) for c in HTTP_CATEGORIES)
        spy_text = f"; py-spy puts {http:.0%} of the live server's samples there" if spy else ""
        out.append(
            f"- {kind.upper()} ({batch:,} rows): the live server used {server_ms:,.0f} ms of CPU "
            f"per request with 1 client; the in-process replay {inproc:,.0f} ms of CPU per "
            f"batch. The difference ({server_ms - inproc:+,.0f} ms, within the noise of two "
            "separate measurements) is what HTTP parsing, FastAPI and the two thread hops (the "
            f"token lookup, then the route) add{spy_text}."
        )
    return out


def render_markdown(report: Report) -> str:
    """The results document."""
    main = [r for r in report.results if r.scenario.group in ("main", "sweep", "single")]
    parts = [
        "# Ingest throughput: `smokejumper serve`, JSON and Arrow",
        "",
        f"- Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        *machine_lines(report.git_at_start, report.home_parent),
        f"- Command: `{report.command}`",
        "",
        f"{_server_words(report.workers)}, SQLite store in a fresh "
        "`SMOKEJUMPER_HOME`, `SMOKEJUMPER_EVALUATE_EVERY=0`), one model with 20 numeric features "
        f"and a reference ({REFERENCE_ROWS:,} rows), so each batch is profiled per window on "
        "ingest. Clients are separate processes, one keep-alive `httpx.Client` each; every "
        f"client builds {BODIES_PER_CLIENT} request bodies before the timed loop and sends them in "
        "turn (each with its own `Idempotency-Key`; record ids repeat across turns, which the "
        "server does not check), so the client's own cost is small: see *Client CPU s*. "
        "*Rows/s*: new predictions acknowledged with 201 per second of wall time, from the "
        "moment all clients start together to the last answer; *Duplicates* counts answers "
        "with `duplicate: true` (an Idempotency-Key seen before), which are not counted as "
        "rows and should be 0. *Server CPU (cores)*: user + system time of "
        "the server's processes (all threads) over the wall time; *Busiest processes CPU s*: "
        "the same, of the busiest processes (as many as there are workers), which shows how "
        "evenly the clients' connections were spread; *ms/request* is the same per "
        f"request. The four main scenarios run in {_rounds(report)} round(s), one after "
        "the other; the targets use the median over rounds. *Other procs CPU s*: CPU time used "
        "meanwhile by processes other than the server, its clients and this script (from "
        "`/proc/stat`): well above zero means other work competed for the cores. *Steal s*: "
        "CPU time the hypervisor gave to other guests meanwhile. *Probe ms*: a fixed Python "
        "loop timed just before the scenario (best of 5); a higher number means a slower "
        "machine at that moment, and the server's CPU per request moves with it. Clients and "
        "server share the machine's cores. The server keeps running across scenarios, so "
        "later scenarios see a larger store (as a real server would).",
        "",
        "## Throughput",
        "",
        md_table(MAIN_HEADER, main_rows(main)),
        "",
        f"Batch-size rows (*sweep*) run with one client for {_sweep_seconds(report):g} s each."
        + _single_words(report),
        "",
        "## Targets",
        "",
        *_target_lines(check_targets(report.results, report.sustain)),
        "",
        *_sustain_section(report),
        "## Where the time goes",
        "",
        "In-process replay of the server's ingest route on the same bodies, stage by stage (a "
        "fresh child process, its own SQLite store on the same disk, no HTTP): median "
        f"milliseconds per batch over {report.breakdown.get('json', {}).get('reps', '?')} "
        "batches after two warm-up batches. The real functions run; stages inside "
        "`ingest.begin()` and `PendingBatch.finish()` are timed by wrapping what they call. The "
        "indented rows are not part of the sum: the first is the raw-log write as it ran on its "
        "helper thread, overlapping the profiling (what the batch still had to wait for shows "
        "as *wait for the raw-log file*); the other two are measured apart (the same table "
        "encoded to memory, then the same bytes written and fsynced).",
        "",
        md_table(BREAKDOWN_HEADER, breakdown_rows(report.breakdown)),
        "",
        *_http_overhead_lines(report),
        "",
        *_options_section(report.breakdown),
        *_spy_section(report),
        "## Disk",
        "",
        *_disk_lines(report.disk),
        "",
        "## Notes",
        "",
        *report.server_notes,
        "",
    ]
    return "\n".join(parts)


def _server_words(workers: int) -> str:
    if workers <= 1:
        return "One `smokejumper serve` process (uvicorn, one worker process"
    return (
        f"One `smokejumper serve --workers {workers}` (uvicorn's supervisor and {workers} worker "
        "processes on one port, the clients' connections spread over them by the kernel"
    )


def _single_words(report: Report) -> str:
    if not any(r.scenario.group == "single" for r in report.results):
        return ""
    return (
        " Rows marked *(1 worker)* are one round of the main scenarios against a second, fresh "
        "server started without `--workers` (one process); they are shown for comparison and "
        "not used for the targets."
    )


def _rounds(report: Report) -> int:
    return max((r.scenario.round for r in report.results), default=1)


def _sweep_seconds(report: Report) -> float:
    sweep = [r.scenario.duration for r in report.results if r.scenario.group == "sweep"]
    return sweep[0] if sweep else 0.0


def _sustain_section(report: Report) -> list[str]:
    if report.sustain is None:
        return ["## Memory over a sustained run", "", "Not run (`--sustain 0`).", ""]
    r = report.sustain
    verdict = memory_verdict(r)
    lines = [
        "## Memory over a sustained run",
        "",
        f"{r.scenario.duration:.0f} s with {len(r.scenario.clients)} clients at once "
        f"({', '.join(f'{c.kind} x {c.batch:,}' for c in r.scenario.clients)}), server `VmRSS` "
        "(summed over its processes) sampled every few seconds. The slope is a least-squares "
        "line through the samples; the "
        f"verdict uses the samples after the first {sustain_warmup(r.scenario.duration):.0f} s "
        f"(warm-up: allocator arenas, caches, first SQLite pages). Flat means below "
        f"{FLAT_MIB_PER_MIN:g} MiB/min.",
        "",
    ]
    if not r.ok:
        return [*lines, f"Failed: {r.error}", ""]
    lines += [
        md_table(
            (
                "Rows/s (all)",
                "JSON rows/s",
                "Arrow rows/s",
                "Requests",
                "Errors",
                "Server CPU",
                "Other procs CPU s",
            ),
            [
                [
                    _fmt(r.rate()),
                    _fmt(r.rate("json")),
                    _fmt(r.rate("arrow")),
                    f"{r.total('requests'):,}",
                    str(r.total("errors")),
                    _fmt(r.server_cpu_s / r.wall_s if r.wall_s else None, 2) + " cores",
                    _fmt(r.other_cpu_s, 0),
                ]
            ],
        ),
        "",
    ]
    if verdict is not None:
        lines += [
            md_table(
                (
                    "First MiB",
                    "Last MiB",
                    "Max MiB",
                    "Slope all MiB/min",
                    "Slope after warm-up",
                    "Samples",
                ),
                [
                    [
                        _fmt(verdict.first, 1),
                        _fmt(verdict.last, 1),
                        _fmt(verdict.peak, 1),
                        _fmt(verdict.slope_all, 2),
                        _fmt(verdict.slope_after, 2),
                        str(verdict.samples),
                    ]
                ],
            ),
            "",
            md_table(("Seconds", "RSS MiB"), sustain_rows(r)),
            "",
        ]
    return lines


def top_rows(breakdown: Json, kind: str) -> list[list[str]]:
    """The cProfile ranking of one format."""
    return [
        [t["function"], _fmt(t["calls"], 0), _fmt(t["own_ms"], 1), _fmt(t["total_ms"], 1)]
        for t in breakdown.get(kind, {}).get("top", [])
    ]


TOP_HEADER = ("Function", "Calls/batch", "Own ms/batch", "Total ms/batch")
ENCODING_HEADER = ("Parquet writer option", "JSON batch ms", "KiB", "Arrow batch ms", "KiB")


def encoding_rows(breakdown: Json) -> list[list[str]]:
    """Encoding time and size per writer option, both batch sizes."""
    rows = []
    json_opts, arrow_opts = breakdown["json"]["encoding"], breakdown["arrow"]["encoding"]
    for j, a in zip(json_opts, arrow_opts, strict=True):
        rows.append(
            [
                j["option"],
                _fmt(j["ms"], 1),
                _fmt(j["bytes"] / 1024),
                _fmt(a["ms"], 1),
                _fmt(a["bytes"] / 1024),
            ]
        )
    return rows


def _blob_lines(breakdown: Json) -> list[str]:
    out = []
    for kind in ("json", "arrow"):
        b = breakdown[kind]["blob"]
        rows = breakdown[kind]["batch"]
        out.append(
            f"- {kind.upper()} batch ({rows:,} rows, one window): `window_parts` "
            f"{b['window_parts_ms']:.1f} ms, of which `profile(..., reference=...)` "
            f"{b['profile_ms']:.1f} ms; `serialize.dumps` of the window profile "
            f"{b['dumps_ms']:.1f} ms for a {b['blob_bytes'] / 1024:,.0f} KiB blob "
            f"({b['payload_bytes'] / 1024:,.0f} KiB of JSON before compression), "
            f"`serialize.loads` {b['loads_ms']:.1f} ms. Zstandard level 1 (the envelope now) "
            f"takes {b['zstd1_ms']:.1f} ms of it; zlib level 6 (the envelope before) would take "
            f"{b['zlib6_ms']:.1f} ms ({b['zlib6_bytes'] / 1024:,.0f} KiB), zlib level 1 "
            f"{b['zlib1_ms']:.1f} ms ({b['zlib1_bytes'] / 1024:,.0f} KiB)."
        )
    return out


def _options_section(breakdown: Json) -> list[str]:
    if "error" in breakdown:
        return []
    lines = [
        "### Heaviest functions in-process (cProfile)",
        "",
        "Own time per batch (cProfile adds its overhead to every Python call, so these are "
        "larger than the stage times above; read them as a ranking).",
        "",
    ]
    for kind in ("json", "arrow"):
        lines += [
            f"{kind.upper()}, {breakdown[kind]['batch']:,} rows per batch:",
            "",
            md_table(TOP_HEADER, top_rows(breakdown, kind)),
            "",
        ]
    lines += [
        "### Options measured on one stored batch",
        "",
        "Median of 5 encodings of the same table to memory (the raw log uses the first row).",
        "",
        md_table(ENCODING_HEADER, encoding_rows(breakdown)),
        "",
        *_blob_lines(breakdown),
        "",
    ]
    return lines


def _spy_section(report: Report) -> list[str]:
    lines = ["### Sampled in the live server (py-spy)", ""]
    if not report.spies:
        return [*lines, report.spy_note, ""]
    return [
        *lines,
        report.spy_note,
        "",
        md_table(("Stage", *report.spies), spy_rows(report.spies)),
        "",
    ]


def _disk_lines(disk: Json) -> list[str]:
    if not disk:
        return ["Not measured."]
    rows = disk["rows"]
    per_row = disk["raw_bytes"] / rows if rows else 0.0
    db_per_batch = disk["db_bytes"] / disk["batches"] if disk["batches"] else 0.0
    return [
        f"- After the whole run: {rows:,} rows in {disk['batches']:,} batches; raw log "
        f"{disk['raw_bytes'] / 2**20:,.0f} MiB ({per_row:,.0f} bytes per prediction, Parquet "
        f"zstd), SQLite store {disk['db_bytes'] / 2**20:,.0f} MiB "
        f"({db_per_batch / 1024:,.0f} KiB per batch, mostly the window-profile blobs).",
    ]


def print_summary(report: Report) -> None:
    """The tables on stdout."""
    main = [r for r in report.results if r.scenario.group in ("main", "sweep", "single")]
    print(text_table(MAIN_HEADER, main_rows(main)))
    print()
    if report.sustain is not None and report.sustain.ok:
        verdict = memory_verdict(report.sustain)
        if verdict is not None:
            print(
                f"sustained {report.sustain.scenario.duration:.0f} s: {report.sustain.rate():,.0f} "
                f"rows/s; RSS first {verdict.first:.0f} MiB, last {verdict.last:.0f} MiB, max "
                f"{verdict.peak:.0f} MiB, slope {_fmt(verdict.slope_after, 2)} MiB/min after "
                "warm-up"
            )
            print()
    print(text_table(BREAKDOWN_HEADER, breakdown_rows(report.breakdown)))
    print()
    if report.spies:
        print(text_table(("Stage", *report.spies), spy_rows(report.spies)))
        print()
    for line in _target_lines(check_targets(report.results, report.sustain)):
        print(line.replace("**", ""))


# --------------------------------------------------------------------------- the run


def scenarios(args: argparse.Namespace) -> list[Scenario]:
    """The measured scenarios, in order."""
    json_, arrow = ClientSpec("json", JSON_BATCH), ClientSpec("arrow", ARROW_BATCH)
    out = []
    for round_ in range(1, args.rounds + 1):
        out += [
            Scenario("json-1", "main", (json_,), args.duration, round_),
            Scenario("json-4", "main", (json_,) * 4, args.duration, round_),
            Scenario("arrow-1", "main", (arrow,), args.duration, round_),
            Scenario("arrow-4", "main", (arrow,) * 4, args.duration, round_),
        ]
    if args.sweep:
        seconds = max(args.duration / 2, 2.0)
        for batch in SWEEP_JSON:
            out.append(
                Scenario(f"sweep-json-{batch}", "sweep", (ClientSpec("json", batch),), seconds)
            )
        for batch in SWEEP_ARROW:
            out.append(
                Scenario(f"sweep-arrow-{batch}", "sweep", (ClientSpec("arrow", batch),), seconds)
            )
    return out


def _disk_usage(server: Server) -> Json:
    import sqlite3

    db = server.home / "smokejumper.db"
    with contextlib.closing(sqlite3.connect(db)) as conn:
        batches, rows = conn.execute(
            "SELECT count(*), coalesce(sum(rows), 0) FROM ingest_batches"
        ).fetchone()
    db_bytes = sum(p.stat().st_size for p in server.home.glob("smokejumper.db*"))
    return {
        "batches": int(batches),
        "rows": int(rows),
        "raw_bytes": _folder_bytes(server.home / "raw"),
        "db_bytes": db_bytes,
    }


def run_single_worker(
    args: argparse.Namespace, home_parent: Path, run_id: str
) -> list[ScenarioResult]:
    """One round of the main scenarios against a second server with one worker process."""
    home = Path(tempfile.mkdtemp(prefix="sj-ingest-single-", dir=home_parent))
    server = Server(home, 1)
    out = []
    try:
        _log(f"server with 1 worker: starting on {server.url}, home {home}")
        server.start()
        server.setup_model()
        json_, arrow = ClientSpec("json", JSON_BATCH), ClientSpec("arrow", ARROW_BATCH)
        for name, clients in (
            ("json-1", (json_,)),
            ("json-4", (json_,) * 4),
            ("arrow-1", (arrow,)),
            ("arrow-4", (arrow,) * 4),
        ):
            scenario = Scenario(f"{name} (1 worker)", "single", clients, args.duration)
            _log(f"{scenario.name}: {len(clients)} client(s), {scenario.duration:g} s ...")
            result = run_scenario(server, scenario, args.sample_every, run_id)
            _log(f"    {result.rate():,.0f} rows/s" if result.ok else f"    FAILED: {result.error}")
            out.append(result)
            if not server.alive():
                break
    finally:
        server.stop()
        if not args.keep_home:
            shutil.rmtree(home, ignore_errors=True)
    return out


def run(args: argparse.Namespace, argv: Sequence[str]) -> Report:
    """Start the server, run every scenario, the sustained run, the breakdown and py-spy."""
    git_at_start = git_state()
    home_parent = args.home_parent or Path(tempfile.gettempdir())
    home_parent.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="sj-ingest-", dir=home_parent))
    server = Server(home, args.workers)
    run_id = uuid.uuid4().hex[:8]
    results: list[ScenarioResult] = []
    sustain = None
    spies: dict[str, Json] = {}
    spy_note = ""
    disk: Json = {}
    notes: list[str] = []
    try:
        _log(f"server: starting on {server.url}, home {home}")
        server.start()
        server.setup_model()
        notes.append(
            f"- Server RSS after start and model setup: {_fmt(server.rss_mib(), 0)} MiB, "
            f"{server.threads()} threads."
        )
        for scenario in scenarios(args):
            _log(f"{scenario.name}: {len(scenario.clients)} client(s), {scenario.duration:g} s ...")
            result = run_scenario(server, scenario, args.sample_every, run_id)
            status = f"{result.rate():,.0f} rows/s" if result.ok else f"FAILED: {result.error}"
            _log(f"    {status}")
            results.append(result)
            if not server.alive():
                break
        if args.single_worker and args.workers > 1 and server.alive():
            results += run_single_worker(args, home_parent, run_id)
        if not args.py_spy:
            spy_note = "Not sampled (`--no-py-spy`)."
        elif server.alive():
            tool = _py_spy()
            if tool is None:
                spy_note = "py-spy is not installed (`.venv/bin/pip install py-spy`): not sampled."
            else:
                seconds = max(args.duration / 2, 3.0)
                for name, spec in (
                    ("json-4", ClientSpec("json", JSON_BATCH)),
                    ("arrow-4", ClientSpec("arrow", ARROW_BATCH)),
                ):
                    _log(f"py-spy on {name} ({seconds:g} s) ...")
                    scenario = Scenario(f"profile-{name}", "profile", (spec,) * 4, seconds)
                    profiled, summary = profile_server(server, scenario, args.sample_every, run_id)
                    summary["rate"] = profiled.rate()
                    spies[f"{name} (% of samples)"] = summary
                spy_note = (
                    f"py-spy {version('py-spy')} recording the server at 100 Hz (`--nonblocking`"
                    + (", `--subprocesses`: every worker" if args.workers > 1 else "")
                    + ") "
                    f"during one extra {seconds:g} s run each of JSON and Arrow with 4 clients "
                    "(these runs are not in the throughput table; rows/s while sampled: "
                    + ", ".join(
                        f"{k.split(' ')[0]} {v.get('rate', 0):,.0f}" for k, v in spies.items()
                    )
                    + "). Every sample of a thread that was running is counted (event loop and "
                    "worker threads alike; threads waiting for the GIL count as running). A "
                    "sample goes to the innermost Smokejumper stage on its stack; frames of "
                    "uvicorn/h11/Starlette/FastAPI/asyncio outside any stage count as HTTP."
                )
                errors = [f"{k}: {v['error']}" for k, v in spies.items() if "error" in v]
                if errors:
                    spy_note += " Errors: " + "; ".join(errors)
                    spies = {k: v for k, v in spies.items() if "error" not in v}
        if args.sustain > 0 and server.alive():
            mix = (ClientSpec("json", JSON_BATCH),) * 2 + (ClientSpec("arrow", ARROW_BATCH),) * 2
            scenario = Scenario("sustain", "sustain", mix, args.sustain)
            _log(f"sustain: {args.sustain:g} s, 2 JSON + 2 Arrow clients ...")
            sustain = run_scenario(server, scenario, args.sample_every, run_id)
            _log(
                f"    {sustain.rate():,.0f} rows/s"
                if sustain.ok
                else f"    FAILED: {sustain.error}"
            )
        if server.alive():
            notes.append(
                f"- Server peak RSS over the whole run (`VmHWM`): {_fmt(server.hwm_mib(), 0)} MiB; "
                f"{server.threads()} threads at the end."
            )
            disk = _disk_usage(server)
        else:
            notes.append(f"- The server exited during the run: {server.log_tail()}")
    finally:
        server.stop()
        if args.keep_home:
            _log(f"home kept at {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)
    _log("breakdown: the ingest path in-process ...")
    breakdown = run_breakdown(args.breakdown_reps, home_parent)
    return Report(
        results=results,
        sustain=sustain,
        breakdown=breakdown,
        spies=spies,
        spy_note=spy_note,
        disk=disk,
        server_notes=notes,
        command=command_line(__file__, argv),
        git_at_start=git_at_start,
        home_parent=home_parent,
        workers=args.workers,
    )


# --------------------------------------------------------------------------- command line


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="short smoke run (about a minute)")
    parser.add_argument("--duration", type=float, help="seconds per scenario (default 20)")
    parser.add_argument("--rounds", type=int, help="rounds of the four main scenarios (default 3)")
    parser.add_argument(
        "--sustain", type=float, help="seconds of the sustained memory run; 0 skips (default 120)"
    )
    parser.add_argument(
        "--sample-every", type=float, help="seconds between RSS samples (default 5)"
    )
    parser.add_argument("--no-sweep", dest="sweep", action="store_false", help="skip batch sizes")
    parser.add_argument("--no-py-spy", dest="py_spy", action="store_false", help="skip py-spy")
    parser.add_argument("--breakdown-reps", type=int, help="batches per format in the breakdown")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="worker processes of the server (`serve --workers`; default: the cores)",
    )
    parser.add_argument(
        "--no-single-worker",
        dest="single_worker",
        action="store_false",
        help="skip the round against a one-worker server (run when --workers > 1)",
    )
    parser.add_argument("--home-parent", type=Path, help="where the temporary home is made")
    parser.add_argument("--keep-home", action="store_true", help="keep the server's home folder")
    parser.add_argument("--output", type=Path, help="Markdown results file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--worker-home", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--worker-reps", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    quick = args.quick
    defaults = {
        "duration": (3.0, 20.0),
        "rounds": (1, 3),
        "sustain": (15.0, 120.0),
        "sample_every": (1.0, 5.0),
        "breakdown_reps": (5, 30),
    }
    for name, (short, full) in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, short if quick else full)
    if args.output is None:
        args.output = QUICK_OUTPUT if quick else DEFAULT_OUTPUT
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print the tables and write the results file."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    if args.worker == "breakdown":
        result = run_breakdown_worker(args.worker_home, args.worker_reps)
        print(RESULT_TAG + json.dumps(result), flush=True)
        return 0
    report = run(args, argv)
    print_summary(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render_markdown(report))
    _log(f"results written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
