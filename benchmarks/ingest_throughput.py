"""Ingest throughput of a real ``smokejumper serve``: predictions acknowledged per second.

What it measures
----------------
One ``smokejumper serve --workers N`` subprocess (``--workers``, default: the machine's cores;
uvicorn's supervisor and N worker processes on one port) on a free loopback port, with a fresh
``SMOKEJUMPER_HOME`` (SQLite, the default store) and ``SMOKEJUMPER_EVALUATE_EVERY=0`` (no
background evaluator). Server CPU time, memory and threads are summed over its processes. With
N > 1, one more round of the four main scenarios runs against a second server with one worker
process, for comparison (``--no-single-worker`` skips it).
An admin token comes from ``smokejumper token create --scope admin``. One model is registered
with 20 numeric features and a reference (a 50,000-row Parquet file sent to
``PUT /api/v1/models/{name}/reference``), so that every batch is profiled per window on the
reference's bins as it is ingested: the realistic path.

Clients are separate processes (``multiprocessing``, spawn), one ``httpx.Client`` each with
keep-alive. Each client builds its request bodies *before* the timed loop (a pool of
:data:`BODIES_PER_CLIENT` distinct bodies, sent in turn, each with its own ``Idempotency-Key``),
sends one untimed warm-up request, waits at a barrier with the other clients, then posts
batches back to back for a fixed duration. A prediction counts once the server answered 201;
predictions per second = rows acknowledged / wall time from the barrier to the last answer.

- JSON: ``POST /api/v1/models/{name}/predictions`` with a list of records
  ``{"id", "timestamp", "version", "features": {20 numbers}, "prediction", "confidence",
  "latency_ms"}``; 1,000 records per request unless said otherwise.
- Arrow: the same endpoint with ``Content-Type: application/vnd.apache.arrow.stream`` and flat
  columns (id, timestamp, version, the 20 features, prediction, confidence, latency_ms);
  10,000 rows per request unless said otherwise.

Scenarios: JSON and Arrow with 1 and 4 concurrent clients (``--duration`` seconds each, all four
repeated in ``--rounds`` rounds so that the spread shows), a short batch-size sweep with one
client, then a sustained run (``--sustain`` seconds; 2 JSON + 2 Arrow clients) during which the
server's ``VmRSS`` (``/proc/PID/status``) is sampled every ``--sample-every`` seconds; the slope
after a warm-up (least squares) says whether memory stays flat. Server CPU comes from
``/proc/PID/stat`` (user + system, all threads); client CPU from each client's own process time
over its timed loop.

Where the time goes: a fresh child process runs the server's ingest path in-process, stage by
stage, on the same bodies (no HTTP), timing each stage with the real functions; when ``py-spy``
is installed (``.venv/bin/pip install py-spy``) it also samples the live server during one
extra JSON and one extra Arrow run with 4 clients (not counted in the throughput table) and the
samples are grouped by ingest stage.

All on one machine: clients, server and disk share the cores; the table says how much CPU the
clients used.

How to run (from the repository root)
-------------------------------------
    .venv/bin/python benchmarks/ingest_throughput.py                   # 20 s per scenario
    .venv/bin/python benchmarks/ingest_throughput.py --sustain 600     # the 10-minute soak
    .venv/bin/python benchmarks/ingest_throughput.py --quick           # smoke test, ~1 minute

The full run writes ``benchmarks/results/ingest_throughput.md``; ``--quick`` writes
``benchmarks/.data/ingest_throughput-quick.md`` unless ``--output`` says otherwise.

The benchmark's parts are in the package ``benchmarks/ingest/`` (one job per module; see its
``__init__``); this script parses the command line and writes the results.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from _common import log
from ingest.breakdown import breakdown_worker_main
from ingest.report import print_summary, render_markdown
from ingest.run import run
from ingest.settings import DEFAULT_OUTPUT, QUICK_OUTPUT


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="short smoke run (about a minute)")
    parser.add_argument("--duration", type=float, help="seconds per scenario (default 20)")
    parser.add_argument("--rounds", type=int, help="rounds of the four main scenarios (default 3)")
    parser.add_argument(
        "--sustain", type=float, help="seconds of the sustained memory run; 0 skips (default 120)"
    )
    parser.add_argument(
        "--sample-every", type=float, help="seconds between RSS samples (default 5)"
    )
    parser.add_argument("--no-sweep", dest="sweep", action="store_false", help="skip batch sizes")
    parser.add_argument("--no-py-spy", dest="py_spy", action="store_false", help="skip py-spy")
    parser.add_argument("--breakdown-reps", type=int, help="batches per format in the breakdown")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="worker processes of the server (`serve --workers`; default: the cores)",
    )
    parser.add_argument(
        "--no-single-worker",
        dest="single_worker",
        action="store_false",
        help="skip the round against a one-worker server (run when --workers > 1)",
    )
    parser.add_argument("--home-parent", type=Path, help="where the temporary home is made")
    parser.add_argument("--keep-home", action="store_true", help="keep the server's home folder")
    parser.add_argument("--output", type=Path, help="Markdown results file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--worker-home", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--worker-reps", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    quick = args.quick
    defaults = {
        "duration": (3.0, 20.0),
        "rounds": (1, 3),
        "sustain": (15.0, 120.0),
        "sample_every": (1.0, 5.0),
        "breakdown_reps": (5, 30),
    }
    for name, (short, full) in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, short if quick else full)
    if args.output is None:
        args.output = QUICK_OUTPUT if quick else DEFAULT_OUTPUT
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print the tables and write the results file."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    if args.worker == "breakdown":
        return breakdown_worker_main(args.worker_home, args.worker_reps)
    report = run(args, argv)
    print_summary(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render_markdown(report))
    log(f"results written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
