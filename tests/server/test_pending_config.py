"""``serve --config`` before ``model register``: monitors wait for their model, on a real server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.server.support import SCHEMA
from tests.support import admin_token, free_port, start_server

from smokejumper.monitoring.schema import ModelSchema
from smokejumper.store.database import make_engine, session_factory
from smokejumper.store.models import register_model

CONFIG = """\
monitors:
  - {name: churn-drift, model: churn, type: feature_drift, max: 0.2}
slos:
  - {name: churn-drift-slo, monitor: churn-drift, objective: 0.9}
# the alerting part: checked by the parent, handed to each worker (which would not start
# if it could not parse it)
route:
  receiver: ml-team
  routes: [{receiver: on-call, matchers: ['severity="page"']}]
receivers: [{name: ml-team}, {name: on-call}]
"""


@contextmanager
def _serving(
    env: dict[str, str], tmp_path: Path, workers: int
) -> Iterator[tuple[httpx.Client, Path]]:
    """A real ``serve --config`` process on a fresh home; a client with an admin token, and
    the file its stderr goes to."""
    config, log = tmp_path / "monitors.yaml", tmp_path / "serve.log"
    config.write_text(CONFIG)
    token = admin_token(env)
    port = free_port()
    server = start_server(env, port, workers, args=["--config", str(config)], log=log)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=10) as c:
            yield c, log
    finally:
        server.terminate()
        server.wait(timeout=30)


def _within(seconds: float, found: Callable[[], Any]) -> Any:
    """``found()`` once it is truthy, polling for at most ``seconds``; fails the test if not."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"not there after {seconds} s")


def _named(c: httpx.Client, path: str, name: str) -> dict[str, Any] | None:
    response = c.get(path)
    assert response.status_code == 200, response.text
    return next((item for item in response.json() if item["name"] == name), None)


def _register(c: httpx.Client, name: str) -> None:
    response = c.post("/api/v1/models", json={"name": name, "schema": SCHEMA})
    assert response.status_code == 201, response.text


@pytest.mark.slow
def test_monitors_of_an_unregistered_model_wait_for_its_registration(
    tmp_path: Path, database_url: str
) -> None:
    env = {
        **os.environ,
        "SMOKEJUMPER_HOME": str(tmp_path / "home"),
        "SMOKEJUMPER_DATABASE_URL": database_url,
        "SMOKEJUMPER_EVALUATE_EVERY": "0",  # only the registering request can create them
    }
    with _serving(env, tmp_path, workers=2) as (c, log):
        waiting = "model 'churn' is not registered yet: 1 monitor waits for it (churn-drift)"
        assert waiting in log.read_text().splitlines()  # one short line per model
        assert c.get("/api/v1/monitors").json() == []
        _register(c, "churn")
        monitor = _within(10, lambda: _named(c, "/api/v1/monitors", "churn-drift"))
        assert monitor["max"] == 0.2
        assert _named(c, "/api/v1/slos", "churn-drift-slo") is not None
        # Changed through the API afterwards: later registrations (in any worker) keep it.
        changed = {"name": "churn-drift", "model": "churn", "type": "feature_drift", "max": 0.5}
        assert c.post("/api/v1/monitors", json=changed).status_code == 201
        for other in ("fraud", "spam", "ranker"):
            with httpx.Client(base_url=c.base_url, headers=c.headers, timeout=10) as fresh:
                _register(fresh, other)  # a new connection: it may reach the other worker
        assert _named(c, "/api/v1/monitors", "churn-drift") == {**monitor, "max": 0.5}


@pytest.mark.slow
def test_the_evaluator_creates_them_for_a_model_registered_elsewhere(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {**os.environ, "SMOKEJUMPER_HOME": str(home), "SMOKEJUMPER_EVALUATE_EVERY": "0.5"}
    with _serving(env, tmp_path, workers=1) as (c, _):
        assert c.get("/api/v1/monitors").json() == []
        engine = make_engine(f"sqlite:///{home / 'smokejumper.db'}")
        try:
            with session_factory(engine)() as session:  # not through this server
                register_model(session, "churn", ModelSchema.model_validate(SCHEMA), 3600)
                session.commit()
        finally:
            engine.dispose()
        _within(20, lambda: _named(c, "/api/v1/monitors", "churn-drift"))
        assert _named(c, "/api/v1/slos", "churn-drift-slo") is not None


def test_other_mistakes_in_the_monitors_file_still_stop_serve(tmp_path: Path) -> None:
    config = tmp_path / "monitors.yaml"
    config.write_text("monitors:\n  - {name: d, model: churn, type: feature_drfit}\n")
    done = subprocess.run(
        [sys.executable, "-m", "smokejumper", "serve", "--config", str(config)],
        env={**os.environ, "SMOKEJUMPER_HOME": str(tmp_path / "home")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert str(config) in done.stderr
    assert "feature_drfit" in done.stderr
