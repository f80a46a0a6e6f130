"""``smokejumper serve --workers N``: one store, one evaluator, nothing lost on kill -9."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.server.support import SCHEMA, records
from tests.support import admin_token, free_port, start_server

from smokejumper.server import evaluator as evaluator_module
from smokejumper.server.evaluator import Evaluator
from smokejumper.server.state import AppState
from smokejumper.settings import Settings
from smokejumper.store.database import make_engine, session_factory
from smokejumper.store.rawlog import RawLog


def _gone(port: int, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5)
        except httpx.TransportError:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
def test_workers_share_the_store_and_die_with_their_parent(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SMOKEJUMPER_HOME": str(tmp_path / "home"),
        "SMOKEJUMPER_EVALUATE_EVERY": "0.2",
    }
    token = admin_token(env)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"}
    server = start_server(env, port, 2)
    answers: list[dict[str, Any]] = []
    try:
        with httpx.Client(base_url=url, headers=headers, timeout=30) as c:
            assert c.post("/api/v1/models", json={"name": "m", "schema": SCHEMA}).status_code == 201

        # a retry sends the very same body (other content under a used key is a 409)
        bodies = {k: json.dumps(records(20, 20 * k)) for k in range(15)}

        def send(first: int) -> None:
            with httpx.Client(base_url=url, headers=headers, timeout=30) as c:
                for i in range(first, first + 10):
                    key = f"batch-{i % 15}"  # keys 0-4 are sent by two threads at once
                    r = c.post(
                        "/api/v1/models/m/predictions",
                        content=bodies[i % 15],
                        headers={"Idempotency-Key": key, "Content-Type": "application/json"},
                    )
                    assert r.status_code == 201, r.text
                    answers.append(r.json())

        threads = [threading.Thread(target=send, args=(k,)) for k in (0, 10, 20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(answers) == 30
        fresh = Counter(a["batch_id"] for a in answers if not a["duplicate"])
        assert fresh == Counter({f"batch-{k}": 1 for k in range(15)})  # each key stored once
        with httpx.Client(base_url=url, headers=headers, timeout=30) as c:
            windows = c.get("/api/v1/models/m/windows").json()
        assert sum(w["rows"] for w in windows) == 15 * 20
        server.send_signal(signal.SIGKILL)  # the supervisor only: its workers must follow
        server.wait(timeout=10)
        assert _gone(port), "workers kept serving after their parent was killed"
    finally:
        if server.poll() is None:
            server.kill()
    server = start_server(env, port, 1)
    try:
        with httpx.Client(base_url=url, headers=headers, timeout=30) as c:
            windows = c.get("/api/v1/models/m/windows").json()
            assert sum(w["rows"] for w in windows) == 15 * 20
    finally:
        server.kill()
        server.wait(timeout=10)


def test_one_evaluator_per_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(home=tmp_path, evaluate_every=0.05)
    engine = make_engine(settings.database_url)
    passes: Counter[int] = Counter()

    class Summary:
        windows = observations = 0

    def count(session: object, raw_log: object, **_: object) -> Summary:
        passes[threading.get_ident()] += 1
        return Summary()

    monkeypatch.setattr(evaluator_module, "run_once", count)
    app = AppState(settings, engine, session_factory(engine), RawLog(tmp_path / "raw"))
    first, second = Evaluator(app), Evaluator(app)  # as two worker processes would
    try:
        first.start()
        time.sleep(0.3)
        second.start()
        time.sleep(0.5)
        assert len(passes) == 1  # the second never got the lock
        first.stop()
        before = sum(passes.values())
        time.sleep(0.5)
        assert len(passes) == 2  # the second took over once the first let go
        assert sum(passes.values()) > before
    finally:
        first.stop()
        second.stop()
        engine.dispose()
