"""The status lifecycle: legal moves, refusals listing the allowed ones, stamps, reopening."""

from __future__ import annotations

import itertools

import pytest
from tests.incidents.support import T0, minutes, opened

from smokejumper.errors import IllegalTransitionError, IncidentError, PostmortemPendingError
from smokejumper.incidents import (
    TRANSITIONS,
    EventKind,
    Status,
    allowed_transitions,
    check_transition,
    merge,
    parse_status,
)

LEGAL = {
    ("triage", "investigating"),
    ("triage", "mitigated"),
    ("triage", "resolved"),
    ("investigating", "mitigated"),
    ("investigating", "resolved"),
    ("mitigated", "investigating"),
    ("mitigated", "resolved"),
    ("resolved", "closed"),
    ("resolved", "investigating"),
    ("closed", "investigating"),
}


@pytest.mark.parametrize(("current", "target"), list(itertools.product(Status, Status)))
def test_every_pair_is_legal_exactly_when_the_table_says(current: Status, target: Status) -> None:
    if (current.value, target.value) in LEGAL:
        assert check_transition(current, target, postmortem_done=True) is target
    else:
        with pytest.raises(IllegalTransitionError) as err:
            check_transition(current, target, postmortem_done=True)
        allowed = [s.value for s in TRANSITIONS[current]]
        assert err.value.allowed == tuple(allowed)
        assert ", ".join(allowed) in str(err.value)


def test_closing_needs_the_postmortem() -> None:
    with pytest.raises(PostmortemPendingError, match="post-mortem is not done") as err:
        check_transition(Status.RESOLVED, Status.CLOSED)
    assert err.value.allowed == ("investigating",)
    assert Status.CLOSED not in allowed_transitions(Status.RESOLVED)
    assert Status.CLOSED in allowed_transitions(Status.RESOLVED, postmortem_done=True)


def test_staying_put_is_refused_and_says_so() -> None:
    with pytest.raises(IllegalTransitionError, match="already investigating"):
        check_transition(Status.INVESTIGATING, Status.INVESTIGATING)


def test_unknown_status_lists_the_known_ones() -> None:
    assert parse_status(" Mitigated ") is Status.MITIGATED
    with pytest.raises(IncidentError, match="known: triage, investigating, mitigated"):
        parse_status("fixed")


def test_full_life_stamps_each_time_once_and_records_every_move() -> None:
    inc = opened()
    inc, ev = inc.transition("investigating", T0 + minutes(5), actor="ana")
    assert [e.kind for e in ev] == [EventKind.ACKNOWLEDGED, EventKind.STATUS_CHANGED]
    assert ev[0].details == {"implied_by": "investigating"}
    assert inc.acknowledged_at == T0 + minutes(5)
    inc, _ = inc.transition("mitigated", T0 + minutes(20), actor="ana")
    inc, _ = inc.transition("investigating", T0 + minutes(30), actor="ana", reason="came back")
    inc, ev = inc.transition("mitigated", T0 + minutes(40), actor="ana")
    assert inc.mitigated_at == T0 + minutes(20)  # first reached
    assert [e.kind for e in ev] == [EventKind.STATUS_CHANGED]
    inc, _ = inc.transition("resolved", T0 + minutes(60), actor="ana")
    inc, ev = inc.transition("closed", T0 + minutes(600), actor="bo", postmortem_done=True)
    assert (inc.status, inc.resolved_at, inc.closed_at) == (
        Status.CLOSED,
        T0 + minutes(60),
        T0 + minutes(600),
    )
    assert ev[0].details == {"from": "resolved", "to": "closed"}
    assert not inc.is_open


def test_reopening_is_recorded_and_keeps_the_first_times() -> None:
    inc = opened()
    inc, _ = inc.transition("resolved", T0 + minutes(10), actor="ana")
    assert inc.mitigated_at == inc.resolved_at == T0 + minutes(10)  # skipped, stamped too
    inc, ev = inc.transition("investigating", T0 + minutes(90), actor="bo", reason="back again")
    assert [e.kind for e in ev] == [EventKind.STATUS_CHANGED, EventKind.REOPENED]
    assert ev[1].details == {"from": "resolved", "to": "investigating", "reason": "back again"}
    assert inc.is_open
    assert inc.resolved_at == T0 + minutes(10)


def test_acknowledging_twice_records_once() -> None:
    inc, ev = opened().acknowledge(T0 + minutes(2), actor="ana")
    assert len(ev) == 1
    assert inc.acknowledged_at == T0 + minutes(2)
    again, ev = inc.acknowledge(T0 + minutes(3), actor="bo")
    assert again is inc
    assert ev == ()
    _, ev = inc.transition("investigating", T0 + minutes(4), actor="ana")
    assert [e.kind for e in ev] == [EventKind.STATUS_CHANGED]


def test_a_merged_incident_takes_no_more_changes() -> None:
    dup = merge(opened("INC-1"), opened("INC-2"), T0 + minutes(5), actor="ana").duplicate
    with pytest.raises(IncidentError, match="merged into INC-1; change the status on INC-1"):
        dup.transition("investigating", T0 + minutes(6), actor="ana")
    with pytest.raises(IncidentError, match="merged into INC-1"):
        dup.note("hello", T0 + minutes(6), actor="ana")
