"""The examples of docs/alerting.md run and say what the page says."""

from __future__ import annotations

import doctest
from pathlib import Path

import yaml

from smokejumper.alerting import parse_config

PAGE = Path(__file__).resolve().parents[2] / "docs" / "alerting.md"


def test_the_alerting_page_examples_run() -> None:
    result = doctest.testfile(str(PAGE), module_relative=False, verbose=False, report=True)
    assert result.attempted >= 10
    assert result.failed == 0


def test_the_configuration_example_is_valid_and_routes_as_described() -> None:
    text = PAGE.read_text()
    [block] = [b.split("```", 1)[0] for b in text.split("```yaml\n") if b.startswith("route:")]
    config = parse_config(yaml.safe_load(block))
    assert config.receivers_for({"model": "churn", "severity": "page"}) == ["on-call"]
    assert config.receivers_for({"model": "churn", "severity": "page", "type": "volume"}) == [
        "on-call",
        "data-eng",
    ]
    assert config.receivers_for({"model": "fraud-eu", "type": "feature_drift"}) == ["fraud-team"]
    assert config.receivers_for({"model": "churn", "type": "latency"}) == ["ml-team"]
    assert config.route.routes[0].escalate_to == ("ml-lead", "head-of-ml")
    assert len(config.inhibit_rules) == 2
