"""The examples of docs/incidents.md run and say what the page says."""

from __future__ import annotations

import doctest
from pathlib import Path

import yaml

from smokejumper.alerting import parse_matcher
from smokejumper.incidents import Severity, parse_incidents_config

PAGE = Path(__file__).resolve().parents[2] / "docs" / "incidents.md"


def test_the_incidents_page_examples_run() -> None:
    result = doctest.testfile(str(PAGE), module_relative=False, verbose=False, report=True)
    assert result.attempted >= 25
    assert result.failed == 0


def test_the_configuration_example_is_valid() -> None:
    text = PAGE.read_text()
    [block] = [b.split("```", 1)[0] for b in text.split("```yaml\n") if b.startswith("incidents:")]
    config = parse_incidents_config(yaml.safe_load(block)["incidents"], parse_matcher)
    assert config.policy.opens({"severity": "critical"})
    assert not config.policy.opens({"severity": "warning"})
    assert config.severities.update_interval(Severity.SEV1).total_seconds() == 900
    assert config.severities[Severity.SEV3].traffic == "under 10% of predictions"
