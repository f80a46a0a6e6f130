"""An acknowledged batch survives a kill -9 of the server right after its 2xx."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import httpx
from tests.server.test_api import SCHEMA, records


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(
    env: dict[str, str],
    port: int,
    workers: int = 1,
    *,
    args: Sequence[str] = (),
    log: Path | None = None,
) -> subprocess.Popen[bytes]:
    """``smokejumper serve`` on ``port`` (``workers`` processes), once it answers /healthz.

    ``args`` are more options of ``serve``; its stderr goes to ``log`` when given.
    """
    command = [sys.executable, "-m", "smokejumper", "serve", "--port", str(port), *args]
    with log.open("wb") if log is not None else open(os.devnull, "wb") as errors:
        proc = subprocess.Popen(
            [*command, "--workers", str(workers)] if workers > 1 else command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


def _admin_token(env: dict[str, str]) -> str:
    """A new admin token, made with the CLI in the server's home."""
    return subprocess.run(
        [sys.executable, "-m", "smokejumper", "token", "create", "--scope", "admin"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_kill_9_loses_no_acknowledged_batch(tmp_path: Path) -> None:
    env = {**os.environ, "SMOKEJUMPER_HOME": str(tmp_path / "home")}
    token = _admin_token(env)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"}
    server = _start(env, port)
    acknowledged: list[str] = []
    bodies: dict[str, str] = {}  # a retry sends the very same body under its key
    stop = threading.Event()

    def send() -> None:
        with httpx.Client(base_url=url, headers=headers, timeout=5) as c:
            i = 0
            while not stop.is_set():
                key = f"batch-{i}"
                bodies[key] = json.dumps(records(20, 20 * i))
                try:
                    r = c.post(
                        "/api/v1/models/m/predictions",
                        content=bodies[key],
                        headers={"Idempotency-Key": key, "Content-Type": "application/json"},
                    )
                except httpx.TransportError:
                    return  # the server is gone
                if r.status_code == 201:
                    acknowledged.append(key)
                i += 1

    try:
        with httpx.Client(base_url=url, headers=headers) as c:
            assert c.post("/api/v1/models", json={"name": "m", "schema": SCHEMA}).status_code == 201
        sender = threading.Thread(target=send)
        sender.start()
        while len(acknowledged) < 15:
            time.sleep(0.01)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        stop.set()
        sender.join(timeout=10)
    finally:
        if server.poll() is None:
            server.kill()
    server = _start(env, port)
    try:
        with httpx.Client(base_url=url, headers=headers, timeout=10) as c:
            total = sum(w["rows"] for w in c.get("/api/v1/models/m/windows").json())
            assert total >= 20 * len(acknowledged)
            for key in acknowledged:  # every acknowledged batch is there: a retry is a duplicate
                r = c.post(
                    "/api/v1/models/m/predictions",
                    content=bodies[key],
                    headers={"Idempotency-Key": key, "Content-Type": "application/json"},
                )
                assert r.json()["duplicate"] is True, key
    finally:
        server.kill()
        server.wait(timeout=10)
