"""Exported rules and dashboards use exactly the metric names /metrics exposes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

from smokejumper.monitoring.exports import grafana_dashboard, prometheus_rules
from smokejumper.server.metrics import StoreCollector
from smokejumper.store.database import make_engine, session_factory, upgrade


def _exposed(tmp_path: Path) -> set[str]:
    engine = make_engine(f"sqlite:///{tmp_path / 's.db'}")
    upgrade(engine)
    try:
        names = set()
        for family in StoreCollector(session_factory(engine)).collect():
            names.add(family.name + ("_total" if family.type == "counter" else ""))
        return names
    finally:
        engine.dispose()


def _used(exprs: list[str]) -> set[str]:
    return {name for e in exprs for name in re.findall(r"smokejumper_[a-z_]+", e)}


def test_rules_and_dashboard_only_use_exposed_metrics(tmp_path: Path) -> None:
    exposed = _exposed(tmp_path)
    rules = [r["expr"] for r in prometheus_rules()["groups"][0]["rules"]]
    panels = [t["expr"] for p in grafana_dashboard()["panels"] for t in p["targets"]]
    assert _used(rules) <= exposed, _used(rules) - exposed
    assert _used(panels) <= exposed, _used(panels) - exposed
    ids = [p["id"] for p in grafana_dashboard()["panels"]]
    assert len(ids) == len(set(ids))


def test_cli_writes_both_files(tmp_path: Path) -> None:
    for command, name in (("prometheus-rules", "rules.yaml"), ("grafana", "dash.json")):
        out = subprocess.run(
            [sys.executable, "-m", "smokejumper", "export", command, "-o", tmp_path / name],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
    rules = yaml.safe_load((tmp_path / "rules.yaml").read_text())
    assert {r["alert"] for r in rules["groups"][0]["rules"]} >= {"SmokejumperSloPage"}
    assert json.loads((tmp_path / "dash.json").read_text())["uid"] == "smokejumper-overview"
