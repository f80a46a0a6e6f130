"""The load clients (one process each, JSON or Arrow) and one scenario: start them together,
sample the server's RSS and CPU until they are done."""

from __future__ import annotations

import contextlib
import multiprocessing
import queue
import statistics
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from ingest.data import ClientSpec, make_body
from ingest.machine import busy_seconds, own_cpu, speed_probe, steal_seconds
from ingest.server import Server
from ingest.settings import ARROW_TYPE, BODIES_PER_CLIENT, MODEL, SEED, Json


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
    busy0, own0, steal0 = busy_seconds(), own_cpu(), steal_seconds()
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
        busy = busy_seconds()
        if busy is not None and busy0 is not None:
            clients = sum(c.get("cpu_s", 0.0) for c in out.clients)
            ours = out.server_cpu_s + clients + own_cpu() - own0
            out.other_cpu_s = max(busy - busy0 - ours, 0.0)
        steal = steal_seconds()
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
