"""Matching labels to logged predictions: the raw log's id lookup, with and without its cache.

What it measures
----------------
``log_labels`` answers how many of a call's labels have no logged prediction yet, by looking
their ids up in the id columns of the model's batches of the last week
(``RawLog.ids_present``, newest batch first, stopping once every id is found). This script
writes a week of hourly batches (``--batches`` of 1,000 predictions) into a real raw log, then
times 20 calls of 1,000 labels in two cases, side by side with the id cache off
(``id_cache=0``: every call reads the batches' files) and on (the default, 1,000,000 ids):

* *after*: the labels' predictions are in the newest batch, as when labels follow closely;
* *before*: the labels arrive before their predictions, so every batch of the week is searched.

How to run (from the repository root)
-------------------------------------
    .venv/bin/python benchmarks/label_matching.py            # 168 batches (a week, hourly)
    .venv/bin/python benchmarks/label_matching.py --quick    # 24 batches

The full run writes ``benchmarks/results/label_matching.md``; ``--quick`` writes
``benchmarks/.data/label_matching-quick.md``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from _common import command_line, git_state, log, machine_lines, md_table, results_paths
from smokejumper.store.rawlog import ID_CACHE_IDS, RawLog

ROWS = 1_000
CALLS = 20


def write_week(log_: RawLog, batches: int) -> list[str]:
    """``batches`` batches of :data:`ROWS` predictions; their paths, newest first."""
    now = datetime(2026, 11, 30, tzinfo=UTC)
    paths = []
    for b in range(batches):
        table = pa.table(
            {
                "id": pa.array([f"b{b}-p{i}" for i in range(ROWS)]),
                "timestamp": pa.array([now] * ROWS, pa.timestamp("us", tz="UTC")),
                "x": pa.array([float(i) for i in range(ROWS)]),
            }
        )
        paths.append(str(log_.write(1, "2026-11-30", table)))
    return paths[::-1]


def time_calls(log_: RawLog, paths: list[str], ids_of_call: list[set[str]]) -> list[float]:
    """Seconds of each call; checks what each found."""
    seconds = []
    for ids in ids_of_call:
        started = time.perf_counter()
        found = log_.ids_present(paths, ids)
        seconds.append(time.perf_counter() - started)
        assert found == {i for i in ids if not i.startswith("early")}, "wrong ids found"
    return seconds


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="24 batches instead of 168")
    parser.add_argument("--batches", type=int, default=168, help="batches in the week")
    args = parser.parse_args(argv)
    batches = 24 if args.quick else args.batches
    newest = batches - 1
    cases = {
        "after (in the newest batch)": [
            {f"b{newest}-p{(c * 50 + i) % ROWS}" for i in range(ROWS)} for c in range(CALLS)
        ],
        "before (no prediction yet)": [
            {f"early{c}-{i}" for i in range(ROWS)} for c in range(CALLS)
        ],
    }
    started_at = git_state()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        writer = RawLog(Path(folder))
        paths = write_week(writer, batches)
        log(f"wrote {batches} batches of {ROWS:,} predictions")
        for case, calls in cases.items():
            timings = {}
            for cache in (0, ID_CACHE_IDS):
                timings[cache] = time_calls(RawLog(Path(folder), id_cache=cache), paths, calls)
            off, on = timings[0], timings[ID_CACHE_IDS]
            rows.append(
                [
                    case,
                    f"{statistics.median(off) * 1000:,.1f}",
                    f"{on[0] * 1000:,.1f}",
                    f"{statistics.median(on[1:]) * 1000:,.1f}",
                    f"{sum(off):.2f} / {sum(on):.2f}",
                ]
            )
    header = [
        "labels of a call",
        "cache off: ms per call (median)",
        "cache on: first call ms",
        "cache on: later calls ms (median)",
        f"{CALLS} calls, s (off / on)",
    ]
    table = md_table(header, rows)
    print(table)
    full, quick = results_paths("label_matching")
    out = quick if args.quick else full
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        "\n".join(
            [
                "# Matching labels to logged predictions: the raw log's id lookup",
                "",
                f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
                *machine_lines(started_at, ["pyarrow"]),
                f"- Command: `{command_line(__file__, argv)}`; {batches} batches of {ROWS:,} "
                f"predictions, {CALLS} calls of {ROWS:,} labels per case",
                "",
                table,
                "",
            ]
        ),
        encoding="utf-8",
    )
    log(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
