"""The harness's process helpers: ports, environment, stopping a process that will not stop."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from smokejumper.harness import process

IGNORES_SIGTERM = (
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "print('ready', flush=True); time.sleep(60)"
)


def test_a_listening_port_is_not_free_and_a_closed_one_is() -> None:
    with socket.socket() as listener:
        listener.bind((process.LOOPBACK, 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert not process.port_is_free(port)
        assert not process.wait_for_port(port, 0.3)
    assert process.port_is_free(port)
    assert process.wait_for_port(port, 0.0)


def test_the_environment_names_the_home_and_store_and_overrides_last(tmp_path: Path) -> None:
    base = {"PATH": "/bin", "SMOKEJUMPER_DATABASE_URL": "sqlite:///elsewhere.db"}
    env = process.server_env(base, tmp_path, "postgresql://db/x", {"PATH": "/usr/bin"})
    assert env == {
        "PATH": "/usr/bin",
        "SMOKEJUMPER_HOME": str(tmp_path),
        "SMOKEJUMPER_DATABASE_URL": "postgresql://db/x",
    }
    assert "SMOKEJUMPER_DATABASE_URL" not in process.server_env(base, tmp_path, None, {})


def test_a_process_that_ignores_sigterm_is_killed_after_the_grace() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", IGNORES_SIGTERM], stdout=subprocess.PIPE, start_new_session=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"ready\n"  # its handler is in place
    started = time.monotonic()
    assert process.stop(proc, grace=0.5) == -9
    assert 0.4 < time.monotonic() - started < 5
    proc.stdout.close()


def test_the_log_tail_is_what_came_after_the_offset(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_text("old run\n")
    offset = log.stat().st_size
    with log.open("a") as f:
        f.write("\n".join(f"line {i}" for i in range(20)) + "\n")
    assert process.log_tail(log, offset, lines=3) == "line 17 | line 18 | line 19"
    assert "old run" not in process.log_tail(log, offset, lines=50)
    assert process.log_tail(tmp_path / "missing.log") == ""
