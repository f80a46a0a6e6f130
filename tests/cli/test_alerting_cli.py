"""``smokejumper alerting check|routes``, and ``serve`` refusing a bad alerting section."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smokejumper.cli.app import app

FILE = """\
monitors:
  - {name: churn-drift, model: churn, type: feature_drift, max: 0, severity: page}
  - {name: fraud-volume, model: fraud, type: volume, min: 10}
slos:
  - {name: fraud-volume-slo, monitor: fraud-volume, objective: 0.99}
route:
  receiver: ml-team
  group_by: [model]
  routes:
    - receiver: on-call
      matchers: ['severity="page"']
      continue: true
      escalate_after: 30m
      escalate_to: [ml-lead]
    - receiver: data-eng
      matchers: ['type=~"volume|null_rate"']
      group_by: [model, type]
      repeat_interval: 1h
      routes:
        - receiver: fraud-team
          matchers: ['model="fraud"']
receivers:
  - name: ml-team
  - name: on-call
  - name: ml-lead
  - name: data-eng
  - name: fraud-team
inhibit_rules:
  - source_matchers: ['severity="page"']
    target_matchers: ['severity="warning"']
    equal: [model]
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "monitors.yaml"
    path.write_text(FILE)
    return path


def _run(*args: str | Path) -> tuple[int, str, str]:
    done = CliRunner().invoke(app, [str(a) for a in args])
    return done.exit_code, done.stdout, done.stderr


def test_check_summarises_a_valid_file(config: Path) -> None:
    code, out, err = _run("alerting", "check", config)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"Checking {str(config)!r}  SUCCESS",
        "Found:",
        " - 2 monitors of 2 models (churn, fraud)",
        " - 1 SLO",
        " - 4 routes",
        " - 5 receivers: ml-team, on-call, ml-lead, data-eng, fraud-team",
        " - 1 inhibit rule and the shipped one (a broken pipeline mutes its drift)",
        "Routes:",
        "  route  -> ml-team  group_by: model  group_wait: 30s  group_interval: 5m  "
        "repeat_interval: 4h",
        '    routes[0]  {severity="page"}  -> on-call  continue  escalates after 30m to ml-lead',
        '    routes[1]  {type=~"volume|null_rate"}  -> data-eng  group_by: model, type  '
        "repeat_interval: 1h",
        '      routes[0]  {model="fraud"}  -> fraud-team',
    ]


def test_check_of_a_file_without_alerting_says_so(tmp_path: Path) -> None:
    path = tmp_path / "monitors.yaml"
    path.write_text(FILE.split("route:")[0])
    code, out, _ = _run("alerting", "check", path)
    assert code == 0
    assert out.splitlines()[-1] == " - no alerting (the file has no route): alerts are not sent"


@pytest.mark.parametrize(
    ("old", "new", "line", "reason"),
    [
        ("escalate_to: [ml-lead]", "escalate_to: [ml-boss]", 14, "route.routes[0].escalate_to[0]"),
        ("repeat_interval: 1h", "repeat_interval: 1 hour", 18, "'1 hour' is not a duration"),
        ("severity: page}", "severity: 'very bad'}", 2, "monitors[0].severity: String should"),
        ("  - name: ml-lead\n", "", 14, "receiver 'ml-lead' is not defined under receivers"),
    ],
)
def test_check_prints_file_line_and_reason_and_exits_2(
    config: Path, old: str, new: str, line: int, reason: str
) -> None:
    config.write_text(FILE.replace(old, new, 1))
    code, out, err = _run("alerting", "check", config)
    assert (code, out) == (2, "")
    assert err.startswith(f"{config}:{line}: ")
    assert reason in err


def test_check_of_a_missing_file(tmp_path: Path) -> None:
    code, _, err = _run("alerting", "check", tmp_path / "nope.yaml")
    assert code == 2
    assert (
        err.strip()
        == f"{tmp_path / 'nope.yaml'}: the configuration file does not exist; check the path"
    )


