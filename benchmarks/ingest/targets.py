"""The targets from the issue: JSON and Arrow rates (the better of 1 and 4 clients, median
over rounds) and flat server memory over the sustained run."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from _common import Target
from ingest.clients import ScenarioResult
from ingest.memory import memory_verdict
from ingest.settings import (
    ARROW_BATCH,
    ARROW_TARGET,
    FLAT_MIB_PER_MIN,
    JSON_BATCH,
    JSON_TARGET,
    MIN_SUSTAIN_S,
)


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
