"""The configuration example of docs/actions.md is valid and says what the page says, and the
``actions`` part reaches worker processes (``serve --workers N``) unchanged."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from smokejumper.server import alerting_handover
from smokejumper.service.config_file import parse_config_text

PAGE = Path(__file__).resolve().parents[2] / "docs" / "actions.md"


def test_the_configuration_example_is_valid() -> None:
    text = PAGE.read_text()
    [block] = [b.split("```", 1)[0] for b in text.split("```yaml\n") if "actions:" in b]
    loaded = parse_config_text(block, "actions.md")
    actions = loaded.actions
    assert actions is not None
    assert actions.remind_to == ("action-owners",)
    assert actions.remind_every == timedelta(days=1)
    assert actions.assignees == {"ML platform": "jdoe"}
    assert actions.github is not None
    assert actions.github.target == "acme/ml-incidents"
    assert actions.github.assignees == {"ML platform": ("octocat",)}
    assert actions.jira is not None
    assert actions.jira.user == "bot@acme.example"
    assert (actions.jira.target, actions.jira.issue_type) == ("MLOPS", "Task")


def test_the_actions_part_is_handed_to_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(alerting_handover.ACTIONS_ENV, raising=False)
    data = {"reminders": {"every": "12h"}, "labels": ["pm"]}
    alerting_handover.to_environment({}, None, data)
    try:
        handed = alerting_handover.actions_from_environment()
        assert handed is not None
        assert (handed.remind_every, handed.labels) == (timedelta(hours=12), ("pm",))
    finally:
        alerting_handover.to_environment({}, None, None)
    assert alerting_handover.actions_from_environment() is None
