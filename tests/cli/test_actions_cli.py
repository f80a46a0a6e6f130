"""``smokejumper actions add|list|update|export`` against a real server (``smokejumper serve``
in a subprocess), as people type them."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.cli.support import cli

from smokejumper.harness import ServerHarness


@pytest.mark.slow
def test_action_items_from_the_command_line(server: ServerHarness, tmp_path: Path) -> None:
    made = cli(server, "incident", "declare", "churn scores flat", "--severity", "SEV2")
    assert made.returncode == 0, made.stderr
    past = (datetime.now(UTC).date() - timedelta(days=2)).isoformat()
    added = cli(
        server,
        "actions",
        "add",
        "INC-1",
        "Validate the features job's schema",
        "--type",
        "prevent",
        "--owner",
        "ML platform",
        "--due",
        past,
        "--by",
        "ana",
    )
    assert added.returncode == 0, added.stderr
    assert f"Added ACT-1 to INC-1 (prevent, ML platform, due {past})." in added.stdout
    ahead = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    args = ["actions", "add", "INC-1", "Runbook for rollbacks", "--type", "process"]
    assert cli(server, *args, "--owner", "SRE", "--due", ahead).returncode == 0

    table = cli(server, "actions", "list", "--overdue")
    assert table.returncode == 0, table.stderr
    assert "ACT-1" in table.stdout
    assert "2 d late" in table.stdout
    assert "ACT-2" not in table.stdout
    listed = json.loads(
        cli(server, "actions", "list", "--incident", "INC-1", "--format", "json").stdout
    )
    assert [i["id"] for i in listed] == ["ACT-1", "ACT-2"]

    done = cli(server, "actions", "update", "ACT-1", "--status", "done", "--by", "bo")
    assert done.returncode == 0, done.stderr
    assert "ACT-1 is done" in done.stdout
    assert "no action items" in cli(server, "actions", "list", "--overdue").stdout

    out = tmp_path / "actions.csv"
    exported = cli(server, "actions", "export", "--format", "csv", "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["Summary"] for r in rows] == [
        "Validate the features job's schema",
        "Runbook for rollbacks",
    ]
    assert rows[0]["Due Date"] == past
    assert rows[0]["Priority"] == "High"
    as_json = json.loads(cli(server, "actions", "export", "--format", "json").stdout)
    assert [i["status"] for i in as_json] == ["done", "open"]

    bad = cli(
        server, "actions", "add", "INC-1", "x", "--type", "fix", "--owner", "SRE", "--due", ahead
    )
    assert bad.returncode == 2
    assert "type" in bad.stderr
    assert "mitigate, prevent, detect, process" in bad.stderr
    bad = cli(server, "actions", "update", "ACT-1", "--status", "wont_do")
    assert bad.returncode == 2
    assert "reason" in bad.stderr
    bad = cli(server, "actions", "export", "--format", "xml")
    assert bad.returncode == 2
    assert "csv, json" in bad.stderr
