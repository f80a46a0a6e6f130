"""An acknowledged batch survives a kill -9 of the server right after its 2xx."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest
from tests.server.support import SCHEMA, records
from tests.support import admin_token, free_port, start_server


@pytest.mark.slow
def test_kill_9_loses_no_acknowledged_batch(tmp_path: Path) -> None:
    env = {**os.environ, "SMOKEJUMPER_HOME": str(tmp_path / "home")}
    token = admin_token(env)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"}
    server = start_server(env, port)
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
    server = start_server(env, port)
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
