"""py-spy on the live server: sample it during one extra JSON and one extra Arrow run with 4
clients, and group the samples by ingest stage (the innermost matching frame decides)."""

from __future__ import annotations

import contextlib
import inspect
import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import log, version
from ingest.clients import Scenario, ScenarioResult, run_scenario
from ingest.data import ClientSpec
from ingest.server import Server
from ingest.settings import ARROW_BATCH, JSON_BATCH, Json
from ingest.stages import STAGES_JSON


def _py_spy() -> str | None:
    local = Path(sys.executable).with_name("py-spy")
    return str(local) if local.exists() else shutil.which("py-spy")


def _lines_with(func: Callable[..., Any], needle: str) -> set[int]:
    lines, start = inspect.getsourcelines(func)
    return {start + i for i, text in enumerate(lines) if needle in text}


@dataclass(frozen=True)
class _Rule:
    category: str
    path: str  # suffix of the file, e.g. "store/rawlog.py"
    function: str
    lines: frozenset[int] | None = None  # only these lines of the function, if given


def _stage_rules() -> list[_Rule]:
    """How a sampled stack maps to an ingest stage: the innermost matching frame decides."""
    from smokejumper.service import ingest as ingest_module
    from smokejumper.store import rawlog

    fsync = _lines_with(rawlog.RawLog.write, "fsync")
    finish = ingest_module.PendingBatch.finish
    commit = _lines_with(finish, "session.commit()")
    wait = _lines_with(finish, "self.written.result()")
    gate = _lines_with(ingest_module.accept_batch, "with gate:")
    return [
        _Rule("raw log: fsync (file + folder)", "store/rawlog.py", "write", frozenset(fsync)),
        _Rule("raw log: fsync (file + folder)", "store/rawlog.py", "_fsync_dir"),
        _Rule("raw log: Parquet encode", "store/rawlog.py", "encode"),
        _Rule("raw log: file write", "store/rawlog.py", "write"),
        _Rule("ingest: commit", "monitoring/ingest.py", "finish", frozenset(commit)),
        _Rule(
            "ingest: wait for the raw-log file", "monitoring/ingest.py", "finish", frozenset(wait)
        ),
        _Rule("ingest: insert rows", "monitoring/ingest.py", "finish"),
        _Rule("ingest: duplicate-key query", "monitoring/ingest.py", "_stored_batch"),
        _Rule("ingest: serialize window profiles", "stats/serialize.py", "dumps"),
        _Rule("reference: deserialize (cache miss)", "stats/serialize.py", "loads"),
        _Rule("ingest: window profiles (window_parts)", "monitoring/ingest.py", "window_parts"),
        _Rule("ingest: rest", "monitoring/ingest.py", "begin"),
        _Rule(STAGES_JSON[1], "monitoring/batch.py", "records_to_table"),
        _Rule(STAGES_JSON[0], "routes/ingest.py", "_records"),
        _Rule("Arrow: read IPC stream", "server/body.py", "arrow_stream"),
        _Rule("Arrow: validate + cast", "monitoring/batch.py", "arrow_to_table"),
        _Rule(HTTP_CATEGORIES[1], "server/body.py", "read_body"),
        _Rule("auth: token lookup", "server/auth.py", "lookup"),
        _Rule("auth: token lookup", "server/auth.py", "check"),
        _Rule("model + schema + reference lookup", "server/references.py", "model"),
        _Rule("model + schema + reference lookup", "server/references.py", "schema"),
        _Rule("model + schema + reference lookup", "server/references.py", "_reference"),
        _Rule(
            "route: waiting for the ingest gate",
            "service/ingest.py",
            "accept_batch",
            frozenset(gate),
        ),
        _Rule("route: rest of store()", "service/ingest.py", "accept_batch"),
        _Rule("route: rest of store()", "routes/ingest.py", "store"),
    ]


HTTP_CATEGORIES = (
    "HTTP server stack (uvicorn, h11, Starlette, FastAPI, asyncio, threads)",
    "HTTP: read request body",
)
_FRAME = re.compile(r"^(?P<function>.*) \((?P<path>.*):(?P<line>\d+)\)$")
_HTTP_PARTS = ("uvicorn", "h11", "starlette", "fastapi", "anyio", "asyncio", "concurrent")