def test_routes_names_the_receivers_and_the_path_to_each(config: Path) -> None:
    code, out, _ = _run(
        "alerting", "routes", "severity=page", 'type="volume"', "model=fraud", "--config", config
    )
    assert code == 0
    assert out.splitlines() == [
        "on-call,fraud-team",
        'on-call     route > routes[0] {severity="page"}  escalates after 30m to ml-lead',
        'fraud-team  route > routes[1] {type=~"volume|null_rate"} > routes[0] {model="fraud"}',
    ]
    code, out, _ = _run("alerting", "routes", "model=churn", "--config", config)
    assert out.splitlines() == ["ml-team", "ml-team  route"]


def test_routes_refuses_what_is_not_a_label_and_a_file_without_alerting(
    config: Path, tmp_path: Path
) -> None:
    code, _, err = _run("alerting", "routes", "severity", "--config", config)
    assert code == 2
    assert "'severity' is not a label: write name=value" in err
    code, _, err = _run("alerting", "routes", "1x=a", "--config", config)
    assert code == 2
    plain = tmp_path / "plain.yaml"
    plain.write_text("monitors: []\n")
    code, _, err = _run("alerting", "routes", "model=churn", "--config", plain)
    assert code == 2
    assert err.strip() == f"{plain}: no alerting configured (the file has no route)"
    config.write_text(FILE.replace("group_by: [model]", "group_by: [model", 1))
    code, _, err = _run("alerting", "routes", "model=churn", "--config", config)
    assert code == 2
    assert err.startswith(f"{config}:9: not valid YAML")


@pytest.mark.slow
def test_the_command_and_serve_exit_2_with_the_line(config: Path, tmp_path: Path) -> None:
    config.write_text(FILE.replace("""['severity="page"']""", "['severity=~\"(\"']", 1))
    env = {**os.environ, "SMOKEJUMPER_HOME": str(tmp_path / "home")}
    for args in (["alerting", "check", config], ["serve", "--config", config, "--port", "0"]):
        done = subprocess.run(
            [sys.executable, "-m", "smokejumper", *map(str, args)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2, done.stderr
        assert f"{config}:11: route.routes[0].matchers[0]: " in done.stderr
        assert "invalid regular expression" in done.stderr
    assert not (tmp_path / "home").exists()  # refused before anything was created


RECEIVERS = """\
route: {receiver: team}
receivers:
  - name: team
    webhook_configs: [{url: "URL"}]
    slack_configs: [{api_url_file: "SECRET"}]
  - name: quiet
"""


def test_check_refuses_a_receiver_that_cannot_send(tmp_path: Path) -> None:
    path = tmp_path / "alerts.yaml"
    path.write_text(RECEIVERS.replace("SECRET", str(tmp_path / "missing")))
    code, _, err = _run("alerting", "check", path)
    assert code == 2
    assert "team.slack_configs[0].api_url_file: cannot read" in err


def test_test_sends_to_every_integration_and_says_how_it_went(tmp_path: Path) -> None:
    from tests.delivery.support import Endpoint

    hook, slack = Endpoint(), Endpoint()
    try:
        secret = tmp_path / "slack-url"
        secret.write_text(slack.url + "/services/T0")
        path = tmp_path / "alerts.yaml"
        path.write_text(RECEIVERS.replace("URL", hook.url + "/hook").replace("SECRET", str(secret)))
        code, out, err = _run("alerting", "test", "team", "--config", path)
        assert code == 0, err
        assert "team.webhook_configs[0]: delivered" in out
        assert "team.slack_configs[0]: delivered" in out
        (posted,) = hook.requests
        assert posted.json()["alerts"][0]["labels"]["alertname"] == "SmokejumperTest"
        assert "Test notification" in slack.requests[0].json()["text"]
        slack.reply(404, "no_service")
        code, _, err = _run("alerting", "test", "team", "--config", path)
        assert code == 1
        assert "404" in err
        assert "no_service" in err
        code, _, err = _run("alerting", "test", "nobody", "--config", path)
        assert (code, "no receiver 'nobody' (receivers: team, quiet)" in err) == (2, True)
    finally:
        hook.close()
        slack.close()
