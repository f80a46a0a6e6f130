"""Alerts from monitors (for_windows, severity, ML context) and from SLO states."""

from __future__ import annotations

from typing import Any

import pytest
from tests.alerting.support import T0, hours

from smokejumper.alerting import (
    AlertSet,
    MonitorRule,
    SloRule,
    WindowVerdict,
    monitor_evaluation,
    slo_evaluations,
)
from smokejumper.errors import InvalidAlertError

DRIFT_DETAILS = {
    "dataset_drift": True,
    "columns": {
        "age": {"effect_size": 0.42, "drift": True, "method": "wasserstein"},
        "plan": {"effect_size": 0.03, "drift": False, "method": "jensenshannon"},
        "tenure": {"effect_size": 0.91, "drift": True, "method": "wasserstein"},
    },
}


def windows(*flags: bool | None, details: dict[str, Any] | None = None) -> list[WindowVerdict]:
    return [
        WindowVerdict(T0 + hours(i), T0 + hours(i + 1), ok, 0.5, details or {})
        for i, ok in enumerate(flags)
    ]


@pytest.mark.parametrize(
    ("flags", "for_windows", "firing"),
    [
        ((False,), 1, True),
        ((True,), 1, False),
        ((False, True), 1, False),  # resolved after one healthy window
        ((True, False), 2, False),
        ((True, False, False), 2, True),
        ((False, False, True, False), 2, False),  # the streak restarts after a healthy window
        ((False, None, False), 2, True),  # windows without a verdict are skipped
        ((False, None), 1, True),  # ... and do not resolve
        ((None, None), 1, False),
        ((), 1, False),
    ],
)
def test_monitor_fires_on_the_last_n_unhealthy_windows(
    flags: tuple[bool | None, ...], for_windows: int, firing: bool
) -> None:
    rule = MonitorRule("churn", "drift", "feature_drift", for_windows=for_windows)
    assert monitor_evaluation(rule, windows(*flags)).firing is firing


def test_monitor_labels_and_defaults() -> None:
    rule = MonitorRule(
        "churn", "nulls-age", "null_rate", version="3", column="age", team="ml",
        labels={"tier": "gold"},
    )  # fmt: skip
    ev = monitor_evaluation(rule, windows(False))
    assert dict(ev.labels) == {
        "alertname": "SmokejumperMonitorUnhealthy",
        "model": "churn",
        "version": "3",
        "monitor": "nulls-age",
        "type": "null_rate",
        "column": "age",
        "severity": "warning",
        "team": "ml",
        "tier": "gold",
    }
    assert ev.fingerprint == monitor_evaluation(rule, windows(True)).fingerprint


def test_drift_context_names_the_moved_features_with_effect_sizes() -> None:
    rule = MonitorRule("churn", "drift", "feature_drift", severity="page", limit="value <= 0")
    ev = monitor_evaluation(rule, windows(True, False, False, details=DRIFT_DETAILS))
    assert [c["column"] for c in ev.context["drifted_columns"]] == ["tenure", "age"]
    assert ev.context["since"] == (T0 + hours(1)).isoformat()
    assert ev.context["window_start"] == (T0 + hours(2)).isoformat()
    assert ev.annotations["summary"] == (
        "feature_drift monitor drift of model churn is unhealthy: 2 columns drifted"
    )
    description = ev.annotations["description"]
    assert "tenure (wasserstein 0.91), age (wasserstein 0.42)" in description
    assert "healthy when value <= 0" in description
    assert "unhealthy for 2 window(s)" in description
    assert "plan" not in description
    assert ev.links[0].href == "{external_url}/api/v1/models/churn/observations"


def test_null_share_in_the_context() -> None:
    rule = MonitorRule("churn", "nulls", "null_rate", runbook_url="https://wiki/nulls")
    details = {"column": "age", "rates": {"age": 0.37, "plan": 0.01}}
    ev = monitor_evaluation(rule, windows(False, details=details))
    assert ev.context["null_share"] == {"column": "age", "share": 0.37}
    assert "Null share of age: 37.0%" in ev.annotations["description"]
    assert ev.annotations["runbook_url"] == "https://wiki/nulls"
    assert [link.text for link in ev.links] == ["Model churn", "Runbook"]


def test_odd_details_give_no_facts_rather_than_an_error() -> None:
    rule = MonitorRule("churn", "drift", "feature_drift")
    odd = {"columns": {"age": "drifted", "x": {"drift": True, "effect_size": "big"}}}
    ev = monitor_evaluation(rule, windows(False, details=odd))
    assert ev.firing
    assert ev.context["drifted_columns"] == [{"column": "x", "effect_size": None, "method": None}]


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"for_windows": 0}, "for_windows must be a whole number"),
        ({"for_windows": 1.5}, "for_windows must be a whole number"),
        ({"labels": {"model": "x"}}, "set by Smokejumper"),
        ({"labels": {"bad-name": "x"}}, "label name 'bad-name'"),
    ],
)
def test_bad_monitor_rules_are_refused(kwargs: dict[str, Any], fragment: str) -> None:
    with pytest.raises(InvalidAlertError, match=fragment):
        MonitorRule("churn", "drift", "feature_drift", **kwargs)


def test_monitor_alert_lifecycle_through_the_alert_set() -> None:
    rule = MonitorRule("churn", "drift", "feature_drift", for_windows=2)
    history: list[bool | None] = []
    alerts = AlertSet()
    states = []
    for i, ok in enumerate([False, False, False, True, False]):
        history.append(ok)
        alerts = alerts.apply([monitor_evaluation(rule, windows(*history))], T0 + hours(i + 1))
        states.append([a.state for a in alerts])
    assert states == [[], ["firing"], ["firing"], ["resolved"], ["resolved"]]


def test_slo_page_and_ticket_fire_and_resolve_at_ok() -> None:
    rule = SloRule("churn", "latency-slo", "p99", team="ml")
    alerts = AlertSet()
    seen = []
    for i, state in enumerate(["ok", "ticket", "page", "no_data", "ok"]):
        alerts = alerts.apply(slo_evaluations(rule, state, 0.25), T0 + hours(i))
        seen.append(sorted((a.labels["severity"], a.state) for a in alerts))
    assert seen == [
        [],
        [("ticket", "firing")],
        [("page", "firing"), ("ticket", "resolved")],
        [("page", "firing"), ("ticket", "resolved")],
        [("page", "resolved"), ("ticket", "resolved")],
    ]
    page = slo_evaluations(rule, "page", 0.25)[0]
    assert page.labels["type"] == "slo"
    assert page.labels["slo"] == "latency-slo"
    assert "25.0% left" in page.annotations["summary"]
    assert page.context["budget_remaining"] == 0.25


def test_slo_unknown_state_is_refused() -> None:
    with pytest.raises(InvalidAlertError, match="unknown state 'burning'"):
        slo_evaluations(SloRule("churn", "s", "m"), "burning", None)
