"""The sustained run (the soak): 2 JSON and 2 Arrow clients at once while the server's RSS is
sampled, the least-squares slope after a warm-up, and the section that reports it."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from _common import fmt, log, md_table
from ingest.clients import Scenario, ScenarioResult, run_scenario
from ingest.data import ClientSpec
from ingest.server import Server
from ingest.settings import ARROW_BATCH, FLAT_MIB_PER_MIN, JSON_BATCH


def run_sustained(
    server: Server, seconds: float, sample_every: float, run_id: str
) -> ScenarioResult:
    """The sustained run: 2 JSON + 2 Arrow clients for ``seconds``, RSS sampled meanwhile."""
    mix = (ClientSpec("json", JSON_BATCH),) * 2 + (ClientSpec("arrow", ARROW_BATCH),) * 2
    scenario = Scenario("sustain", "sustain", mix, seconds)
    log(f"sustain: {seconds:g} s, 2 JSON + 2 Arrow clients ...")
    sustain = run_scenario(server, scenario, sample_every, run_id)
    log(f"    {sustain.rate():,.0f} rows/s" if sustain.ok else f"    FAILED: {sustain.error}")
    return sustain


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
            rows.append([fmt(t, 0), fmt(mib, 1)])
            next_at = t + step
    return rows


def sustain_summary(sustain: ScenarioResult | None) -> str | None:
    """One line for the terminal: the rate and the RSS over the sustained run."""
    if sustain is None or not sustain.ok:
        return None
    verdict = memory_verdict(sustain)
    if verdict is None:
        return None
    return (
        f"sustained {sustain.scenario.duration:.0f} s: {sustain.rate():,.0f} "
        f"rows/s; RSS first {verdict.first:.0f} MiB, last {verdict.last:.0f} MiB, max "
        f"{verdict.peak:.0f} MiB, slope {fmt(verdict.slope_after, 2)} MiB/min after "
        "warm-up"
    )


def sustain_section(sustain: ScenarioResult | None) -> list[str]:
    """The results document's section on memory over the sustained run."""
    if sustain is None:
        return ["## Memory over a sustained run", "", "Not run (`--sustain 0`).", ""]
    r = sustain
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
                    fmt(r.rate()),
                    fmt(r.rate("json")),
                    fmt(r.rate("arrow")),
                    f"{r.total('requests'):,}",
                    str(r.total("errors")),
                    fmt(r.server_cpu_s / r.wall_s if r.wall_s else None, 2) + " cores",
                    fmt(r.other_cpu_s, 0),
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
                        fmt(verdict.first, 1),
                        fmt(verdict.last, 1),
                        fmt(verdict.peak, 1),
                        fmt(verdict.slope_all, 2),
                        fmt(verdict.slope_after, 2),
                        str(verdict.samples),
                    ]
                ],
            ),
            "",
            md_table(("Seconds", "RSS MiB"), sustain_rows(r)),
            "",
        ]
    return lines
