"""Calibrating the diagnosis's confidence on drills the bench does not score.

Runs every fault scenario that must open an incident (``smokejumper drill list``) at full
size over seeds ``--first-seed`` (default 100) onwards, so never the drill bench's seeds
0..4, judges every hypothesis of every run against the drill's truth (right when it names
the true cause, as the bench's root-cause rank does), and fits the logistic from a
hypothesis's points to its confidence (``smokejumper.rca.hypotheses.MIDPOINT`` and
``SCALE``) by maximum likelihood. Prints and writes ``benchmarks/results/rca_calibration.md``:
log loss, Brier score and expected calibration error of the confidences the product gave
and of the fitted logistic, on these runs, and both reliability tables. The drill bench's
own table (``benchmarks/results/drill_bench.md``) is then the held-out check.

    .venv/bin/python benchmarks/rca_calibration.py               # 3 seeds (about 3 minutes)
    .venv/bin/python benchmarks/rca_calibration.py --seeds 5
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from datetime import UTC, datetime

from _common import command_line, git_state, log, machine_lines, results_paths
from smokejumper.drills.bench import run_bench
from smokejumper.drills.calibration import (
    Judged,
    brier,
    expected_calibration_error,
    fit_logistic,
    log_loss,
    reliability_table,
)
from smokejumper.drills.registry import available_scenarios
from smokejumper.drills.runner import DrillResult
from smokejumper.drills.scenario import Size
from smokejumper.rca.hypotheses import MIDPOINT, SCALE


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="seeds per scenario")
    parser.add_argument("--first-seed", type=int, default=100)
    args = parser.parse_args(argv)
    git_at_start = git_state()
    started = time.monotonic()
    chosen = [s for s in available_scenarios() if s.fault is not None and s.truth.incident]

    def progress(result: DrillResult) -> None:
        s = result.score
        log(f"{s.scenario} seed {s.seed}: {len(result.judged)} hypotheses, rank {s.rank}")

    report = run_bench(
        chosen, seeds=args.seeds, first_seed=args.first_seed, size=Size.FULL, progress=progress
    )
    judged = [j for r in report.results for j in r.judged]
    midpoint, scale = fit_logistic(judged)

    def refit(j: Judged) -> Judged:
        return Judged(j.points, 1 / (1 + math.exp(-(j.points - midpoint) / scale)), j.right)

    fitted = [refit(j) for j in judged]
    seeds = f"{args.first_seed}..{args.first_seed + args.seeds - 1}"
    lines = [
        "# Calibrating the diagnosis's confidence",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        *machine_lines(git_at_start, ["numpy", "scikit-learn", "scipy"]),
        f"- Command: `{command_line(__file__, argv)}`; {len(chosen)} fault scenarios with an "
        f"incident, seeds {seeds} (not the bench's), size full, {len(report.results)} runs; "
        f"wall time {time.monotonic() - started:.0f} s",
        "",
        f"{len(judged)} hypotheses, {sum(j.right for j in judged)} naming the true cause.",
        "",
        "| logistic of the points | midpoint | scale | log loss | Brier | ECE (5 bins) |",
        "|---|---|---|---|---|---|",
        f"| as the product had it | {MIDPOINT} | {SCALE} | {log_loss(judged, MIDPOINT, SCALE):.3f}"
        f" | {brier(judged):.3f} | {expected_calibration_error(judged):.3f} |",
        f"| fitted here (maximum likelihood) | {midpoint:.2f} | {scale:.2f} | "
        f"{log_loss(judged, midpoint, scale):.3f} | {brier(fitted):.3f} | "
        f"{expected_calibration_error(fitted):.3f} |",
        "",
        "As the product had it:",
        "",
        *reliability_table(judged),
        "",
        "Fitted:",
        "",
        *reliability_table(fitted),
        "",
    ]
    full, _ = results_paths("rca_calibration")
    full.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    log(f"wrote {full}")


if __name__ == "__main__":
    main(sys.argv[1:])
