"""The MLflow poller against a real MLflow tracking server (SQLite backend) started here, changed
with the real MLflow client, and a real ``smokejumper serve`` read through its HTTP API: new
versions, stage transitions and alias moves reach the change log and an incident's
reconstruction; a restart neither repeats nor misses a move; an MLflow that goes away is
reported in ``/healthz`` and ``/metrics`` (of every worker process), retried, and picked up
again when it is back."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from mlflow import MlflowClient
from tests.server.mlflow_support import MlflowServer

from smokejumper.harness import ServerHarness
from smokejumper.service.pollers import mlflow_rest
from smokejumper.service.pollers.mlflow_config import MlflowConfig

pytestmark = pytest.mark.slow

T = TypeVar("T")
CONFIG = """\
integrations:
  mlflow:
    tracking_uri: {url}
    poll_every: 1s
    retry_max: 2s
    timeout: 2s
    models: [{models}]
"""


@pytest.fixture(scope="module")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    """One MLflow server for the module (it takes seconds to start)."""
    server = MlflowServer(tmp_path_factory.mktemp("mlflow"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mlflow(mlflow_server: MlflowServer) -> MlflowServer:
    """The module's MLflow server, running (a test may have stopped it)."""
    if not mlflow_server.running:
        mlflow_server.start()
    return mlflow_server


def smokejumper(
    tmp_path: Path, mlflow: MlflowServer, models: str, workers: int = 1
) -> ServerHarness:
    config = tmp_path / "serve.yaml"
    config.write_text(CONFIG.format(url=mlflow.url, models=models))
    return ServerHarness(
        tmp_path / "home",
        args=["--config", str(config)],
        workers=workers,
        env={"SMOKEJUMPER_EVALUATE_EVERY": "0", "SMOKEJUMPER_DELIVER_EVERY": "0"},
    )


