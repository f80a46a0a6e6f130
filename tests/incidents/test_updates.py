"""SBAR status updates: validation, rendering, when the next is due."""

from __future__ import annotations

import pytest
from tests.incidents.support import T0, minutes, opened

from smokejumper.errors import IncidentError
from smokejumper.incidents import (
    EventKind,
    StatusUpdate,
    last_update_at,
    merge,
    next_update_due,
    parse_severities,
    post_update,
    update_overdue,
)
from smokejumper.incidents.updates import MAX_PART

UPDATE = StatusUpdate(
    "Scores flat for 30%.", "Features run at 02:10.", "Likely the run.", "Roll back."
)


def test_every_part_is_required_and_all_missing_ones_are_named() -> None:
    with pytest.raises(IncidentError, match=r"missing: situation \(what is happening now\), "
                       r"recommendation"):  # fmt: skip
        StatusUpdate("", "b", "c", "  ")
    with pytest.raises(IncidentError, match="keep it to 3000"):
        StatusUpdate("a" * (MAX_PART + 1), "b", "c", "d")
    with pytest.raises(IncidentError, match="must be text"):
        StatusUpdate(None, "b", "c", "d")  # type: ignore[arg-type]


def test_renderings_hold_every_part_in_order() -> None:
    inc = opened()
    text = UPDATE.to_text(inc, at=T0, author="ana")
    markdown = UPDATE.to_markdown(inc, at=T0, author="ana")
    assert text.splitlines()[0] == "[SEV2] INC-1 churn scores flat (triage)"
    assert markdown.startswith(
        "### [SEV2] INC-1: churn scores flat (triage)\n\n_Status update by ana"
    )
    for rendered in (text, markdown):
        positions = [rendered.index(p) for p in ("Situation", "Background", "Assessment",
                                                 "Recommendation")]  # fmt: skip
        assert positions == sorted(positions)
        assert "2026-11-01 03:00 UTC" in rendered


def test_posting_records_the_update_and_reads_back() -> None:
    inc, [event] = post_update(opened(), UPDATE, T0 + minutes(30), actor="ana")
    assert event.kind is EventKind.STATUS_UPDATE
    assert event.details["severity"] == "SEV2"
    assert StatusUpdate.from_dict(event.details) == UPDATE
    dup = merge(opened("INC-2"), inc, T0, actor="ana").duplicate
    with pytest.raises(IncidentError, match="post the update on INC-2"):
        post_update(dup, UPDATE, T0, actor="ana")


def test_the_next_update_is_due_by_severity_and_none_once_resolved() -> None:
    inc = opened()
    assert next_update_due(inc, None) == T0 + minutes(60)  # SEV2 default: 1h after detection
    _, events = post_update(inc, UPDATE, T0 + minutes(50), actor="ana")
    last = last_update_at(events)
    assert next_update_due(inc, last) == T0 + minutes(110)
    fast = parse_severities({"SEV2": {"update_every": "15m"}})
    assert next_update_due(inc, last, fast) == T0 + minutes(65)
    assert not update_overdue(inc, last, T0 + minutes(109))
    assert update_overdue(inc, last, T0 + minutes(110))
    resolved = inc.transition("resolved", T0 + minutes(70), actor="ana").incident
    assert next_update_due(resolved, last) is None
    assert not update_overdue(resolved, last, T0 + minutes(1000))
