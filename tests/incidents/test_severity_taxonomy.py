"""Severity definitions and the ML taxonomy."""

from __future__ import annotations

from datetime import timedelta

import pytest

from smokejumper.errors import IncidentError
from smokejumper.incidents import (
    DEFAULT_SEVERITIES,
    TAXONOMY,
    Severity,
    parse_severities,
    parse_severity,
    taxonomy_label,
    taxonomy_slugs,
)


def test_defaults_state_traffic_impact_and_a_faster_pace_for_worse_severities() -> None:
    intervals = [DEFAULT_SEVERITIES[s].update_every for s in Severity]
    assert intervals == sorted(intervals)
    for definition in DEFAULT_SEVERITIES.values():
        assert "%" in definition.traffic or "none" in definition.traffic
        assert definition.impact


def test_overrides_change_only_what_they_name() -> None:
    table = parse_severities({"sev3": {"impact": "small", "update_every": "8h"}})
    assert table[Severity.SEV3].impact == "small"
    assert table[Severity.SEV3].update_every == timedelta(hours=8)
    assert table[Severity.SEV3].traffic == DEFAULT_SEVERITIES[Severity.SEV3].traffic
    assert table[Severity.SEV1] == DEFAULT_SEVERITIES[Severity.SEV1]


@pytest.mark.parametrize(("text", "expected"), [("SEV1", 1), ("sev4", 4), ("2", 2), (3, 3)])
def test_severity_spellings(text: object, expected: int) -> None:
    assert parse_severity(text).rank == expected


def test_unknown_severity() -> None:
    with pytest.raises(IncidentError, match="got 'P1'"):
        parse_severity("P1")


def test_the_issue_labels_are_all_there_with_unique_slugs() -> None:
    issue = [
        "data drift", "concept drift", "data quality / pipeline failure", "schema change",
        "model regression", "serving infrastructure", "fairness / bias", "feedback loop",
        "adversarial or abuse", "external change",
    ]  # fmt: skip
    slugs = [taxonomy_label(name).slug for name in issue]
    assert len(set(slugs)) == len(issue)
    assert len({label.slug for label in TAXONOMY}) == len(TAXONOMY)
    assert {label.category for label in TAXONOMY} <= {
        "Data", "Model", "Infrastructure", "External", "Process",
    }  # fmt: skip


def test_slugs_are_checked_and_kept_in_taxonomy_order() -> None:
    assert taxonomy_slugs("bias") == ("fairness_bias",)
    assert taxonomy_slugs(["external change", "covariate shift"]) == (
        "data_drift",
        "external_change",
    )
    with pytest.raises(IncidentError, match="unknown taxonomy label 3"):
        taxonomy_slugs([3])
