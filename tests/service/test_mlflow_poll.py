"""The MLflow poller's service side on real stores (SQLite and PostgreSQL): the first poll is a
baseline, later ones record what changed with the new state in one unit of work, a restart
(a new poll against the stored state) neither repeats nor misses a move, failures are counted
and reported; and its configuration, whose mistakes name FILE:LINE."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from smokejumper.changes.registry import ModelState, RegistrySnapshot, VersionState
from smokejumper.errors import ConfigFileError
from smokejumper.service.changes import list_changes
from smokejumper.service.config_file import parse_config_text
from smokejumper.service.pollers.mlflow_config import MlflowConfig, parse_mlflow
from smokejumper.service.pollers.mlflow_poll import apply_snapshot, poll_status, record_failure

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
CONFIG = MlflowConfig("http://bot:pw@mlflow.internal:5000", ui_url="http://mlflow.internal:5000")


def registry(champion: str, versions: int, stage_of_2: str = "None") -> RegistrySnapshot:
    made = {
        str(n): VersionState(
            stage=stage_of_2 if n == 2 else "None",
            created_ms=int((T0 + timedelta(minutes=n)).timestamp() * 1000),
            updated_ms=int((T0 + timedelta(minutes=n)).timestamp() * 1000),
        )
        for n in range(1, versions + 1)
    }
    return RegistrySnapshot({"churn": ModelState(made, {"champion": champion})})


def test_baseline_then_changes_then_a_restart_that_neither_repeats_nor_misses(
    sessions: sessionmaker[Session],
) -> None:
    first = apply_snapshot(sessions, CONFIG, registry("1", 2), T0 + timedelta(hours=1))
    assert first.baseline
    assert first.recorded == ()
    assert list_changes(sessions, model="churn") == []  # the baseline records nothing

    again = apply_snapshot(sessions, CONFIG, registry("2", 3), T0 + timedelta(hours=2))
    assert not again.baseline
    assert set(again.recorded) == {
        "new version v3 of churn in MLflow",
        "alias champion moved from v1 to v2",
    }

    # the same state seen again (as after a restart with nothing done meanwhile): nothing new
    same = apply_snapshot(sessions, CONFIG, registry("2", 3), T0 + timedelta(hours=3))
    assert same.recorded == ()
    # moves made while the server was down are found against the stored state
    down = apply_snapshot(sessions, CONFIG, registry("3", 3, "Production"), T0 + timedelta(hours=9))
    assert set(down.recorded) == {
        "alias champion moved from v2 to v3",
        "v2 moved from stage None to Production",
    }
    stored = list_changes(sessions, model="churn")
    assert len(stored) == 4
    moved = next(c for c in stored if c["summary"] == "alias champion moved from v2 to v3")
    assert moved["kind"] == "alias_move"
    assert moved["source"] == "mlflow"
    assert moved["time"] == (T0 + timedelta(hours=9)).isoformat()
    assert moved["details"]["not_before"] == (T0 + timedelta(hours=3)).isoformat()
    assert moved["link"] == "http://mlflow.internal:5000/#/models/churn/versions/3"

    status = poll_status(sessions, CONFIG, T0 + timedelta(hours=9))
    assert status["status"] == "ok"
    assert status["changes_recorded"] == 4
    assert (status["registered_models"], status["model_versions"]) == (1, 3)
    assert status["tracking_uri"] == "http://mlflow.internal:5000"  # no password shown


def test_failures_are_counted_and_reported_until_a_poll_succeeds(
    sessions: sessionmaker[Session],
) -> None:
    assert poll_status(sessions, CONFIG, T0)["status"] == "starting"
    record_failure(sessions, CONFIG, "GET http://mlflow.internal:5000/...: ConnectError", T0)
    later = T0 + timedelta(seconds=4)
    record_failure(sessions, CONFIG, "GET ... answered 503: busy", later)
    status = poll_status(sessions, CONFIG, later)
    assert status["status"] == "error"
    assert status["last_error"] == "GET ... answered 503: busy"
    assert (status["consecutive_failures"], status["errors_total"]) == (2, 2)
    assert status["failing_since"] == T0.isoformat()
    assert status["last_success_at"] is None

    # the first success after failures is the baseline; the error total stays
    apply_snapshot(sessions, CONFIG, registry("1", 1), later + timedelta(seconds=1))
    status = poll_status(sessions, CONFIG, later + timedelta(seconds=1))
    assert (status["status"], status["consecutive_failures"], status["errors_total"]) == (
        "ok",
        0,
        2,
    )
    assert status["last_error"] is None
    assert status["failing_since"] is None
    # no poll for a long time (the poller is not running): stale
    assert poll_status(sessions, CONFIG, later + timedelta(hours=2))["status"] == "stale"


def test_the_config_file_takes_integrations_and_names_the_line_of_a_mistake() -> None:
    loaded = parse_config_text(
        "integrations:\n"
        "  mlflow:\n"
        "    tracking_uri: http://mlflow:5000\n"
        "    poll_every: 1m\n"
        "    models: [churn-prod]\n"
        "    model_map: {churn-prod: churn}\n",
        "serve.yaml",
    )
    mlflow = loaded.integrations.mlflow
    assert mlflow is not None
    assert mlflow.poll_every == timedelta(minutes=1)
    assert mlflow.mapping.model_of("churn-prod") == "churn"
    assert mlflow.mapping.model_of("fraud") is None
    assert parse_config_text("monitors: []\n").integrations.mlflow is None

    cases = {
        "integrations:\n  mlflow:\n    tracking_uri: mlflow:5000\n": (
            3,
            "integrations.mlflow.tracking_uri: 'mlflow:5000' is not an http:// or https://",
        ),
        "integrations:\n  mlflow:\n    tracking_uri: http://m\n    poll_every: 30\n": (
            4,
            "integrations.mlflow.poll_every: expected a duration",
        ),
        "integrations:\n  mlflow:\n    poll_every: 30s\n": (
            2,
            "integrations.mlflow: tracking_uri is missing",
        ),
        "integrations:\n  mlflow:\n    tracking_uri: http://m\n    pol_every: 30s\n": (
            4,
            "integrations.mlflow.pol_every: unknown key; known keys: model_map, models",
        ),
        "integrations:\n  airflow: {}\n": (2, "integrations.airflow: unknown integration"),
        "monitors: []\nintegrations:\n  mlflow:\n    tracking_uri: http://m\n"
        "    models: [churn, 7]\n": (5, "integrations.mlflow.models[1]: expected a name"),
    }
    for text, (line, message) in cases.items():
        with pytest.raises(ConfigFileError) as caught:
            parse_config_text(text, "serve.yaml")
        assert caught.value.line == line, (text, str(caught.value))
        assert message in caught.value.reason, str(caught.value)


def test_the_poll_interval_and_retry_are_bounded() -> None:
    with pytest.raises(Exception, match="too short; give 1s or more"):
        parse_mlflow({"tracking_uri": "http://m", "poll_every": "10ms"})
    config = parse_mlflow({"tracking_uri": "https://m/prefix/", "retry_max": "30s"})
    assert config.retry_max == timedelta(seconds=30)
    assert config.ui_url == "https://m/prefix"


def test_the_docs_configuration_example_is_valid() -> None:
    page = Path(__file__).resolve().parents[2] / "docs" / "mlflow.md"
    [block] = [
        b.split("```", 1)[0]
        for b in page.read_text().split("```yaml\n")
        if b.startswith("integrations:")
    ]
    mlflow = parse_config_text(block, "mlflow.md").integrations.mlflow
    assert mlflow is not None
    assert mlflow.source == "http://mlflow.internal:5000"
    assert mlflow.ui_url == "https://mlflow.example.com"
    assert mlflow.mapping.model_of("churn-prod") == "churn"
    assert mlflow.mapping.model_of("other") is None
