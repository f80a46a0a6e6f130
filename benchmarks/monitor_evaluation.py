"""Monitor evaluation: 50 monitors of mixed types over 24 closed hourly windows, one pass.

What it measures
----------------
In one process, a store is built in a temporary folder with the store's own functions
(``make_engine``/``upgrade``/``session_factory``, ``register_model``/``set_reference``,
``service.ingest.ingest`` with a ``RawLog``, ``store_labels``, ``save_monitor`` with
``parse_monitor``): one model with 20 numeric features and one categorical feature, a reference
profile of 50,000 rows, 24 hourly windows in the past (the newest ending at the start of the hour
the run falls in, so that every window closed by then holds data: the runner also evaluates
closed windows without data, which would add silent windows to the pass) of 5,000 predictions
each, sent as 5 batches per window, labels for 20 % of the predictions, and 50 monitors of every
built-in type except fairness and custom (see the table in the results).
Later windows are shifted on purpose (a drifted feature, an unseen category, more nulls and
out-of-range values), so monitors have something to find.

Then ``smokejumper.service.evaluation.runner.run_once(session, raw_log, now, cache=...)`` is
timed over the 24 closed windows, each pass after clearing the observations and window
evaluations so that every window is due again: once cold (the first call in the process: lazy
imports, the window cache empty), then ``--repeats`` times warm in each of two modes, taking
turns: with the evaluator's window cache switched off (every pass reads the raw Parquet batches
and deserialises the stored profile parts: the cost of evaluating windows for the first time),
and with the process's window cache as the long-lived server evaluator keeps it (window rows and
merged profiles kept from earlier passes, keyed by their content; labels, custom metrics and
every statistic computed afresh: the cost of evaluating windows again, e.g. after a new
reference).

After the last warm pass of each mode the stored observations are compared, bit for bit, with a
reference in which every window is loaded in full as the runner used to load it and each
monitor is evaluated on its own (no drift report, label join or count shared between monitors);
the run exits with status 1 if they differ. One more warm pass per mode wraps the runner's calls
with timers to split the time between loading windows, evaluating monitors (per monitor type)
and saving, and one last pass runs under cProfile. The raw batch files were just written, so
they are read from the page cache.

How to run (from the repository root)
-------------------------------------
    .venv/bin/python benchmarks/monitor_evaluation.py            # the full run (about 2 minutes)
    .venv/bin/python benchmarks/monitor_evaluation.py --quick    # 6 windows of 1,000 rows

The full run writes ``benchmarks/results/monitor_evaluation.md``; ``--quick`` writes
``benchmarks/.data/monitor_evaluation-quick.md`` unless ``--output`` says otherwise.

The benchmark's parts are in the package ``benchmarks/evaluation/`` (one job per module; see
its ``__init__``); this script parses the command line and writes the results.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from _common import log
from evaluation.report import print_summary, render_markdown
from evaluation.run import run
from evaluation.settings import DEFAULT_OUTPUT, QUICK_OUTPUT


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="6 windows of 1,000 rows")
    parser.add_argument("--windows", type=int, help="hourly windows (default 24)")
    parser.add_argument("--rows", type=int, help="predictions per window (default 5000)")
    parser.add_argument("--batches", type=int, default=5, help="ingest batches per window")
    parser.add_argument("--label-share", type=float, default=0.2, help="share of rows labelled")
    parser.add_argument("--repeats", type=int, help="warm passes (default 5)")
    parser.add_argument("--home-parent", type=Path, help="where the temporary store is made")
    parser.add_argument("--keep-home", action="store_true", help="keep the temporary store")
    parser.add_argument("--output", type=Path, help="Markdown results file")
    args = parser.parse_args(argv)
    quick = args.quick
    for name, short, full in (("windows", 6, 24), ("rows", 1_000, 5_000), ("repeats", 2, 5)):
        if getattr(args, name) is None:
            setattr(args, name, short if quick else full)
    if args.rows % args.batches:
        parser.error("--rows must be a multiple of --batches")
    if args.output is None:
        args.output = QUICK_OUTPUT if quick else DEFAULT_OUTPUT
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Build the store, time the passes, print and write the results."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    result = run(args, argv)
    print_summary(result)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render_markdown(result))
    log(f"results written to {args.output}")
    return 0 if all(c.ok for c in result.checks) else 1


if __name__ == "__main__":
    sys.exit(main())
