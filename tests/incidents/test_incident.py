"""The incident: checked input, changes that return their events, round trips."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from tests.incidents.support import T0, minutes, opened

from smokejumper.errors import IncidentError
from smokejumper.incidents import EventKind, Incident, Role, Severity, Timeline


def test_opening_records_what_it_was_opened_with() -> None:
    inc, [event] = Incident.open(
        "INC-9", " churn flat ", "sev1", T0 + minutes(1), source="alerting",
        detected_at=T0, models=["churn", "churn"], labels=["Data drift"],
    )  # fmt: skip
    assert (inc.title, inc.severity, inc.models, inc.labels) == (
        "churn flat",
        Severity.SEV1,
        ("churn",),
        ("data_drift",),
    )
    assert event.kind is EventKind.OPENED
    assert event.at == T0 + minutes(1)
    assert event.details["detected_at"] == T0.isoformat()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"title": ""}, "title must be a non-empty string"),
        ({"severity": "SEV0"}, "one of SEV1, SEV2, SEV3, SEV4"),
        ({"detected_at": datetime(2026, 11, 1)}, "timezone-aware"),
        ({"labels": ["weather"]}, "unknown taxonomy label 'weather'"),
        ({"roles": {"boss": "ana"}}, "unknown incident role 'boss'"),
        ({"versions": [("churn",)]}, r"a \(model, version\) pair"),
        ({"merged_into": "INC-1"}, "cannot be merged into itself"),
    ],
)
def test_bad_input_is_refused_with_what_to_fix(kwargs: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {"id": "INC-1", "title": "t", "severity": "SEV2", "detected_at": T0}
    fields.update(kwargs)
    with pytest.raises(IncidentError, match=message):
        Incident(**fields)  # type: ignore[arg-type]


def test_roles_are_assigned_replaced_and_cleared_each_with_an_event() -> None:
    inc, [ev] = opened().assign("commander", "ana", T0, actor="ana")
    assert inc.roles == {Role.COMMANDER: "ana"}
    assert ev.details["previous"] is None
    inc, [ev] = inc.assign(Role.COMMANDER, "bo", T0 + minutes(1), actor="ana")
    assert inc.roles[Role.COMMANDER] == "bo"
    assert ev.details["previous"] == "ana"
    same, evs = inc.assign("commander", "bo", T0 + minutes(2), actor="x")
    assert same is inc
    assert evs == ()
    inc, [ev] = inc.assign("commander", None, T0 + minutes(3), actor="bo")
    assert inc.roles == {}
    assert ev.details == {"role": "commander", "person": None, "previous": "bo"}


def test_scope_only_grows_and_records_what_was_added() -> None:
    inc, [ev] = opened(models=["churn"]).affect(
        T0, models=["churn", "upsell"], versions=[("churn", "7")], segments=["country=DE"]
    )
    assert inc.models == ("churn", "upsell")
    assert inc.versions == (("churn", "7"),)
    assert ev.details == {
        "models": ["upsell"],
        "versions": [{"model": "churn", "version": "7"}],
        "segments": ["country=DE"],
    }
    assert inc.affect(T0, models=["upsell"]).events == ()


def test_labels_are_added_and_removed_by_name_or_slug() -> None:
    inc, [ev] = opened(labels=["data drift"]).relabel(
        T0, add=["Serving infrastructure"], remove=["data-drift"], actor="ana"
    )
    assert inc.labels == ("serving_infrastructure",)
    assert ev.details == {"added": ["serving_infrastructure"], "removed": ["data_drift"]}


def test_alerts_attach_with_their_scope_and_resolve_on_the_timeline() -> None:
    labels = {"model": "churn", "version": "7", "type": "null_rate"}
    inc, events = opened().attach_alert("fp1", T0 - minutes(5), T0, labels=labels, summary="s")
    assert [e.kind for e in events] == [EventKind.ALERT_FIRED, EventKind.SCOPE_CHANGED]
    assert events[0].at == T0 - minutes(5)
    assert events[0].details["summary"] == "s"
    assert inc.alert_fingerprints == ("fp1",)
    assert inc.versions == (("churn", "7"),)
    inc, events = inc.attach_alert("fp1", T0 + minutes(30), T0 + minutes(30), labels=labels)
    assert [e.kind for e in events] == [EventKind.ALERT_FIRED]  # a new episode, same scope
    assert inc.last_alert_at == T0 + minutes(30)
    same, [resolved] = inc.alert_resolved("fp1", T0 + minutes(40))
    assert same is inc
    assert resolved.kind is EventKind.ALERT_RESOLVED
    with pytest.raises(IncidentError, match="alert 'nope' is not attached to incident INC-1"):
        inc.alert_resolved("nope", T0)


def test_the_onset_is_the_earliest_recorded() -> None:
    inc, _ = opened().record_onset("churn-nulls", T0 - minutes(20))
    inc, [ev] = inc.record_onset("churn-drift", T0 - minutes(50), details={"window": "02:00"})
    inc, _ = inc.record_onset("churn-latency", T0 - minutes(10))
    assert inc.onset_at == T0 - minutes(50)
    assert ev.details == {"window": "02:00", "monitor": "churn-drift"}


def test_severity_changes_are_recorded_with_the_reason() -> None:
    inc, [ev] = opened().change_severity("SEV1", T0, actor="ana", reason="all of EU")
    assert inc.severity is Severity.SEV1
    assert ev.details == {"from": "SEV2", "to": "SEV1", "reason": "all of EU"}
    assert inc.change_severity("sev1", T0, actor="ana").events == ()


def test_round_trip_through_json_keeps_everything() -> None:
    inc = opened(models=["churn"], versions=[("churn", "7")], labels=["schema change"])
    inc, _ = inc.assign("scribe", "cy", T0, actor="ana")
    inc, _ = inc.attach_alert("fp1", T0, T0, labels={"model": "churn"})
    inc, _ = inc.record_onset("m", T0 - minutes(9))
    inc, _ = inc.transition("resolved", T0 + minutes(9), actor="ana")
    data = json.loads(json.dumps(inc.to_dict()))
    assert Incident.from_dict(data) == inc
    with pytest.raises(IncidentError, match="an incident needs title, severity"):
        Incident.from_dict({"id": "x", "detected_at": T0.isoformat()})


def test_changes_feed_a_timeline_in_order() -> None:
    line = Timeline()
    inc, events = Incident.open("INC-1", "t", "SEV3", T0, source="user", actor="ana")
    line = line.append(events)
    for step in (
        lambda i: i.assign("commander", "ana", T0 + minutes(1), actor="ana"),
        lambda i: i.transition("investigating", T0 + minutes(2), actor="ana"),
        lambda i: i.note("rolled back", T0 + minutes(3), actor="ana"),
    ):
        inc, events = step(inc)
        line = line.append(events)
    assert [e.kind.value for e in line.ordered()] == [
        "opened", "role_assigned", "acknowledged", "status_changed", "note",
    ]  # fmt: skip