def _categorise(stack: str, rules: Sequence[_Rule]) -> str:
    frames = [_FRAME.match(f.strip()) for f in stack.split(";")]
    for match in reversed(frames):
        if match is None:
            continue
        path = match["path"].replace("\\", "/")
        function = match["function"].rsplit(".", 1)[-1]  # py-spy shows Class.method
        for rule in rules:
            if (
                function == rule.function
                and path.endswith(rule.path)
                and (rule.lines is None or int(match["line"]) in rule.lines)
            ):
                return rule.category
    if any(m is not None and any(p in m["path"] for p in _HTTP_PARTS) for m in frames):
        return HTTP_CATEGORIES[0]
    return "other"


def profile_server(
    server: Server, scenario: Scenario, sample_every: float, run_id: str
) -> tuple[ScenarioResult, Json]:
    """Run ``scenario`` while py-spy samples the server; samples per ingest stage."""
    tool = _py_spy()
    assert tool is not None
    output = server.home / f"py-spy-{scenario.name}.txt"
    # py-spy starts sampling at once; the clients need a few seconds to build and warm up,
    # so it records for longer and the idle start does not count (idle threads are skipped).
    seconds = int(scenario.duration + 30)
    command = [tool, "record", "--pid", str(server.pid), "--duration", str(seconds)]
    if server.workers > 1:
        command.append("--subprocesses")
    command += ["--rate", "100", "--format", "raw", "--nonblocking", "--output", str(output)]
    spy = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    result = run_scenario(server, scenario, sample_every, run_id)
    with contextlib.suppress(ProcessLookupError):
        spy.send_signal(signal.SIGINT)  # stop early; py-spy writes what it has
    try:
        spy_out, _ = spy.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        spy.kill()
        spy_out, _ = spy.communicate()
    if not output.exists():
        return result, {"error": (spy_out or "py-spy wrote nothing").strip()[-300:]}
    rules = _stage_rules()
    counts: Counter[str] = Counter()
    for line in output.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            counts[_categorise(stack, rules)] += int(count)
    total = sum(counts.values())
    return result, {"samples": total, "shares": {k: v / total for k, v in counts.items()}}


def spy_on_server(
    server: Server, duration: float, sample_every: float, run_id: str
) -> tuple[dict[str, Json], str]:
    """The py-spy runs (not counted in the throughput table): shares per stage, and a note."""
    spies: dict[str, Json] = {}
    tool = _py_spy()
    if tool is None:
        return spies, "py-spy is not installed (`.venv/bin/pip install py-spy`): not sampled."
    seconds = max(duration / 2, 3.0)
    for name, spec in (
        ("json-4", ClientSpec("json", JSON_BATCH)),
        ("arrow-4", ClientSpec("arrow", ARROW_BATCH)),
    ):
        log(f"py-spy on {name} ({seconds:g} s) ...")
        scenario = Scenario(f"profile-{name}", "profile", (spec,) * 4, seconds)
        profiled, summary = profile_server(server, scenario, sample_every, run_id)
        summary["rate"] = profiled.rate()
        spies[f"{name} (% of samples)"] = summary
    spy_note = (
        f"py-spy {version('py-spy')} recording the server at 100 Hz (`--nonblocking`"
        + (", `--subprocesses`: every worker" if server.workers > 1 else "")
        + ") "
        f"during one extra {seconds:g} s run each of JSON and Arrow with 4 clients "
        "(these runs are not in the throughput table; rows/s while sampled: "
        + ", ".join(f"{k.split(' ')[0]} {v.get('rate', 0):,.0f}" for k, v in spies.items())
        + "). Every sample of a thread that was running is counted (event loop and "
        "worker threads alike; threads waiting for the GIL count as running). A "
        "sample goes to the innermost Smokejumper stage on its stack; frames of "
        "uvicorn/h11/Starlette/FastAPI/asyncio outside any stage count as HTTP."
    )
    errors = [f"{k}: {v['error']}" for k, v in spies.items() if "error" in v]
    if errors:
        spy_note += " Errors: " + "; ".join(errors)
        spies = {k: v for k, v in spies.items() if "error" not in v}
    return spies, spy_note
