"""Response metrics and their aggregates; merging duplicates."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.incidents.support import T0, minutes, opened

from smokejumper.errors import IncidentError
from smokejumper.incidents import (
    EventKind,
    Incident,
    Role,
    Severity,
    Timeline,
    aggregate,
    merge,
    merged_timeline,
    note,
    percentile,
    pin,
    response_times,
)


@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=40), st.sampled_from([50, 90, 0, 100]))
def test_percentile_agrees_with_numpy(seconds: list[int], q: int) -> None:
    ours = percentile([timedelta(seconds=s) for s in seconds], q)
    assert ours is not None
    assert ours.total_seconds() == pytest.approx(float(np.percentile(seconds, q)), abs=1e-6)


def test_per_incident_times() -> None:
    inc = Incident(
        "INC-1", "t", "SEV2", T0, onset_at=T0 - minutes(30), acknowledged_at=T0 + minutes(4),
        mitigated_at=T0 + minutes(20), resolved_at=T0 + minutes(90),
    )  # fmt: skip
    times = response_times(inc)
    assert times.time_to_detect == minutes(30)
    assert times.time_to_acknowledge == minutes(4)
    assert times.time_to_mitigate == minutes(20)
    assert times.time_to_resolve == minutes(90)
    assert times.impact == minutes(50)
    bare = response_times(opened())
    assert (bare.time_to_detect, bare.time_to_mitigate, bare.impact) == (None, None, None)


def _incident(i: int, day: int, ack: int, models: list[str], labels: list[str]) -> Incident:
    return Incident(f"INC-{i}", "t", "SEV3", T0 + timedelta(days=day),
                    acknowledged_at=T0 + timedelta(days=day, minutes=ack), models=models,
                    labels=labels)  # fmt: skip


def test_aggregates_by_model_label_and_period() -> None:
    incidents = [
        _incident(1, 0, 2, ["churn"], ["data drift"]),
        _incident(2, 0, 4, ["churn", "fraud"], []),
        _incident(3, 8, 10, ["fraud"], ["data drift"]),
        _incident(4, 40, 100, [], ["serving infrastructure"]),
    ]
    by_model = aggregate(incidents, "model")
    assert list(by_model) == ["(no model)", "churn", "fraud"]
    churn = by_model["churn"]["time_to_acknowledge"]
    assert (churn.count, churn.median, churn.p90) == (2, minutes(3), minutes(3.8))
    assert by_model["churn"]["time_to_resolve"].count == 0
    assert by_model["churn"]["time_to_resolve"].median is None
    assert list(aggregate(incidents, "label")) == [
        "(unlabelled)", "data_drift", "serving_infrastructure",
    ]  # fmt: skip
    assert list(aggregate(incidents, "day")) == ["2026-11-01", "2026-11-09", "2026-12-11"]
    assert list(aggregate(incidents, "week")) == [
        "2026-W44",
        "2026-W46",
        "2026-W50",
    ]  # 1 Nov: a Sunday
    assert aggregate(incidents, "month")["2026-11"]["time_to_acknowledge"].count == 3
    with pytest.raises(IncidentError, match="cannot aggregate by 'team'"):
        aggregate(incidents, "team")  # type: ignore[arg-type]


def test_merged_duplicates_are_left_out_of_aggregates() -> None:
    result = merge(_incident(1, 0, 2, ["churn"], []), _incident(2, 0, 4, ["churn"], []),
                   T0, actor="ana")  # fmt: skip
    stat = aggregate([result.primary, result.duplicate], "model")["churn"]["time_to_acknowledge"]
    assert stat.count == 1


def test_merge_unions_and_marks_both_sides() -> None:
    a = opened("INC-1", models=["churn"], labels=["data drift"])
    a = a.attach_alert("fp1", T0, T0, labels={"model": "churn"}).incident
    a = a.assign("commander", "ana", T0, actor="ana").incident
    b = Incident.open("INC-2", "x", "SEV1", T0 + minutes(5), source="user", actor="bo",
                      detected_at=T0 - minutes(10), models=["upsell"]).incident  # fmt: skip
    b = b.attach_alert("fp2", T0 - minutes(10), T0, labels={"model": "upsell"}).incident
    b = b.assign("commander", "bo", T0, actor="bo").incident
    b = b.assign("scribe", "cy", T0, actor="bo").incident
    b = b.acknowledge(T0 - minutes(8), actor="bo").incident
    b = b.record_onset("upsell-drift", T0 - minutes(40)).incident
    r = merge(a, b, T0 + minutes(30), actor="ana", reason="same features run")
    p = r.primary
    assert p.alert_fingerprints == ("fp1", "fp2")
    assert p.models == ("churn", "upsell")
    assert p.roles == {Role.COMMANDER: "ana", Role.SCRIBE: "cy"}
    assert p.severity is Severity.SEV1
    assert p.detected_at == T0 - minutes(10)
    assert p.acknowledged_at == T0 - minutes(8)
    assert p.onset_at == T0 - minutes(40)
    assert r.duplicate.merged_into == "INC-1"
    assert r.duplicate.alert_fingerprints == ("fp2",)  # nothing taken away
    assert [e.kind for e in r.primary_events] == [EventKind.MERGED, EventKind.SEVERITY_CHANGED]
    assert r.primary_events[0].details["alerts_added"] == ["fp2"]
    assert r.duplicate_events[0].incident_id == "INC-2"


def test_the_primary_timeline_holds_both_with_their_origin() -> None:
    a, b = opened("INC-1"), opened("INC-2")
    n1 = note("INC-1", "a", T0 + minutes(1), actor="ana")
    n2 = note("INC-2", "b", T0 + minutes(2), actor="bo")
    line_b = Timeline().append(n2, pin(n2, T0 + minutes(3), actor="bo"))
    r = merge(a, b, T0 + minutes(10), actor="ana")
    line = merged_timeline(Timeline().append(n1), line_b, r)
    assert [(e.incident_id, e.kind.value) for e in line.ordered()] == [
        ("INC-1", "note"), ("INC-2", "note"), ("INC-2", "pinned"), ("INC-1", "merged"),
        ("INC-2", "merged"),
    ]  # fmt: skip
    assert line.pinned() == [n2]


@pytest.mark.parametrize("case", ["self", "twice", "closed"])
def test_merges_that_make_no_sense_are_refused(case: str) -> None:
    a, b, c = opened("INC-1"), opened("INC-2"), opened("INC-3")
    if case == "self":
        with pytest.raises(IncidentError, match="into itself"):
            merge(a, a, T0, actor="ana")
    elif case == "twice":
        b = merge(a, b, T0, actor="ana").duplicate
        with pytest.raises(IncidentError, match="already merged into INC-1; merge into INC-1"):
            merge(c, b, T0, actor="ana")
    else:
        a = a.transition("resolved", T0, actor="ana").incident
        a = a.transition("closed", T0, actor="ana", postmortem_done=True).incident
        with pytest.raises(IncidentError, match="is closed; reopen it"):
            merge(a, b, T0, actor="ana")
