"""Action items, pure: their checks, changes as timeline events, the reminder schedule, the
CSV for Jira's importer and the ``actions`` configuration (and its place in the file)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from smokejumper.errors import ActionConfigError, ActionItemError, ConfigFileError
from smokejumper.incidents import EventKind, Timeline
from smokejumper.postmortems.action_config import parse_actions_config
from smokejumper.postmortems.action_export import (
    COLUMNS,
    IssueFacts,
    issue_labels,
    jira_csv,
    summary,
)
from smokejumper.postmortems.action_fields import ActionStatus, ActionType
from smokejumper.postmortems.action_reminders import current_slot, reminder_due
from smokejumper.postmortems.actions import ActionItem
from smokejumper.service.config_file import parse_config_text

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def item(**kw: object) -> ActionItem:
    fields: dict[str, object] = {
        "type": "prevent",
        "description": "Validate the schema",
        "owner": "ML platform",
        "due": "2026-11-10",
    }
    fields.update(kw)
    made, _ = ActionItem.create("ACT-1", "INC-7", now=T0, actor="ana", **fields)  # type: ignore[arg-type]
    return made


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("type", "fix", ["type", "'fix'", "mitigate, prevent, detect, process"]),
        ("due", "2026-02-30", ["due", "YYYY-MM-DD"]),
        ("due", "20261110", ["due", "YYYY-MM-DD"]),
        ("due", 20261110, ["due"]),
        ("owner", "", ["owner", "non-empty"]),
        ("description", "x" * 5001, ["description", "at most 5000"]),
        ("link", "ftp://files.example/x", ["link", "http"]),
    ],
)
def test_bad_fields_are_named(field: str, value: object, words: list[str]) -> None:
    with pytest.raises(ActionItemError) as caught:
        item(**{field: value})
    assert caught.value.field == field
    for word in words:
        assert word in str(caught.value)


def test_a_new_item_is_open_and_recorded_on_the_timeline() -> None:
    made, event = ActionItem.create(
        "ACT-3",
        "INC-7",
        type="detect",
        description="Alert on null rates",
        owner="SRE",
        due=date(2026, 12, 1),
        link="https://wiki.example/x",
        now=T0,
        actor="ana",
    )
    assert (made.type, made.status, made.due) == (
        ActionType.DETECT,
        ActionStatus.OPEN,
        date(2026, 12, 1),
    )
    assert (made.updated_at, made.updated_by) == (T0, "ana")
    assert event.kind is EventKind.ACTION_ITEM
    assert event.incident_id == "INC-7"
    assert event.details["action_item"] == "ACT-3"
    assert event.details["fields"]["link"] == "https://wiki.example/x"
    assert "Alert on null rates" in event.details["summary"]
    assert len(Timeline().append(event, event)) == 1


def test_changes_say_what_changed_and_wont_do_needs_a_reason() -> None:
    start = item()
    later = T0 + timedelta(days=1)
    same, nothing = start.change({"owner": "ML platform"}, later, actor="bo")
    assert nothing is None
    assert same is start
    moved, event = start.change({"status": "in_progress", "due": "2026-11-20"}, later, actor="bo")
    assert event is not None
    assert event.details["fields"] == {
        "due": {"from": "2026-11-10", "to": "2026-11-20"},
        "status": {"from": "open", "to": "in_progress"},
    }
    assert (moved.updated_by, moved.created_by) == ("bo", "ana")
    with pytest.raises(ActionItemError, match="reason: an item that will not be done needs"):
        start.change({"status": "wont_do"}, later, actor="bo")
    with pytest.raises(ActionItemError, match="priority: cannot be changed"):
        start.change({"priority": "high"}, later, actor="bo")
    dropped, _ = start.change({"status": "wont_do", "reason": "retired"}, later, actor="bo")
    reopened, event = dropped.change({"status": "open"}, later, actor="bo")
    assert reopened.reason is None
    assert event is not None
    assert event.details["fields"]["reason"] == {"from": "retired", "to": None}
    assert ActionItem.from_dict(dropped.to_dict()) == dropped


def test_overdue_counts_whole_days_after_the_due_date_in_utc() -> None:
    it = item(due="2026-11-10")
    assert not it.overdue(datetime(2026, 11, 10, 23, 59, tzinfo=UTC))
    assert it.overdue(datetime(2026, 11, 11, 0, 0, tzinfo=UTC))
    assert it.days_late(datetime(2026, 11, 14, 12, tzinfo=UTC)) == 4
    done, _ = it.change({"status": "done"}, T0, actor="bo")
    assert not done.overdue(datetime(2026, 12, 1, tzinfo=UTC))


def test_the_reminder_schedule_follows_the_interval_and_catches_up_once() -> None:
    it = item(due="2026-11-10")
    every = timedelta(hours=12)
    slots = []
    now = datetime(2026, 11, 9, tzinfo=UTC)
    while now < datetime(2026, 11, 13, tzinfo=UTC):
        owed = reminder_due(it, now, every)
        if owed is not None:
            slots.append(owed.slot)
            it = it.reminded(owed.slot)
        now += timedelta(minutes=30)
    day = datetime(2026, 11, 10, tzinfo=UTC)
    assert slots == [day + timedelta(hours=h) for h in (0, 24, 36, 48, 60)]
    assert it.reminders == 5
    owed = reminder_due(it, datetime(2026, 11, 20, 7, tzinfo=UTC), every)  # a week later
    assert owed is not None
    assert owed.slot == datetime(2026, 11, 20, tzinfo=UTC)
    assert owed.days_late == 10
    assert owed.overdue
    with pytest.raises(ActionItemError, match="positive"):
        current_slot(it, T0, timedelta(0))


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_the_csv_has_jiras_columns_and_one_labels_column_per_label() -> None:
    long_first = "Add a check " + "x" * 300 + "\nsecond line"
    items = [
        IssueFacts(item(), "churn flat", "SEV1"),
        IssueFacts(item(description=long_first, owner="Data eng / feature store"), "t", "SEV4"),
    ]
    rows = _rows(jira_csv(items, assignees={"ML platform": "jdoe"}, labels=["q4 review", "ml"]))
    header = rows[0]
    assert tuple(header[: len(COLUMNS)]) == COLUMNS
    assert header[len(COLUMNS) :] == ["Labels"] * 6
    assert all(len(r) == len(header) for r in rows)
    first, second = (dict(zip(COLUMNS, r, strict=False)) for r in rows[1:])
    assert (first["Priority"], second["Priority"]) == ("Highest", "Low")
    assert (first["Assignee"], second["Assignee"]) == ("jdoe", "")
    assert datetime.strptime(first["Due Date"], "%Y-%m-%d").date() == date(2026, 11, 10)
    assert len(second["Summary"]) == 255
    assert "\n" not in second["Summary"]
    assert second["Description"].startswith(long_first)  # kept whole, newlines too
    assert rows[2][len(COLUMNS) :] == [
        "postmortem",
        "INC-7",
        "action-prevent",
        "owner-data-eng-feature-store",
        "q4-review",
        "ml",
    ]
    assert summary(item(description="  one\ntwo")) == "one"
    assert issue_labels(item(), ["postmortem"]).count("postmortem") == 1
    assert _rows(jira_csv([])) == [[*COLUMNS, "Labels"]]


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"reminder": {}}, "actions.reminder"),
        ({"reminders": {"every": "1 day"}}, "actions.reminders.every"),
        ({"reminders": {"enabled": "yes"}}, "actions.reminders.enabled"),
        ({"reminders": {"to": "team"}}, "actions.reminders.to"),
        ({"github": {"repository": "acme/x"}}, "actions.github.token"),
        (
            {"github": {"repository": "acme/x", "token": "a", "token_file": "b"}},
            "actions.github.token",
        ),
        (
            {"github": {"repository": "acme/x", "token": "a", "url": "api.github.com"}},
            "actions.github.url",
        ),
        ({"jira": {"project": "OPS", "token": "a"}}, "actions.jira.url"),
        ({"jira": {"url": "https://j.example", "token": "a"}}, "actions.jira.project"),
    ],
)
def test_configuration_errors_name_the_path(data: dict[str, object], path: str) -> None:
    with pytest.raises(ActionConfigError) as caught:
        parse_actions_config(data)
    assert caught.value.path == path


def test_the_configuration_file_checks_the_reminders_receivers() -> None:
    text = (
        "route:\n  receiver: team\nreceivers:\n  - name: team\n"
        "actions:\n  reminders:\n    to: [owners]\n"
    )
    with pytest.raises(ConfigFileError) as caught:
        parse_config_text(text, "sj.yaml")
    assert "sj.yaml:7" in str(caught.value)
    assert "receiver 'owners' is not defined under receivers (defined: team)" in str(caught.value)
    loaded = parse_config_text(text.replace("owners", "team"), "sj.yaml")
    assert loaded.actions is not None
    assert loaded.actions.remind_to == ("team",)
    assert loaded.actions_data == {"reminders": {"to": ["team"]}}
    with pytest.raises(ConfigFileError, match=r"sj\.yaml:2: actions\.jira\.url: missing"):
        parse_config_text("actions:\n  jira:\n    project: OPS\n    token: t\n", "sj.yaml")
