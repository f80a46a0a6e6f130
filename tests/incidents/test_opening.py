"""Opening incidents from alerts: the policy from the file, open, join, skip.

The matchers are alerting's own (``parse_matcher``), as the service passes them, and the alerts
are alerting's ``Alert`` objects where the structural interface matters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.incidents.support import T0, minutes

from smokejumper.alerting import Alert, parse_duration, parse_matcher
from smokejumper.errors import AlertingConfigError, IncidentConfigError
from smokejumper.incidents import (
    EventKind,
    FiringAlert,
    Join,
    Open,
    Severity,
    Skip,
    decide,
    parse_incidents_config,
    parse_policy,
)
from smokejumper.incidents.document import duration

POLICY = parse_policy({"open_on": ['severity=~"page|critical"'], "join_window": "2h"},
                      parse_matcher)  # fmt: skip


def alert(fp: str, at: timedelta, model: str | None = "churn", **labels: str) -> FiringAlert:
    if model:
        labels["model"] = model
    return FiringAlert(fp, labels, T0 + at)


def test_a_matching_alert_opens_one_incident_with_its_facts() -> None:
    real = Alert(
        {"model": "churn", "version": "7", "type": "null_rate", "severity": "critical"},
        {"summary": "churn: tenure is 64% null"},
        starts_at=T0,
    )
    [decision] = decide([real], [], POLICY)
    assert isinstance(decision, Open)
    assert decision.title == "churn: tenure is 64% null"
    assert decision.severity is Severity.SEV1
    assert decision.labels == ("data_quality",)
    incident, events = decision.apply("INC-1", T0 + minutes(1))
    assert incident.detected_at == T0
    assert incident.alert_fingerprints == (real.fingerprint,)
    assert incident.versions == (("churn", "7"),)
    assert [e.kind for e in events] == [
        EventKind.OPENED,
        EventKind.ALERT_FIRED,
        EventKind.SCOPE_CHANGED,
    ]


def test_a_non_matching_alert_without_an_incident_is_skipped_with_the_reason() -> None:
    [decision] = decide([alert("a", minutes(0), severity="warning")], [], POLICY)
    assert isinstance(decision, Skip)
    assert decision.reason == "does not match open_on and no open incident of model churn takes it"


def test_alerts_of_one_model_in_one_pass_share_one_new_incident() -> None:
    alerts = [
        alert("b", minutes(30), type="latency", severity="warning"),
        alert("a", minutes(0), type="feature_drift", severity="page"),
        alert("c", minutes(10), model="fraud", type="volume", severity="page"),
    ]
    decisions = decide(alerts, [], POLICY)
    assert [type(d) for d in decisions] == [Open, Open]
    churn, fraud = decisions
    assert isinstance(churn, Open)
    assert [a.fingerprint for a in churn.alerts] == ["a", "b"]
    assert churn.labels == ("data_drift", "serving_infrastructure")
    assert churn.title == "feature_drift on model churn"
    assert isinstance(fraud, Open)
    assert fraud.title == "volume on model fraud"


def test_alerts_that_start_with_the_page_join_it_whatever_their_fingerprints() -> None:
    # "a" sorts before "z": without opening alerts first it would be skipped in this pass
    alerts = [alert("a", minutes(0), severity="warning"), alert("z", minutes(0), severity="page")]
    (decision,) = decide(alerts, [], POLICY)
    assert isinstance(decision, Open)
    assert sorted(a.fingerprint for a in decision.alerts) == ["a", "z"]


def test_joining_counts_the_window_from_the_newest_alert() -> None:
    incident = decide([alert("a", minutes(0), severity="page")], [], POLICY)[0]
    assert isinstance(incident, Open)
    inc = incident.apply("INC-1", T0).incident
    inside = alert("b", minutes(120), severity="warning", type="null_rate")
    outside = alert("c", minutes(241), severity="page")
    decisions = decide([inside, outside], [inc], POLICY)
    assert decisions[0] == Join(inside, "INC-1", ("data_quality",))
    # b joined at 2h, so the window reaches 4h; c at 4h01m opens a new incident.
    assert isinstance(decisions[1], Open)
    joined, events = decisions[0].apply(inc, T0 + minutes(121))
    assert joined.labels == ("data_quality",)
    assert [e.kind for e in events] == [EventKind.ALERT_FIRED, EventKind.LABELS_CHANGED]


def test_the_most_recent_open_incident_of_the_model_takes_the_alert() -> None:
    old = decide([alert("a", minutes(0), severity="page")], [], POLICY)[0]
    new = decide([alert("b", minutes(60), severity="page")], [], POLICY)[0]
    assert isinstance(old, Open)
    assert isinstance(new, Open)
    incidents = [old.apply("INC-1", T0).incident, new.apply("INC-2", T0).incident]
    [decision] = decide([alert("c", minutes(90))], incidents, POLICY)
    assert isinstance(decision, Join)
    assert decision.incident_id == "INC-2"


def test_an_attached_episode_is_skipped_and_a_new_episode_joins() -> None:
    opened = decide([alert("a", minutes(0), severity="page")], [], POLICY)[0]
    assert isinstance(opened, Open)
    inc = opened.apply("INC-1", T0).incident
    [same] = decide([alert("a", minutes(0), severity="page")], [inc], POLICY)
    assert same == Skip(same.alert, "already attached to incident INC-1")
    [again] = decide([alert("a", minutes(30), severity="page")], [inc], POLICY)
    assert isinstance(again, Join)


def test_a_resolved_incident_takes_nothing_and_its_firing_alert_opens_nothing() -> None:
    opened = decide([alert("a", minutes(0), severity="page")], [], POLICY)[0]
    assert isinstance(opened, Open)
    inc = opened.apply("INC-1", T0).incident
    inc = inc.transition("resolved", T0 + minutes(10), actor="ana").incident
    still = decide([alert("a", minutes(0), severity="page")], [inc], POLICY)
    assert still == [Skip(still[0].alert, "already attached to incident INC-1, no longer open")]
    fresh = decide([alert("b", minutes(20), severity="page")], [inc], POLICY)
    assert isinstance(fresh[0], Open)


def test_alerts_without_a_model_never_join_by_model() -> None:
    node_down = FiringAlert(
        "n1", {"alertname": "NodeDown", "instance": "gpu-3", "source": "alertmanager",
               "severity": "page"}, T0,
    )  # fmt: skip
    decision, twice = decide([node_down, node_down], [], POLICY)
    assert twice == Skip(node_down, "given twice; the first opens the incident")
    assert isinstance(decision, Open)
    assert decision.title == "NodeDown on gpu-3"
    assert decision.labels == ("serving_infrastructure",)


def test_an_empty_open_on_opens_nothing() -> None:
    policy = parse_policy({"open_on": []}, parse_matcher)
    [decision] = decide([alert("a", minutes(0), severity="critical")], [], policy)
    assert isinstance(decision, Skip)


def test_severity_mapping_and_defaults() -> None:
    policy = parse_policy(
        {"open_on": ['model="churn"'], "severity_from_alert": {"page": "SEV1"},
         "default_severity": "sev4"}, parse_matcher,
    )  # fmt: skip
    assert policy.severity_for({"severity": "page"}) is Severity.SEV1
    assert policy.severity_for({"severity": "critical"}) is Severity.SEV1
    assert policy.severity_for({"severity": "strange"}) is Severity.SEV4
    assert parse_policy(None, parse_matcher).opens({"severity": "page"})
    assert not parse_policy(None, parse_matcher).opens({"severity": "warning"})


@pytest.mark.parametrize(
    ("data", "path", "reason"),
    [
        ({"open_on": [3]}, "incidents.open_on[0]", "expected a non-empty string"),
        ({"join_window": "2 hours"}, "incidents.join_window", "is not a duration"),
        ({"join_window": "0s"}, "incidents.join_window", "is zero"),
        ({"join_windw": "2h"}, "incidents.join_windw", "unknown key; known keys"),
        ({"default_severity": "P1"}, "incidents.default_severity", "SEV1, SEV2"),
        ({"severities": {"SEV2": {"update_every": 5}}}, "incidents.severities.SEV2.update_every",
         "expected a duration"),
        ({"severities": {"SEV2": {"colour": "red"}}}, "incidents.severities.SEV2.colour",
         "unknown key"),
    ],
)  # fmt: skip
def test_config_errors_name_the_path(data: dict[str, object], path: str, reason: str) -> None:
    with pytest.raises(IncidentConfigError, match=reason) as err:
        parse_incidents_config(data, parse_matcher)
    assert err.value.path == path


def test_matcher_errors_come_from_the_injected_parser_with_the_path() -> None:
    with pytest.raises(AlertingConfigError) as err:
        parse_incidents_config({"open_on": ["severity == page"]}, parse_matcher)
    assert err.value.path == "incidents.open_on[0]"


@pytest.mark.parametrize("text", ["30s", "5m", "2h", "1h30m", "1d", "2w", "1w2d3h4m5s"])
def test_durations_read_as_the_alerting_part_of_the_file_reads_them(text: str) -> None:
    assert duration(text, "x") == parse_duration(text)
