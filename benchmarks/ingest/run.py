"""The whole run, in order: the server, the scenarios (with a round against a one-worker
server), py-spy, the sustained run, the disk used, then the in-process breakdown."""

from __future__ import annotations

import argparse
import shutil
import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path

from _common import command_line, fmt, git_state, log
from ingest.breakdown import run_breakdown
from ingest.clients import Scenario, ScenarioResult, run_scenario
from ingest.data import ClientSpec
from ingest.memory import run_sustained
from ingest.pyspy import spy_on_server
from ingest.report import Report
from ingest.server import Server
from ingest.settings import ARROW_BATCH, JSON_BATCH, SCRIPT, SWEEP_ARROW, SWEEP_JSON, Json


def main_scenarios(
    duration: float, group: str = "main", round_: int = 1, suffix: str = ""
) -> list[Scenario]:
    """The four main scenarios: JSON and Arrow with 1 and 4 clients."""
    json_, arrow = ClientSpec("json", JSON_BATCH), ClientSpec("arrow", ARROW_BATCH)
    return [
        Scenario(f"{name}{suffix}", group, clients, duration, round_)
        for name, clients in (
            ("json-1", (json_,)),
            ("json-4", (json_,) * 4),
            ("arrow-1", (arrow,)),
            ("arrow-4", (arrow,) * 4),
        )
    ]


def scenarios(args: argparse.Namespace) -> list[Scenario]:
    """The measured scenarios, in order."""
    out = []
    for round_ in range(1, args.rounds + 1):
        out += main_scenarios(args.duration, "main", round_)
    if args.sweep:
        seconds = max(args.duration / 2, 2.0)
        for batch in SWEEP_JSON:
            out.append(
                Scenario(f"sweep-json-{batch}", "sweep", (ClientSpec("json", batch),), seconds)
            )
        for batch in SWEEP_ARROW:
            out.append(
                Scenario(f"sweep-arrow-{batch}", "sweep", (ClientSpec("arrow", batch),), seconds)
            )
    return out


def run_in_turn(
    server: Server, planned: Sequence[Scenario], sample_every: float, run_id: str
) -> list[ScenarioResult]:
    """Each scenario in turn against ``server``, until the server dies."""
    out = []
    for scenario in planned:
        log(f"{scenario.name}: {len(scenario.clients)} client(s), {scenario.duration:g} s ...")
        result = run_scenario(server, scenario, sample_every, run_id)
        log(f"    {result.rate():,.0f} rows/s" if result.ok else f"    FAILED: {result.error}")
        out.append(result)
        if not server.alive():
            break
    return out


def run_single_worker(
    args: argparse.Namespace, home_parent: Path, run_id: str
) -> list[ScenarioResult]:
    """One round of the main scenarios against a second server with one worker process."""
    home = Path(tempfile.mkdtemp(prefix="sj-ingest-single-", dir=home_parent))
    server = Server(home, 1)
    try:
        log(f"server with 1 worker: starting on {server.url}, home {home}")
        server.start()
        server.setup_model()
        planned = main_scenarios(args.duration, "single", suffix=" (1 worker)")
        return run_in_turn(server, planned, args.sample_every, run_id)
    finally:
        server.stop()
        if not args.keep_home:
            shutil.rmtree(home, ignore_errors=True)


def run(args: argparse.Namespace, argv: Sequence[str]) -> Report:
    """Start the server, run every scenario, the sustained run, the breakdown and py-spy."""
    git_at_start = git_state()
    home_parent = args.home_parent or Path(tempfile.gettempdir())
    home_parent.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="sj-ingest-", dir=home_parent))
    server = Server(home, args.workers)
    run_id = uuid.uuid4().hex[:8]
    results: list[ScenarioResult] = []
    sustain = None
    spies: dict[str, Json] = {}
    spy_note = ""
    disk: Json = {}
    notes: list[str] = []
    try:
        log(f"server: starting on {server.url}, home {home}")
        server.start()
        server.setup_model()
        notes.append(
            f"- Server RSS after start and model setup: {fmt(server.rss_mib(), 0)} MiB, "
            f"{server.threads()} threads."
        )
        results += run_in_turn(server, scenarios(args), args.sample_every, run_id)
        if args.single_worker and args.workers > 1 and server.alive():
            results += run_single_worker(args, home_parent, run_id)
        if not args.py_spy:
            spy_note = "Not sampled (`--no-py-spy`)."
        elif server.alive():
            spies, spy_note = spy_on_server(server, args.duration, args.sample_every, run_id)
        if args.sustain > 0 and server.alive():
            sustain = run_sustained(server, args.sustain, args.sample_every, run_id)
        if server.alive():
            notes.append(
                f"- Server peak RSS over the whole run (`VmHWM`): {fmt(server.hwm_mib(), 0)} MiB; "
                f"{server.threads()} threads at the end."
            )
            disk = server.disk_usage()
        else:
            notes.append(f"- The server exited during the run: {server.log_tail()}")
    finally:
        server.stop()
        if args.keep_home:
            log(f"home kept at {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)
    log("breakdown: the ingest path in-process ...")
    breakdown = run_breakdown(args.breakdown_reps, home_parent)
    return Report(
        results=results,
        sustain=sustain,
        breakdown=breakdown,
        spies=spies,
        spy_note=spy_note,
        disk=disk,
        server_notes=notes,
        command=command_line(str(SCRIPT), argv),
        git_at_start=git_at_start,
        home_parent=home_parent,
        workers=args.workers,
    )
