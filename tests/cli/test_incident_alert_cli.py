"""``smokejumper incident ...``, ``alert``, ``silence`` and ``notifications`` against a real
server (``smokejumper serve`` in a subprocess), as people on call type them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from tests.cli.support import cli

from smokejumper.harness import ServerHarness


@pytest.mark.slow
def test_an_incident_from_declaration_to_resolution(server: ServerHarness) -> None:
    made = cli(
        server,
        "incident",
        "declare",
        "churn scores flat",
        "--severity",
        "SEV2",
        "--model",
        "churn",
        "--label",
        "data drift",
        "--by",
        "ana",
    )
    assert made.returncode == 0, made.stderr
    assert "Declared INC-1 (SEV2): churn scores flat" in made.stdout
    listed = cli(server, "incident", "list", "--format", "json")
    (incident,) = json.loads(listed.stdout)
    assert (incident["id"], incident["labels"]) == ("INC-1", ["data_drift"])
    for args in (
        ("incident", "ack", "INC-1", "--by", "ana"),
        ("incident", "assign", "INC-1", "commander", "ana", "--by", "ana"),
        ("incident", "note", "INC-1", "scores flat since 09:00", "--by", "bo"),
        (
            "incident",
            "update",
            "INC-1",
            "--situation",
            "scores flat",
            "--background",
            "new feature job",
            "--assessment",
            "join broke",
            "--recommendation",
            "roll back",
            "--by",
            "ana",
        ),
        ("incident", "status", "INC-1", "mitigated", "--by", "ana"),
        ("incident", "resolve", "INC-1", "--by", "ana"),
    ):
        done = cli(server, *args)
        assert done.returncode == 0, (args, done.stderr)
    found = cli(server, "incident", "list", "--search", "rolling JOIN", "--format", "json")
    assert found.returncode == 0, found.stderr
    assert [i["id"] for i in json.loads(found.stdout)] == ["INC-1"]  # stemmed, any case
    none = cli(server, "incident", "list", "--search", "zebra", "--format", "json")
    assert json.loads(none.stdout) == []
    refused = cli(server, "incident", "close", "INC-1", "--by", "ana")
    assert refused.returncode == 2
    assert "post-mortem" in refused.stderr or "may move to" in refused.stderr
    shown = cli(server, "incident", "show", "INC-1")
    assert shown.returncode == 0, shown.stderr
    for word in (
        "opened",
        "acknowledged",
        "role_assigned",
        "note",
        "status_update",
        "scores flat since 09:00",
        "resolved",
    ):
        assert word in shown.stdout, (word, shown.stdout)
    missing = cli(server, "incident", "show", "INC-404")
    assert missing.returncode == 2
    assert "no incident has id 'INC-404'" in missing.stderr


@pytest.mark.slow
def test_alert_silence_and_notification_commands(server: ServerHarness) -> None:
    assert "no alerts" in cli(server, "alert", "list").stdout
    made = cli(
        server,
        "silence",
        "add",
        "model=churn",
        "--comment",
        "retraining",
        "--duration",
        "30",
        "--by",
        "ana",
    )
    assert made.returncode == 0, made.stderr
    assert "warning:" in made.stdout  # no alert seen matches it yet
    silence_id = made.stdout.split()[1]
    listed = cli(server, "silence", "list", "--format", "json")
    assert [s["id"] for s in json.loads(listed.stdout)] == [silence_id]
    assert cli(server, "silence", "expire", silence_id).returncode == 0
    assert json.loads(cli(server, "silence", "list", "--format", "json").stdout) == []
    assert "no notifications" in cli(server, "notifications", "list", "--dead").stdout
    bad = cli(server, "alert", "ack", "0000000000000000", "--by", "ana")
    assert bad.returncode == 2
    assert "no alert has fingerprint" in bad.stderr


@pytest.mark.slow
def test_show_reconstruction_lists_what_happened_before(server: ServerHarness) -> None:
    hour_ago = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    moved = cli(
        server,
        "change",
        "record",
        "--kind",
        "alias_move",
        "--model",
        "fraud",
        "--summary",
        "champion: v3 -> v4",
        "--at",
        hour_ago,
    )
    assert moved.returncode == 0, moved.stderr
    made = cli(server, "incident", "declare", "fraud scores high", "--model", "fraud", "--by", "bo")
    assert made.returncode == 0, made.stderr
    incident_id = made.stdout.split()[1]
    shown = cli(server, "incident", "show", incident_id)
    assert shown.returncode == 0, shown.stderr
    assert "champion: v3 -> v4" in shown.stdout  # the change before detection, in the timeline
    assert "last known good: not known" in shown.stdout
    rebuilt = cli(server, "incident", "show", incident_id, "--reconstruction")
    assert rebuilt.returncode == 0, rebuilt.stderr
    for word in ("alias_move", "champion: v3 -> v4", "before onset", "24 h before the detected"):
        assert word in rebuilt.stdout, (word, rebuilt.stdout)
    as_json = cli(server, "incident", "show", incident_id, "--reconstruction", "--format", "json")
    [item] = json.loads(as_json.stdout)["items"]
    assert (item["kind"], item["before_onset"], item["model"]) == ("alias_move", True, "fraud")
    short = cli(
        server,
        "incident",
        "show",
        incident_id,
        "--reconstruction",
        "--lookback-hours",
        "0.5",
        "--format",
        "json",
    )
    assert json.loads(short.stdout)["items"] == []
    refused = cli(
        server, "incident", "show", incident_id, "--reconstruction", "--lookback-hours", "0"
    )
    assert refused.returncode == 2
    assert "lookback_hours" in refused.stderr
