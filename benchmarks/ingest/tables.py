"""The result tables' rows: throughput per scenario, the stage breakdown, py-spy's shares,
the cProfile ranking and the Parquet writer options."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from _common import fmt
from ingest.clients import ScenarioResult
from ingest.settings import Json


def _quantile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    return values[min(len(values) - 1, int(q * len(values)))]


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
                fmt(body_kib),
                fmt(r.wall_s, 1),
                f"{requests:,}",
                f"{r.total('rows'):,}",
                fmt(r.rate()),
                fmt(r.total("bytes_sent") / 2**20 / r.wall_s if r.wall_s else None, 1),
                fmt(_quantile(lat, 0.5), 0),
                fmt(_quantile(lat, 0.99), 0),
                str(r.total("errors")),
                str(r.total("duplicates")),
                fmt(r.server_cpu_s / r.wall_s if r.wall_s else None, 2),
                fmt(r.server_cpu_s * 1000 / requests if requests else None, 0),
                " / ".join(fmt(x, 1) for x in r.busiest_s) or "-",
                fmt(sum(c.get("cpu_s", 0.0) for c in r.clients), 1),
                fmt(r.other_cpu_s, 1),
                fmt(r.steal_s, 1),
                fmt(r.probe_ms, 1),
                fmt(r.rss_samples[-1][1] if r.rss_samples else None, 0),
            ]
        )
    return rows


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
            cells += [fmt(ms, 1), "" if share is None else f"{share:.0%}"]
        rows.append(cells)
    totals = ["sum of stages (median batch wall time)"]
    cpu = ["CPU ms per batch (all threads)"]
    rate = ["rows/s if one core did only this"]
    for kind in ("json", "arrow"):
        b = breakdown[kind]
        totals += [fmt(b["wall_ms"], 1), "100%"]
        cpu += [fmt(b["cpu_ms"], 1), ""]
        rate += [fmt(b["batch"] / b["wall_ms"] * 1000), ""]
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


def top_rows(breakdown: Json, kind: str) -> list[list[str]]:
    """The cProfile ranking of one format."""
    return [
        [t["function"], fmt(t["calls"], 0), fmt(t["own_ms"], 1), fmt(t["total_ms"], 1)]
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
                fmt(j["ms"], 1),
                fmt(j["bytes"] / 1024),
                fmt(a["ms"], 1),
                fmt(a["bytes"] / 1024),
            ]
        )
    return rows
