"""False alarms at small sizes, and detection of material shifts, with and without noise floors.

Pairs of tables drawn from one distribution (nothing changed) at 200 to 5,000 rows per side, many
seeds, one column per default method and shape (Wasserstein on normal, skewed, heavy-tailed and
integer columns; the z-test on booleans and 0/1 integers; chi-squared on categories), compared as
raw data and as profiles (the current one made with the reference's bins, as the service makes
window profiles). A column is a false alarm when it is flagged as drift; a quality finding on
unchanged data is counted apart. Each column is judged twice from the same report: by the
verdict rule in force (effect size at its threshold and above its noise floor, corrected p below
alpha) and by the rule before noise floors (threshold only).

Detection: the same columns with a material shift in the current table (mean +0.5 sd, spread
x1.5, a share 20 % -> 40 %, category shares moved), and a small one (mean +0.2 sd), at the same
sizes; the share of comparisons that flag the shifted column, by both rules.

Windows: a reference profile of 20,000 rows against current windows of 100 to 1,000 rows
profiled with its bins (profile against profile, as the service's feature_drift monitor calls
``compare``): the share of windows with any of three unchanged columns flagged, and of windows
whose shifted column (mean +1 sd) is flagged.

Run: ``.venv/bin/python benchmarks/false_alarms.py`` (about 2 minutes on 2 cores), or
``--quick`` (fewer seeds, about 10 seconds). Writes ``benchmarks/results/false_alarms.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa

from _common import ROOT, command_line, git_state, md_table, text_table, version
from smokejumper.stats.compare import compare
from smokejumper.stats.dataset import profile
from smokejumper.stats.report import ColumnDrift, DriftReport

SIZES = (200, 500, 1000, 2000, 5000)
WINDOW_SIZES = (100, 250, 500, 1000)
RESULTS = ROOT / "benchmarks" / "results" / "false_alarms.md"

Maker = Callable[[np.random.Generator, int, bool], np.ndarray]


def _normal(rng: np.random.Generator, n: int, shift: bool) -> np.ndarray:
    return rng.normal(0.5 if shift else 0.0, 1.0, n)


def _lognormal(rng: np.random.Generator, n: int, shift: bool) -> np.ndarray:
    return rng.lognormal(0.0, 1.0, n) * (1.5 if shift else 1.0)


def _student_t(rng: np.random.Generator, n: int, shift: bool) -> np.ndarray:
    return rng.standard_t(3, n) + (0.5 if shift else 0.0)


def _counts(rng: np.random.Generator, n: int, shift: bool) -> np.ndarray:
    return rng.poisson(4.0 * (1.5 if shift else 1.0), n)


def _boolean(rng: np.random.Generator, n: int, shift: bool) -> np.ndarray:
    return rng.random(n) < (0.4 if shift else 0.2)


def _zero_one(rng: np.random.Generator, n: int, shift: bool) -> np.ndarray:
    return (rng.random(n) < (0.4 if shift else 0.2)).astype(np.int64)


def _category(rng: np.random.Generator, n: int, shift: bool) -> np.ndarray:
    shares = [0.2, 0.3, 0.2, 0.3] if shift else [0.4, 0.3, 0.2, 0.1]
    return rng.choice(np.array(list("abcd")), n, p=shares)


def _many_categories(rng: np.random.Generator, n: int, shift: bool) -> np.ndarray:
    weights = np.arange(1, 21, dtype=float)[:: -1 if shift else 1]
    return rng.choice(np.array([f"c{i:02d}" for i in range(20)]), n, p=weights / weights.sum())


def _small_shift(rng: np.random.Generator, n: int, shift: bool) -> np.ndarray:
    return rng.normal(0.2 if shift else 0.0, 1.0, n)


#: Column name -> (maker, default method it exercises, the shift it gets).
COLUMNS: dict[str, tuple[Maker, str, str]] = {
    "normal": (_normal, "wasserstein", "mean +0.5 sd"),
    "lognormal": (_lognormal, "wasserstein", "scale x1.5"),
    "student_t3": (_student_t, "wasserstein", "mean +0.5"),
    "poisson_counts": (_counts, "wasserstein", "mean 4 -> 6"),
    "boolean": (_boolean, "ztest", "share 20 % -> 40 %"),
    "zero_one_int": (_zero_one, "ztest", "share 20 % -> 40 %"),
    "category_4": (_category, "chisquare", "shares .4 .3 .2 .1 -> .2 .3 .2 .3"),
    "category_20": (_many_categories, "chisquare", "shares reversed"),
    "normal_small_shift": (_small_shift, "wasserstein", "mean +0.2 sd"),
}


def table(rng: np.random.Generator, rows: int, shifted: bool = False) -> pa.Table:
    """One table with every column; ``shifted`` shifts them all."""
    return pa.table({name: make(rng, rows, shifted) for name, (make, _, _) in COLUMNS.items()})


def old_rule(c: ColumnDrift, alpha: float) -> bool:
    """The verdict before noise floors: threshold and corrected p only."""
    if c.status != "tested" or c.effect_size is None or c.threshold is None:
        return False
    significant = c.p_value_adjusted is None or c.p_value_adjusted < alpha
    return significant and c.effect_size >= c.threshold


def run_pairs(seeds: int, sizes: Sequence[int]) -> dict[str, dict[tuple[int, str], list[int]]]:
    """Counts per (size, basis): [tests, flagged, flagged by the old rule, quality findings]
    on unchanged pairs; and [tests, caught, caught by the old rule] per shifted column."""
    null: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    caught: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for rows in sizes:
        for seed in range(seeds):
            rng = np.random.default_rng([rows, seed])
            ref, same, moved = table(rng, rows), table(rng, rows), table(rng, rows, True)
            ref_p = profile(ref)
            pairs: list[tuple[str, DriftReport, DriftReport]] = [
                ("raw", compare(ref, same), compare(ref, moved)),
                (
                    "profiles",
                    compare(ref_p, profile(same, reference=ref_p)),
                    compare(ref_p, profile(moved, reference=ref_p)),
                ),
            ]
            for basis, quiet, shifted in pairs:
                counts = null[(rows, basis)]
                counts[0] += len(quiet.columns)
                counts[1] += quiet.drifted_column_count
                counts[2] += sum(old_rule(c, quiet.alpha) for c in quiet.columns)
                counts[3] += len(quiet.quality_findings)
                for c in shifted.columns:
                    got = caught[(rows, f"{basis}:{c.name}")]
                    got[0] += 1
                    got[1] += c.drift
                    got[2] += old_rule(c, shifted.alpha)
        print(f"  {rows} rows done", file=sys.stderr, flush=True)
    return {"null": dict(null), "caught": dict(caught)}


def run_windows(seeds: int, sizes: Sequence[int]) -> dict[int, list[int]]:
    """Per window size: [windows, unhealthy clean (any of 3 unchanged columns flagged), the
    same by the old rule, windows with the shifted column flagged, the same by the old rule]."""
    out: dict[int, list[int]] = {}
    rng = np.random.default_rng(20261130)

    def frame(rows: int, shift: float) -> pa.Table:
        return pa.table(
            {
                "a": rng.normal(size=rows),
                "b": rng.lognormal(size=rows),
                "c": rng.choice(np.array(list("xyz")), rows, p=[0.5, 0.3, 0.2]),
                "moved": rng.normal(shift, 1.0, rows),
            }
        )

    reference = profile(frame(20_000, 0.0))
    for rows in sizes:
        counts = [0, 0, 0, 0, 0]
        for _ in range(seeds):
            clean = compare(reference, profile(frame(rows, 0.0), reference=reference))
            shifted = compare(reference, profile(frame(rows, 1.0), reference=reference))
            quiet = [c for c in clean.columns if c.name != "moved"]
            counts[0] += 1
            counts[1] += any(c.drift for c in quiet)
            counts[2] += any(old_rule(c, clean.alpha) for c in quiet)
            counts[3] += shifted.column("moved").drift
            counts[4] += old_rule(shifted.column("moved"), shifted.alpha)
        out[rows] = counts
        print(f"  windows of {rows} rows done", file=sys.stderr, flush=True)
    return out


def per_thousand(part: int, whole: int) -> str:
    return f"{1000 * part / whole:.2f}" if whole else "-"


def share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "-"


def report(
    pairs: dict[str, dict[tuple[int, str], list[int]]],
    windows: dict[int, list[int]],
    args: argparse.Namespace,
    seconds: float,
) -> tuple[str, list[str]]:
    null_rows = []
    for (rows, basis), (tests, flagged, old, quality) in sorted(pairs["null"].items()):
        null_rows.append(
            [
                f"{rows:,}",
                basis,
                f"{tests:,}",
                str(flagged),
                per_thousand(flagged, tests),
                str(old),
                per_thousand(old, tests),
                str(quality),
            ]
        )
    null_header = [
        "Rows/side",
        "Basis",
        "Column tests",
        "Flagged",
        "Per 1,000",
        "Flagged, threshold only",
        "Per 1,000, threshold only",
        "Quality findings",
    ]
    caught_rows = []
    for (rows, key), (tests, got, old) in sorted(
        pairs["caught"].items(), key=lambda kv: (kv[0][1], kv[0][0])
    ):
        basis, name = key.split(":")
        caught_rows.append(
            [name, COLUMNS[name][2], f"{rows:,}", basis, share(got, tests), share(old, tests)]
        )
    caught_header = ["Column", "Shift", "Rows/side", "Basis", "Caught", "Caught, threshold only"]
    window_rows = [
        [
            f"{rows:,}",
            str(c[0]),
            f"{c[1]} ({share(c[1], c[0])})",
            f"{c[2]} ({share(c[2], c[0])})",
            share(c[3], c[0]),
            share(c[4], c[0]),
        ]
        for rows, c in sorted(windows.items())
    ]
    window_header = [
        "Rows/window",
        "Windows",
        "Unhealthy clean windows",
        "Unhealthy, threshold only",
        "Shift caught",
        "Shift caught, threshold only",
    ]
    total_tests = sum(v[0] for v in pairs["null"].values())
    total_flagged = sum(v[1] for v in pairs["null"].values())
    worst = max(
        (1000 * v[1] / v[0] for v in pairs["null"].values() if v[0]),
        default=0.0,
    )
    doc = [
        "# False alarms at small sizes: noise floors",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {os.cpu_count()} cores, {platform.machine()}, {platform.system()} "
        f"{platform.release()}; load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}",
        f"- Python {platform.python_version()}; numpy {version('numpy')}, scipy "
        f"{version('scipy')}, pyarrow {version('pyarrow')}, datasketches {version('datasketches')}",
        f"- Smokejumper source: git {git_state()}",
        f"- Command: `{command_line(__file__, sys.argv[1:])}`; {args.seeds} seeds per size, "
        f"{args.window_seeds} windows per size; {seconds:.0f} s",
        "",
        (__doc__ or "").split("\n\n", 1)[1].split("\n\nRun:")[0],
        "",
        "## Unchanged pairs: flagged columns per 1,000 column tests",
        "",
        md_table(null_header, null_rows),
        "",
        f"Target: at most 1 flagged column per 1,000 tests at every size and basis: "
        f"**{'MET' if worst <= 1 else 'NOT MET'}** (worst {worst:.2f}; {total_flagged} flagged "
        f"in {total_tests:,} tests).",
        "",
        "## Shifted pairs: share of comparisons that flag the shifted column",
        "",
        md_table(caught_header, caught_rows),
        "",
        "## Windows: reference profile (20,000 rows) against window profiles",
        "",
        md_table(window_header, window_rows),
        "",
    ]
    terminal = [
        text_table(null_header, null_rows),
        "",
        text_table(caught_header, caught_rows),
        "",
        text_table(window_header, window_rows),
    ]
    return "\n".join(doc), terminal


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer seeds (about 10 seconds)")
    parser.add_argument("--seeds", type=int, help="pairs per size (default 150, quick 15)")
    parser.add_argument("--window-seeds", type=int, help="windows per size (default 300)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    args.seeds = args.seeds or (15 if args.quick else 150)
    args.window_seeds = args.window_seeds or (30 if args.quick else 300)
    start = time.perf_counter()
    pairs = run_pairs(args.seeds, SIZES)
    windows = run_windows(args.window_seeds, WINDOW_SIZES)
    doc, terminal = report(pairs, windows, args, time.perf_counter() - start)
    print("\n".join(terminal))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(doc + "\n", encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
