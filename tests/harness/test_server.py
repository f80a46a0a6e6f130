"""The server harness on real ``smokejumper serve`` processes over loopback."""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

import httpx
import pytest

from smokejumper.errors import HarnessError, ServerError
from smokejumper.harness import ServerHarness

SCHEMA = {"features": [{"name": "age", "kind": "numeric"}], "prediction_kind": "numeric"}
QUIET = {"SMOKEJUMPER_EVALUATE_EVERY": "0"}


def answers(url: str) -> bool:
    """Whether something answers ``/healthz`` at ``url``."""
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def test_it_starts_healthy_with_an_admin_token_and_stops(tmp_path: Path) -> None:
    home = tmp_path / "home"
    server = ServerHarness(home, env=QUIET).start()
    try:
        assert server.running
        assert server.pid is not None
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert answers(server.url)
        assert f"serving on {server.url}" in server.log.read_text()
        assert server.log == home / "server.log"
        assert (home / "smokejumper.db").exists()  # the default store, in the given home
        assert server.settings.home == home
        assert server.settings.database_url == f"sqlite:///{home / 'smokejumper.db'}"
        with server.admin() as admin:
            assert admin.models() == []
            admin.register_model("churn", SCHEMA)  # the token is an admin's: it may write
        reading = server.create_token("read")
        headers = {"Authorization": f"Bearer {reading}"}
        listed = httpx.get(f"{server.url}/api/v1/models", headers=headers, timeout=10)
        assert [m["name"] for m in listed.json()] == ["churn"]
        with pytest.raises(HarnessError, match="unknown scope 'root'"):
            server.create_token("root")
        with pytest.raises(HarnessError, match="running already"):
            server.start()
    finally:
        code = server.stop()
    # It shut down on SIGTERM (uvicorn re-raises the signal once done), not killed after the grace.
    assert code in (0, -signal.SIGTERM)
    assert server.returncode == code
    assert not server.running
    assert server.pid is None
    assert not answers(server.url)
    assert (home / "smokejumper.db").exists()  # a home given is kept
    assert server.stop() is None


def test_a_killed_server_restarts_on_its_port_home_and_token(
    tmp_path: Path, database_url: str
) -> None:
    with ServerHarness(tmp_path / "home", database_url=database_url, env=QUIET) as server:
        url, token = server.url, server.token
        with server.admin() as admin:
            admin.register_model("churn", SCHEMA)
        assert server.kill() == -9  # kill -9: no shutdown at all
        assert not server.running
        assert not answers(url)
        server.restart()
        assert (server.url, server.token) == (url, token)
        with server.admin() as admin:
            assert [m["name"] for m in admin.models()] == ["churn"]
        assert server.settings.database_url == database_url
        if database_url.startswith("postgresql"):
            assert not (tmp_path / "home" / "smokejumper.db").exists()
        server.restart()  # a running server is stopped first
        assert answers(url)
        assert server.pid is not None
        os.kill(server.pid, signal.SIGKILL)  # it dies by itself, not through the harness
        deadline = time.monotonic() + 10
        while server.running and time.monotonic() < deadline:
            time.sleep(0.05)
        server.start()
        assert server.returncode == -signal.SIGKILL
        assert answers(url)
    assert not answers(url)


def test_several_workers_more_options_and_environment_reach_the_server(tmp_path: Path) -> None:
    env = {**QUIET, "SMOKEJUMPER_MAX_BODY_BYTES": "2000"}
    with ServerHarness(tmp_path / "home", workers=2, env=env) as server:
        assert "2 workers" in server.log.read_text()
        assert server.settings.max_body_bytes == 2000
        with server.admin() as admin:
            admin.register_model("churn", SCHEMA)
            with pytest.raises(ServerError, match="over the limit of 2,000 bytes") as refused:
                admin.set_reference("churn", b"x" * 5000)
        assert refused.value.status == 413
        server.kill()  # the supervisor, then its orphaned workers, which would hold the port
        server.restart()
        with server.admin() as admin:
            assert admin.health()["status"] == "ok"


def test_a_taken_port_is_refused_before_anything_starts(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = ServerHarness(tmp_path / "home", port=port)
        started = time.monotonic()
        with pytest.raises(HarnessError, match=f"port {port} on 127.0.0.1 is in use"):
            server.start()
        assert time.monotonic() - started < 2
        assert not server.running
        assert not (tmp_path / "home" / "smokejumper.db").exists()  # no token made either


def test_a_server_that_cannot_start_says_why(tmp_path: Path) -> None:
    config = tmp_path / "monitors.yaml"
    config.write_text("monitors:\n  - {name: d, model: churn, type: feature_drfit}\n")
    server = ServerHarness(tmp_path / "home", args=["--config", str(config)])
    with pytest.raises(HarnessError, match="exited with code 2 before answering") as failed:
        server.start()
    assert "feature_drfit" in failed.value.log_tail
    assert "feature_drfit" in str(failed.value)
    assert str(server.log) in str(failed.value)
    assert not server.running


def test_a_server_slower_than_the_start_timeout_is_stopped(tmp_path: Path) -> None:
    server = ServerHarness(tmp_path / "home", start_timeout=0.01, env=QUIET)
    with pytest.raises(HarnessError, match=r"did not answer .* within 0.01 s"):
        server.start()
    assert not server.running
    assert server.returncode is not None
    assert not answers(server.url)


def test_a_temporary_home_is_removed_and_the_log_can_go_elsewhere(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "serve.log"
    with ServerHarness(log=log, env=QUIET) as server:
        home = server.home
        assert home.exists()
        assert "serving on" in log.read_text()
    assert not home.exists()
    assert log.exists()


def test_nothing_to_read_before_the_first_start(tmp_path: Path) -> None:
    server = ServerHarness(tmp_path / "home")
    for attribute in ("url", "token"):
        with pytest.raises(HarnessError, match=r"call start\(\) first"):
            getattr(server, attribute)
    assert "no port yet" in repr(server)
    with pytest.raises(HarnessError, match="workers must be 1 or more"):
        ServerHarness(tmp_path / "home", workers=0)
