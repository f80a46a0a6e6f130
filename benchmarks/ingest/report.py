"""Everything one run produced, as the results document (Markdown) and as tables on stdout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from _common import md_table, target_lines, text_table
from ingest.clients import ScenarioResult
from ingest.memory import sustain_section, sustain_summary
from ingest.sections import (
    disk_lines,
    http_overhead_lines,
    machine_lines,
    options_section,
    spy_section,
)
from ingest.settings import BODIES_PER_CLIENT, REFERENCE_ROWS, Json
from ingest.tables import BREAKDOWN_HEADER, MAIN_HEADER, breakdown_rows, main_rows, spy_rows
from ingest.targets import check_targets


@dataclass
class Report:
    """Everything one run produced."""

    results: list[ScenarioResult]
    sustain: ScenarioResult | None
    breakdown: Json
    spies: dict[str, Json]
    spy_note: str
    disk: Json
    server_notes: list[str]
    command: str
    git_at_start: str
    home_parent: Path
    workers: int = 1


def render_markdown(report: Report) -> str:
    """The results document."""
    main = [r for r in report.results if r.scenario.group in ("main", "sweep", "single")]
    parts = [
        "# Ingest throughput: `smokejumper serve`, JSON and Arrow",
        "",
        f"- Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        *machine_lines(report.git_at_start, report.home_parent),
        f"- Command: `{report.command}`",
        "",
        f"{_server_words(report.workers)}, SQLite store in a fresh "
        "`SMOKEJUMPER_HOME`, `SMOKEJUMPER_EVALUATE_EVERY=0`), one model with 20 numeric features "
        f"and a reference ({REFERENCE_ROWS:,} rows), so each batch is profiled per window on "
        "ingest. Clients are separate processes, one keep-alive `httpx.Client` each; every "
        f"client builds {BODIES_PER_CLIENT} request bodies before the timed loop and sends them in "
        "turn (each with its own `Idempotency-Key`; record ids repeat across turns, which the "
        "server does not check), so the client's own cost is small: see *Client CPU s*. "
        "*Rows/s*: new predictions acknowledged with 201 per second of wall time, from the "
        "moment all clients start together to the last answer; *Duplicates* counts answers "
        "with `duplicate: true` (an Idempotency-Key seen before), which are not counted as "
        "rows and should be 0. *Server CPU (cores)*: user + system time of "
        "the server's processes (all threads) over the wall time; *Busiest processes CPU s*: "
        "the same, of the busiest processes (as many as there are workers), which shows how "
        "evenly the clients' connections were spread; *ms/request* is the same per "
        f"request. The four main scenarios run in {_rounds(report)} round(s), one after "
        "the other; the targets use the median over rounds. *Other procs CPU s*: CPU time used "
        "meanwhile by processes other than the server, its clients and this script (from "
        "`/proc/stat`): well above zero means other work competed for the cores. *Steal s*: "
        "CPU time the hypervisor gave to other guests meanwhile. *Probe ms*: a fixed Python "
        "loop timed just before the scenario (best of 5); a higher number means a slower "
        "machine at that moment, and the server's CPU per request moves with it. Clients and "
        "server share the machine's cores. The server keeps running across scenarios, so "
        "later scenarios see a larger store (as a real server would).",
        "",
        "## Throughput",
        "",
        md_table(MAIN_HEADER, main_rows(main)),
        "",
        f"Batch-size rows (*sweep*) run with one client for {_sweep_seconds(report):g} s each."
        + _single_words(report),
        "",
        "## Targets",
        "",
        *target_lines(check_targets(report.results, report.sustain)),
        "",
        *sustain_section(report.sustain),
        "## Where the time goes",
        "",
        "In-process replay of the server's ingest route on the same bodies, stage by stage (a "
        "fresh child process, its own SQLite store on the same disk, no HTTP): median "
        f"milliseconds per batch over {report.breakdown.get('json', {}).get('reps', '?')} "
        "batches after two warm-up batches. The real functions run; stages inside "
        "`ingest.begin()` and `PendingBatch.finish()` are timed by wrapping what they call. The "
        "indented rows are not part of the sum: the first is the raw-log write as it ran on its "
        "helper thread, overlapping the profiling (what the batch still had to wait for shows "
        "as *wait for the raw-log file*); the other two are measured apart (the same table "
        "encoded to memory, then the same bytes written and fsynced).",
        "",
        md_table(BREAKDOWN_HEADER, breakdown_rows(report.breakdown)),
        "",
        *http_overhead_lines(report),
        "",
        *options_section(report.breakdown),
        *spy_section(report),
        "## Disk",
        "",
        *disk_lines(report.disk),
        "",
        "## Notes",
        "",
        *report.server_notes,
        "",
    ]
    return "\n".join(parts)


def _server_words(workers: int) -> str:
    if workers <= 1:
        return "One `smokejumper serve` process (uvicorn, one worker process"
    return (
        f"One `smokejumper serve --workers {workers}` (uvicorn's supervisor and {workers} worker "
        "processes on one port, the clients' connections spread over them by the kernel"
    )


def _single_words(report: Report) -> str:
    if not any(r.scenario.group == "single" for r in report.results):
        return ""
    return (
        " Rows marked *(1 worker)* are one round of the main scenarios against a second, fresh "
        "server started without `--workers` (one process); they are shown for comparison and "
        "not used for the targets."
    )


def _rounds(report: Report) -> int:
    return max((r.scenario.round for r in report.results), default=1)


def _sweep_seconds(report: Report) -> float:
    sweep = [r.scenario.duration for r in report.results if r.scenario.group == "sweep"]
    return sweep[0] if sweep else 0.0


def print_summary(report: Report) -> None:
    """The tables on stdout."""
    main = [r for r in report.results if r.scenario.group in ("main", "sweep", "single")]
    print(text_table(MAIN_HEADER, main_rows(main)))
    print()
    sustained = sustain_summary(report.sustain)
    if sustained is not None:
        print(sustained)
        print()
    print(text_table(BREAKDOWN_HEADER, breakdown_rows(report.breakdown)))
    print()
    if report.spies:
        print(text_table(("Stage", *report.spies), spy_rows(report.spies)))
        print()
    for line in target_lines(check_targets(report.results, report.sustain)):
        print(line.replace("**", ""))
