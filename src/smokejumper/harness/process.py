"""The server process: loopback ports, its environment, waiting for health, stopping it.

>>> port = free_port()
>>> 1024 <= port < 65536 and port_is_free(port)
True
>>> env = server_env({"PATH": "/bin", "SMOKEJUMPER_DATABASE_URL": "sqlite:///other.db"},
...                  Path("/tmp/sj"), None, {"SMOKEJUMPER_EVALUATE_EVERY": "0"})
>>> sorted(env.items())  # doctest: +NORMALIZE_WHITESPACE
[('PATH', '/bin'), ('SMOKEJUMPER_EVALUATE_EVERY', '0'), ('SMOKEJUMPER_HOME', '/tmp/sj')]
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

from smokejumper.errors import HarnessError

#: The address every harness server listens on.
LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A loopback port nobody listens on right now (the system's pick)."""
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def port_is_free(port: int) -> bool:
    """Whether a server could listen on loopback ``port`` now (connections of a stopped server
    still closing do not count, as the server reuses the address)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((LOOPBACK, port))
        except OSError:
            return False
        return True


def wait_for_port(port: int, timeout: float) -> bool:
    """Wait until ``port`` is free (a killed server's workers may hold it for a moment);
    False if it is still taken after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not port_is_free(port):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def server_env(
    base: Mapping[str, str],
    home: Path,
    database_url: str | None,
    overrides: Mapping[str, str],
) -> dict[str, str]:
    """The environment of the server and of CLI commands run beside it: ``base`` with the
    data in ``home`` and the store at ``database_url`` (default SQLite in ``home``, whatever
    ``base`` says), then ``overrides``."""
    env = {k: v for k, v in base.items() if k != "SMOKEJUMPER_DATABASE_URL"}
    env["SMOKEJUMPER_HOME"] = str(home)
    if database_url:
        env["SMOKEJUMPER_DATABASE_URL"] = database_url
    env.update(overrides)
    return env


def log_tail(log: Path, offset: int = 0, lines: int = 8) -> str:
    """The last ``lines`` lines written to ``log`` after byte ``offset``, joined with `` | ``."""
    try:
        with log.open("rb") as f:
            f.seek(offset)
            text = f.read().decode(errors="replace")
    except OSError:
        return ""
    kept = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(kept[-lines:])


def wait_healthy(
    proc: subprocess.Popen[bytes], url: str, timeout: float, log: Path, offset: int
) -> None:
    """Return once ``url/healthz`` answers 200; raise :class:`HarnessError` with the tail of
    the server's stderr if the process exits first or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise HarnessError(
                f"smokejumper serve exited with code {proc.returncode} before answering on "
                f"{url} (full log in {log})",
                log_tail(log, offset),
            )
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise HarnessError(
        f"smokejumper serve did not answer on {url}/healthz within {timeout:g} s; pass a longer "
        f"start_timeout if the machine is busy (full log in {log})",
        log_tail(log, offset),
    )


#: Seconds to wait for a process to be gone after SIGKILL.
KILL_WAIT = 10.0


def stop(proc: subprocess.Popen[bytes], grace: float) -> int:
    """Stop the server: SIGTERM, then SIGKILL to its whole process group (its workers too)
    if it lingers past ``grace`` seconds. Returns its exit code."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            kill_group(proc)
            proc.wait(timeout=KILL_WAIT)
    return int(proc.returncode)


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process group ``proc`` leads (started with ``start_new_session``), including
    members left after ``proc`` itself exited."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        if proc.poll() is None:
            proc.kill()
