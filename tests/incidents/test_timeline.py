"""The timeline: append-only, identities from content, pins and corrections as events."""

from __future__ import annotations

import json
import math

import pytest
from tests.incidents.support import T0, minutes

from smokejumper.errors import IncidentError
from smokejumper.incidents import (
    EventKind,
    Timeline,
    TimelineEvent,
    action,
    change,
    correction,
    note,
    onset_event,
    pin,
    unpin,
)


def test_the_same_fact_twice_is_one_event_whatever_its_time_zone() -> None:
    from datetime import timedelta, timezone

    a = change("INC-1", "deploy", "v7", T0, source="ci")
    b = change("INC-1", "deploy", "v7", T0.astimezone(timezone(timedelta(hours=2))), source="ci",
               )  # fmt: skip
    late = TimelineEvent("INC-1", EventKind.CHANGE, T0, "ci", None, dict(a.details),
                         recorded_at=T0 + minutes(60))  # fmt: skip
    assert a.id == b.id == late.id
    assert len(Timeline().append(a, [b, late])) == 1
    assert change("INC-1", "deploy", "v8", T0, source="ci").id != a.id


def test_order_is_by_time_then_by_recording() -> None:
    first = note("INC-1", "first", T0, actor="ana")
    second = note("INC-1", "second", T0, actor="ana")
    earlier = onset_event("INC-1", "drift", T0 - minutes(30))
    line = Timeline().append(first, second, earlier)
    assert [e.details.get("text") for e in line.ordered()] == [None, "first", "second"]
    assert line.between(T0 - minutes(30), T0) == [earlier]


def test_pins_and_unpins_are_events_and_the_last_one_counts() -> None:
    deploy = change("INC-1", "alias", "champion -> v7", T0, source="mlflow", model="churn")
    line = Timeline().append(deploy, pin(deploy, T0 + minutes(5), actor="ana"))
    assert line.pinned() == [deploy]
    line = line.append(unpin(deploy, T0 + minutes(6), actor="ana"))
    assert line.pinned() == []
    line = line.append(pin(deploy, T0 + minutes(7), actor="bo"))
    assert line.pinned() == [deploy]
    assert len(line) == 4


def test_a_pin_or_correction_must_name_an_event_on_the_timeline() -> None:
    stray = note("INC-1", "x", T0, actor="ana")
    with pytest.raises(IncidentError, match="which is not on the timeline"):
        Timeline().append(pin(stray, T0, actor="ana"))
    with pytest.raises(IncidentError, match="which is not on the timeline"):
        Timeline().append(correction(stray, "it was v6", T0, actor="ana"))


def test_corrections_leave_the_event_as_it_was() -> None:
    wrong = action("INC-1", "rolled back to v5", T0, actor="ana")
    fix = correction(wrong, "it was v6, not v5", T0 + minutes(2), actor="ana")
    line = Timeline().append(wrong, fix)
    assert line.get(wrong.id) == wrong
    assert line.corrections(wrong.id) == [fix]


@pytest.mark.parametrize(
    ("kind", "details", "message"),
    [
        (EventKind.STATUS_CHANGED, {"from": "triage"}, "needs the details to; it has from"),
        (EventKind.NOTE, {"text": math.nan}, "must be a finite number"),
        (EventKind.NOTE, {"text": object()}, "must be JSON"),
        (EventKind.NOTE, {"text": "x", "n": {1: 2}}, "keys must be strings"),
        ("told", {}, "unknown timeline event kind 'told'"),
    ],
)
def test_malformed_events_are_refused(
    kind: object, details: dict[str, object], message: str
) -> None:
    with pytest.raises(IncidentError, match=message):
        TimelineEvent("INC-1", kind, T0, "user", "ana", details)  # type: ignore[arg-type]


def test_change_kinds_are_checked() -> None:
    with pytest.raises(IncidentError, match="unknown change kind 'rumour'; known: deploy"):
        change("INC-1", "rumour", "x", T0, source="user")


def test_round_trip_and_tampering_is_caught() -> None:
    e = change("INC-1", "pipeline", "features run", T0, source="openlineage", link="http://x",
               details={"row_count": 12, "usual": [9000.5, 11000]})  # fmt: skip
    line = Timeline().append(e, pin(e, T0 + minutes(1), actor="ana"))
    data = json.loads(json.dumps(line.to_list()))
    assert Timeline.from_list(data) == line
    data[0]["details"]["row_count"] = 9000
    with pytest.raises(IncidentError, match="does not match its content"):
        Timeline.from_list(data)
    with pytest.raises(IncidentError, match="at must be an ISO 8601 time"):
        TimelineEvent.from_dict({**e.to_dict(), "at": "yesterday", "id": None})