def until(check: Callable[[], T | None], what: str, timeout: float = 60.0) -> T:
    """The first truthy answer of ``check``, polled until ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.25)
    raise AssertionError(f"waited {timeout:g} s for {what}")


def api(server: ServerHarness) -> httpx.Client:
    return httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {server.token}"}, timeout=10
    )


def health(server: ServerHarness) -> dict[str, Any]:
    answer = httpx.get(f"{server.url}/healthz", timeout=10)
    assert answer.status_code == 200
    found: dict[str, Any] = answer.json()["details"]["mlflow"]
    return found


def changes(server: ServerHarness, model: str) -> list[dict[str, Any]]:
    with api(server) as c:
        answer = c.get("/api/v1/changes", params={"model": model})
    assert answer.status_code == 200
    found: list[dict[str, Any]] = answer.json()
    return found


def summaries(server: ServerHarness, model: str) -> Counter[str]:
    return Counter(c["summary"] for c in changes(server, model))


def recorded(server: ServerHarness, model: str, summary: str) -> dict[str, Any] | None:
    return next((c for c in changes(server, model) if c["summary"] == summary), None)


def metric(server: ServerHarness, name: str) -> float | None:
    with api(server) as c:
        text = c.get("/metrics").text
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    return None


def polls_after(server: ServerHarness, when: str | None, n: int = 2) -> None:
    """Wait until ``n`` more polls have succeeded after the one at ``when``."""
    for _ in range(n):
        when = until(
            lambda w=when: (h := health(server))["last_success_at"] != w and h["last_success_at"],
            "the next poll",
        )


def test_versions_stages_and_alias_moves_reach_the_change_log_and_the_incident(
    mlflow: MlflowServer, tmp_path: Path
) -> None:
    client = MlflowClient(tracking_uri=mlflow.url, registry_uri=mlflow.url)
    client.create_registered_model("churn")
    client.create_model_version("churn", source="s3://models/churn/1")
    client.set_registered_model_alias("churn", "champion", "1")
    client.create_registered_model("unwatched")

    with smokejumper(tmp_path, mlflow, "churn") as server:
        # the first poll is the baseline: what MLflow holds already is not recorded
        until(lambda: health(server)["status"] == "ok", "the baseline poll")
        assert health(server)["model_versions"] == 1
        assert changes(server, "churn") == []

        client.create_model_version("churn", source="s3://models/churn/2")
        client.create_model_version("unwatched", source="s3://models/unwatched/1")
        new = until(
            lambda: recorded(server, "churn", "new version v2 of churn in MLflow"), "version 2"
        )
        assert new["kind"] == "model_version"
        assert new["source"] == "mlflow"
        assert new["link"] == f"{mlflow.url}/#/models/churn/versions/2"

        with pytest.warns(FutureWarning, match="stages"):  # stages are deprecated in MLflow 3
            client.transition_model_version_stage("churn", "2", "Production")
        staged = until(
            lambda: recorded(server, "churn", "v2 moved from stage None to Production"), "stage"
        )
        assert staged["kind"] == "alias_move"
        assert staged["details"]["move"] == "stage"

        client.set_registered_model_alias("churn", "champion", "2")
        move = until(
            lambda: recorded(server, "churn", "alias champion moved from v1 to v2"), "alias move"
        )
        assert move["kind"] == "alias_move"
        assert (move["details"]["old_version"], move["details"]["new_version"]) == ("1", "2")
        assert move["link"] == f"{mlflow.url}/#/models/churn/versions/2"
        assert changes(server, "unwatched") == []  # not in `models`

        # an incident of the model shows the alias move before it began
        with api(server) as c:
            made = c.post(
                "/api/v1/incidents",
                json={
                    "title": "churn scores drop",
                    "severity": "SEV2",
                    "by": "ana",
                    "models": ["churn"],
                },
            )
            assert made.status_code == 201, made.text
            incident = made.json()["id"]
            rebuilt = c.get(f"/api/v1/incidents/{incident}/reconstruction").json()
            shown = c.get(f"/api/v1/incidents/{incident}").json()
        [item] = [i for i in rebuilt["items"] if i["summary"] == move["summary"]]
        assert item["kind"] == "alias_move"
        assert item["model"] == "churn"
        assert item["source"] == "mlflow"
        assert item["before_onset"] is True
        assert item["details"]["new_version"] == "2"
        assert {i["summary"] for i in rebuilt["items"] if i["kind"] == "alias_move"} == {
            "new version v2 of churn in MLflow",
            "v2 moved from stage None to Production",
            "alias champion moved from v1 to v2",
        }
        assert move["summary"] in {c["summary"] for c in shown["changes"]}

        # stopped: moves made meanwhile are found at the next start, old ones not repeated
        server.stop()
        client.set_registered_model_alias("churn", "champion", "1")
        client.create_model_version("churn", source="s3://models/churn/3")
        server.start()
        until(
            lambda: recorded(server, "churn", "alias champion moved from v2 to v1"),
            "the move made while Smokejumper was down",
        )
        until(lambda: recorded(server, "churn", "new version v3 of churn in MLflow"), "v3")
        polls_after(server, health(server)["last_success_at"])
        assert summaries(server, "churn") == Counter(
            {
                "new version v2 of churn in MLflow": 1,
                "v2 moved from stage None to Production": 1,
                "alias champion moved from v1 to v2": 1,
                "alias champion moved from v2 to v1": 1,
                "new version v3 of churn in MLflow": 1,
            }
        )
        assert health(server)["changes_recorded"] == 5


def test_an_unreachable_mlflow_is_reported_retried_and_never_stops_the_server(
    mlflow: MlflowServer, tmp_path: Path
) -> None:
    client = MlflowClient(tracking_uri=mlflow.url, registry_uri=mlflow.url)
    client.create_registered_model("fraud")
    client.create_model_version("fraud", source="s3://models/fraud/1")
    client.create_model_version("fraud", source="s3://models/fraud/2")

    # two worker processes: the configuration is handed to both, one polls, both report
    with smokejumper(tmp_path, mlflow, "fraud", workers=2) as server:
        until(lambda: health(server)["status"] == "ok", "the baseline poll")
        assert metric(server, "smokejumper_mlflow_up") == 1.0
        assert metric(server, "smokejumper_mlflow_poll_errors_total") == 0.0

        mlflow.stop()
        down = until(lambda: (h := health(server))["status"] == "error" and h, "the error")
        search = f"GET {mlflow.url}/api/2.0/mlflow/registered-models/search"
        assert down["last_error"].startswith(search), down["last_error"]
        assert down["failing_since"] is not None
        # retried: the failures go on being counted, in /healthz and /metrics alike
        until(lambda: health(server)["consecutive_failures"] >= 3, "three failed polls")
        assert metric(server, "smokejumper_mlflow_up") == 0.0
        errors = metric(server, "smokejumper_mlflow_poll_errors_total")
        assert errors is not None
        assert errors >= 3
        in_a_row = metric(server, "smokejumper_mlflow_consecutive_poll_errors")
        assert in_a_row is not None
        assert in_a_row >= errors  # no success since: every error so far is in the row
        # ... and the server goes on serving
        assert server.running
        with api(server) as c:
            assert c.get("/api/v1/changes").status_code == 200

        mlflow.start()
        back = until(lambda: (h := health(server))["status"] == "ok" and h, "the recovery")
        assert back["consecutive_failures"] == 0
        assert back["errors_total"] >= errors
        assert back["last_error"] is None
        assert metric(server, "smokejumper_mlflow_up") == 1.0
        last = metric(server, "smokejumper_mlflow_last_success_timestamp_seconds")
        assert last is not None
        assert abs(last - time.time()) < 60

        client = MlflowClient(tracking_uri=mlflow.url, registry_uri=mlflow.url)
        client.set_registered_model_alias("fraud", "champion", "2")
        until(lambda: recorded(server, "fraud", "alias champion set to v2"), "the alias")
        polls_after(server, health(server)["last_success_at"])
        assert summaries(server, "fraud") == Counter({"alias champion set to v2": 1})
        assert server.running


def test_every_page_of_both_searches_is_read(
    mlflow: MlflowServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = MlflowClient(tracking_uri=mlflow.url, registry_uri=mlflow.url)
    for name in ("paged-a", "paged-b", "paged-c"):
        client.create_registered_model(name)
        for n in range(3):
            client.create_model_version(name, source=f"s3://models/{name}/{n}")
        client.set_registered_model_alias(name, "champion", "3")
    monkeypatch.setattr(mlflow_rest, "MODELS_PAGE", 2)
    monkeypatch.setattr(mlflow_rest, "VERSIONS_PAGE", 2)
    with httpx.Client() as http:
        found = mlflow_rest.fetch_snapshot(http, MlflowConfig(mlflow.url))
    for name in ("paged-a", "paged-b", "paged-c"):
        assert sorted(found.models[name].versions) == ["1", "2", "3"]
        assert found.models[name].aliases == {"champion": "3"}
