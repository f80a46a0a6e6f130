"""The drill bench at full size: every drill scenario (``smokejumper drill list``) over several
seeds, replayed through one real ``smokejumper serve`` (SQLite, fresh home, evaluator off), scored
per scenario and in total against the targets of issue 14, written to
``benchmarks/results/drill_bench.md`` (``--quick``: small size, one seed, to
``benchmarks/.data/drill_bench-quick.md``).

    .venv/bin/python benchmarks/drill_bench.py            # full size, 5 seeds (about 5 minutes)
    .venv/bin/python benchmarks/drill_bench.py --quick    # small size, 1 seed (under a minute)
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime

from _common import command_line, git_state, log, machine_lines, results_paths
from smokejumper.drills.bench import run_bench, to_markdown
from smokejumper.drills.runner import DrillResult
from smokejumper.drills.scenario import Size


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small size, one seed")
    parser.add_argument("--seeds", type=int, default=5, help="seeds per scenario (full run)")
    args = parser.parse_args(argv)
    seeds, size = (1, Size.SMALL) if args.quick else (args.seeds, Size.FULL)
    git_at_start = git_state()
    started = time.monotonic()

    def progress(result: DrillResult) -> None:
        s = result.score
        log(
            f"{s.scenario} seed {s.seed}: detected {s.detected}, incident {s.incident_opened}, "
            f"labels {list(s.labels)} ({result.seconds:.1f} s)"
        )

    report = run_bench(seeds=seeds, size=size, progress=progress)
    wall = time.monotonic() - started
    full, quick = results_paths("drill_bench")
    target = quick if args.quick else full
    lines = [
        "# Drill bench: injected failures replayed through the product, scored",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        *machine_lines(git_at_start, ["numpy", "scikit-learn", "pyarrow", "fastapi"]),
        f"- Command: `{command_line(__file__, argv)}`; size {size.value} ({size.windows} hourly "
        f"windows of {size.rows} predictions per run), {seeds} seed(s) per scenario, "
        f"{len(report.results)} runs on one server; wall time {wall:.0f} s",
        "",
        "Each run registers a fresh model on the same server, logs its windows (timestamps in the "
        "past, so days replay in seconds) and labels with the SDK, sends its OpenLineage runs or "
        "alias move, evaluates once and reads observations, alerts, the incident and its "
        "post-mortem draft. See docs/drills.md for the scenarios, the monitor policy and the "
        "scoring. Root-cause rank stays '-' until the server answers "
        "`GET /api/v1/incidents/{id}/hypotheses`.",
        "",
        to_markdown(report),
    ]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines), encoding="utf-8")
    log(f"wrote {target} ({wall:.0f} s)")


if __name__ == "__main__":
    main(sys.argv[1:])
