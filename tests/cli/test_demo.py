"""``smokejumper demo`` as users run it: the drift report, then a real monitoring service."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from smokejumper.cli.demo_tour import TOUR_FILES


def demo_env(home: Path, **env: str) -> dict[str, str]:
    return {**os.environ, "SMOKEJUMPER_HOME": str(home), "COLUMNS": "200", **env}


def run_demo(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``smokejumper demo ARGS`` in a process of its own without a terminal (so it exits after
    its summary, as with --no-serve), with its data in ``home``."""
    return subprocess.run(
        [sys.executable, "-m", "smokejumper", "demo", *args],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        text=True,
        env=demo_env(home, **env),
        timeout=180,
    )


def serving_demo(home: Path) -> tuple[subprocess.Popen[str], str]:
    """``smokejumper demo`` as a newcomer runs it, up to where it says its service is still
    running: the process and what it printed so far."""
    process = subprocess.Popen(
        [sys.executable, "-m", "smokejumper", "demo", "--serve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=demo_env(home),
    )
    assert process.stdout is not None
    printed: list[str] = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        printed.append(line)
        if "Press Ctrl-C to stop it" in line:
            return process, "".join(printed)
    process.kill()
    raise AssertionError("the demo did not say its service is running:\n" + "".join(printed))


def assert_server_stopped(home: Path) -> None:
    """The demo's server said where it listened, and nothing listens there any more."""
    log = (home / "demo-service" / "server.log").read_text()
    url = re.search(r"serving on (http://127\.0\.0\.1:\d+)", log)
    assert url is not None, log
    try:
        httpx.get(f"{url.group(1)}/healthz", timeout=2)
    except httpx.TransportError:
        return
    raise AssertionError(f"the demo left its server running at {url.group(1)}")


def lines_with(text: str, *words: str) -> list[str]:
    return [line for line in text.splitlines() if all(w in line for w in words)]


@pytest.mark.slow
def test_demo_shows_the_service_catching_the_drift(tmp_path: Path) -> None:
    home = tmp_path / "home"
    process, printed = serving_demo(home)
    try:
        # At the end the service keeps running; the URL and token it prints sign in.
        url = re.search(r"export SMOKEJUMPER_URL=(\S+) SMOKEJUMPER_TOKEN=(\S+)", printed)
        assert url is not None, printed
        headers = {"Authorization": f"Bearer {url.group(2)}"}
        incident = httpx.get(f"{url.group(1)}/api/v1/incidents/INC-1", headers=headers).json()
        assert incident["status"] == "closed"
        assert len(httpx.get(f"{url.group(1)}/api/v1/actions", headers=headers).json()) == 2
    finally:
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=60)
    assert process.returncode == 0, printed + rest
    assert "Stopping the demo's service." in rest
    out = subprocess.CompletedProcess(process.args, 0, printed + rest, "")
    assert "income" in (home / "reports" / "demo-drift.html").read_text()

    # Windows: three like the reference, three of the October data, drifted.
    assert len(lines_with(out.stdout, "1,66", "none (0/8)")) == 3, out.stdout
    assert len(lines_with(out.stdout, "1,66", "DRIFT", "income", "employment")) == 3, out.stdout
    # Unhealthy observations, from the monitors the demo declared.
    assert len(lines_with(out.stdout, "loans-drift", "income")) == 3, out.stdout
    assert len(lines_with(out.stdout, "loans-credit-nulls", "<= 0.05")) == 3, out.stdout
    # Accuracy, latency and volume are fine: the failure is silent to them.
    assert not lines_with(out.stdout, "loans-accuracy"), out.stdout
    assert not lines_with(out.stdout, "loans-p99"), out.stdout
    assert not lines_with(out.stdout, "loans-volume"), out.stdout
    # The SLO on missing credit scores burnt its budget: it pages.
    assert lines_with(out.stdout, "loans-data-quality", "3 of 6", "page"), out.stdout
    # The alerts' notification went through the outbox and the Slack receiver to a stand-in.
    assert "3 alert(s) fired" in out.stdout, out.stdout
    assert lines_with(out.stdout, "[FIRING:3] loans"), out.stdout
    assert lines_with(out.stdout, "income: wasserstein"), out.stdout
    assert lines_with(out.stdout, "Null share of credit_score"), out.stdout
    # The SLO's page opened an incident holding the model's alerts, with their onsets.
    assert "The page opened incident INC-1 (SEV2, triage)" in out.stdout, out.stdout
    assert len(lines_with(out.stdout, "ONSET", "onset")) == 2, out.stdout
    assert len(lines_with(out.stdout, "alert_fired")) == 3, out.stdout
    assert "The service part took" in out.stdout
    # The incident ran to its end and its post-mortem was written from the recorded facts.
    flat = " ".join(out.stdout.split())
    assert "it is final and the incident is closed" in flat, out.stdout
    assert "Predictions affected 5,000 of 5,000" in flat, out.stdout
    written = home / "demo-service" / "postmortems"
    markdown = (written / "postmortem-INC-1.md").read_text()
    assert markdown.startswith("# Post-mortem INC-1: ")
    assert "| Status | final (incident closed) |" in markdown
    assert "- **Process**: no null-share gate in the feature pipeline" in markdown
    # The incident was diagnosed when it opened: the broken run is the first of the causes.
    assert "Hypotheses for INC-1" in out.stdout, out.stdout
    assert lines_with(out.stdout, "data_quality", "etl/credit_bureau_join"), out.stdout
    assert "diagnosis: 1. pipeline job etl/credit_bureau_join" in markdown, markdown
    # The upstream run that broke is on the incident's timeline, before the onset.
    assert lines_with(out.stdout, "before onset", "etl/credit_bureau_join", "6,630 rows"), (
        out.stdout
    )
    assert (
        "| ACT-1: Refuse feature outputs whose credit_score null share is over 5% | prevent |"
        in markdown
    )
    assert (written / "postmortem-INC-1.pdf").read_bytes().startswith(b"%PDF-")
    assert "<svg" in (written / "postmortem-INC-1.html").read_text()
    assert_server_stopped(home)
    # It leaves the files of README.md's tour (tests/cli/test_readme_tour.py follows it).
    assert sorted(p.name for p in (home / "tour").iterdir()) == sorted(TOUR_FILES)
    assert f"five-minute tour are in {home.resolve() / 'tour'}" in " ".join(out.stdout.split())

    # A rerun starts afresh (the same windows, not twice the rows); run without a terminal, it
    # exits after its summary without being told --no-serve.
    again = run_demo(home)
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(lines_with(again.stdout, "1,66", "DRIFT")) == 3, again.stdout
    assert_server_stopped(home)


@pytest.mark.slow
def test_demo_fails_loudly_when_the_service_part_fails(tmp_path: Path) -> None:
    home = tmp_path / "home"
    # the reference upload gets 413
    out = run_demo(home, "--no-serve", SMOKEJUMPER_MAX_BODY_BYTES="2000")
    assert out.returncode == 1, out.stdout + out.stderr
    assert "the monitoring service demo failed: uploading the reference" in out.stderr
    assert "413" in out.stderr
    assert (home / "reports" / "demo-drift.html").exists()  # the drift report came first
    assert_server_stopped(home)
