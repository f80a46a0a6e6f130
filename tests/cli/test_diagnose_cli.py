"""``smokejumper incident diagnose ID`` against a real server: the ranked table (Rich) and
the diagnosis as JSON; an unknown incident is a clear error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from smokejumper.client import AdminClient
from smokejumper.harness import ServerHarness


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerHarness]:
    home = tmp_path_factory.mktemp("server") / "home"
    with ServerHarness(home, env={"SMOKEJUMPER_EVALUATE_EVERY": "0"}) as running:
        yield running


def cli(server: ServerHarness, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SMOKEJUMPER_URL": server.url,
        "SMOKEJUMPER_TOKEN": server.token,
        "COLUMNS": "250",
    }
    return subprocess.run(
        [sys.executable, "-m", "smokejumper", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.mark.slow
def test_diagnose_prints_the_ranked_hypotheses(server: ServerHarness) -> None:
    with AdminClient(server.url, server.token) as admin:
        admin.register_model("churn", {"features": [{"name": "age", "kind": "numeric"}]})
        admin.record_change(
            "alias_move",
            "alias champion moved from v6 to v7",
            model="churn",
            at=datetime.now(UTC) - timedelta(minutes=10),
            change_id="move-7",
        )
        admin.declare_incident("churn scores flat", severity="SEV2", models=["churn"], by="ana")
    shown = cli(server, "incident", "diagnose", "INC-1")
    assert shown.returncode == 0, shown.stderr
    assert "Hypotheses for INC-1" in shown.stdout
    assert "alias champion moved from v6 to v7" in shown.stdout
    assert "model_regression" in shown.stdout
    as_json = cli(server, "incident", "diagnose", "INC-1", "--show", "--format", "json")
    found = json.loads(as_json.stdout)
    assert found["hypotheses"][0]["key"] == "change:move-7"
    assert found["diagnosed"] is True
    missing = cli(server, "incident", "diagnose", "INC-9")
    assert missing.returncode != 0
    assert "INC-9" in missing.stderr
