"""The result tables' rows: the passes, where the time goes, the monitors by type, cProfile."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from _common import fmt
from evaluation.passes import CACHE_OFF, CACHE_ON, MODES, Pass
from evaluation.result import Result
from evaluation.settings import Json
from evaluation.split import LOAD, LOAD_PARTS, LOAD_REST, READER, SAVE

PASS_HEADER = ("Pass", "Seconds", "CPU s", "ms per window", "Windows", "Observations", "Unhealthy")


def pass_rows(result: Result) -> list[list[str]]:
    """The cold pass, every warm pass of each mode and their medians."""

    def row(label: str, p: Pass) -> list[str]:
        per_window = p.seconds * 1000 / p.windows if p.windows else None
        return [
            label,
            fmt(p.seconds, 3),
            fmt(p.cpu_seconds, 3),
            fmt(per_window, 1),
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
                fmt(statistics.median(p.cpu_seconds for p in passes), 3),
                fmt(median * 1000 / windows if windows else None, 1),
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
            cells += [str(calls), fmt(seconds * 1000 / windows, 2)]
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
        [r["function"], f"{r['calls']:,}", fmt(r["own_ms"], 1), fmt(r["total_ms"], 1)] for r in rows
    ]
