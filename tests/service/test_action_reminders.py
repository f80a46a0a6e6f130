"""Action-item reminders in the alerting pass, on a real store (SQLite, PostgreSQL) with the
time passed in: once when due, once per interval while overdue, never on every pass, none for
closed items; they go to the incident's receivers unless ``actions.reminders.to`` names
others, and a webhook stand-in gets them through the real outbox delivery."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests.delivery.support import Endpoint

from smokejumper.alerting import AlertingConfig, parse_config
from smokejumper.postmortems.action_config import parse_actions_config
from smokejumper.service.alerting.delivery import deliver_due
from smokejumper.service.alerting.passes import alert_pass
from smokejumper.service.alerting.senders import sender
from smokejumper.service.incidents.actions import declare
from smokejumper.service.postmortems.actions import add_item, update_item
from smokejumper.service.setup import open_store
from smokejumper.store.tables import OutboxMessage

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # items are added then; due 2026-11-10


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine, made = open_store(database_url)
    yield made
    engine.dispose()


@pytest.fixture
def hooks() -> Iterator[Endpoint]:
    endpoint = Endpoint()
    yield endpoint
    endpoint.close()


def _config(url: str) -> AlertingConfig:
    return parse_config(
        {
            "route": {
                "receiver": "team",
                "routes": [{"receiver": "churn", "matchers": ["model=churn"]}],
            },
            "receivers": [
                {"name": "team", "webhook_configs": [{"url": f"{url}/team"}]},
                {
                    "name": "churn",
                    "webhook_configs": [{"url": f"{url}/churn"}],
                    "pagerduty_configs": [{"routing_key": "k" * 32, "url": f"{url}/pd"}],
                },
                {"name": "owners", "webhook_configs": [{"url": f"{url}/owners"}]},
            ],
        }
    )


def _reminders(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        keys = session.scalars(
            select(OutboxMessage.key).where(OutboxMessage.key.like("action-due:%"))
        )
        return sorted(keys)


def _item(sessions: sessionmaker[Session], iid: str, due: str, what: str = "Schema check") -> str:
    fields = {"type": "prevent", "description": what, "owner": "ML platform", "due": due}
    return str(add_item(sessions, iid, fields, T0, "ana")["id"])


def test_reminded_once_when_due_then_once_a_day_while_overdue(
    sessions: sessionmaker[Session], hooks: Endpoint
) -> None:
    config = _config(hooks.url)
    actions = parse_actions_config({"reminders": {"every": "1d"}})
    iid = declare(sessions, "churn flat", "SEV2", T0, actor="ana", models=["churn"])["id"]
    act = _item(sessions, iid, "2026-11-10")
    _item(sessions, iid, "2026-12-24", "Later")

    def at(day: int, hour: int = 9) -> int:
        """How many reminders of action items a pass at that time writes (the incident's own
        status-update reminders are left out)."""
        before = len(_reminders(sessions))
        alert_pass(sessions, config, datetime(2026, 11, day, hour, tzinfo=UTC), actions=actions)
        return len(_reminders(sessions)) - before

    assert at(9) == 0  # not due yet
    assert at(10, 0) == 1  # due today: once, to the receiver of the incident's model (webhook;
    assert at(10, 18) == 0  # PagerDuty hears of alerts only); again the same day: nothing
    assert at(11, 0) == 1  # overdue
    assert at(11, 23) == 0
    assert at(12, 1) == 1  # a day later
    assert at(19) == 1  # a week without a pass: one reminder, not seven
    assert at(19, 20) == 0
    assert [k.split(":", 2)[2][:10] for k in _reminders(sessions)] == [
        "2026-11-10",
        "2026-11-11",
        "2026-11-12",
        "2026-11-19",
    ]
    with httpx.Client(timeout=10) as http:
        done = deliver_due(
            sessions, sender(config, "https://sj.example", http), datetime(2026, 11, 20, tzinfo=UTC)
        )
    assert done.dead == 0
    said = [r.json() for r in hooks.requests if r.json()["message"]["kind"] == "action_due"]
    assert len(said) == 4
    assert {r.path for r in hooks.requests} == {"/churn"}
    last = said[-1]
    assert (last["version"], last["status"], last["alerts"]) == ("4", "firing", [])
    assert last["message"]["kind"] == "action_due"
    assert last["groupLabels"]["action_item"] == act
    assert (
        last["message"]["title"] == f"[SEV2] {iid}: action item {act} is 9 days overdue"
    )  # 19 - 10

    update_item(sessions, act, {"status": "done"}, datetime(2026, 11, 20, tzinfo=UTC), "bo")
    assert at(22) == 0  # done: never again
    assert len(_reminders(sessions)) == 4


def test_reminders_to_names_the_receivers_and_they_can_be_turned_off(
    sessions: sessionmaker[Session], hooks: Endpoint
) -> None:
    config = _config(hooks.url)
    iid = declare(sessions, "ranking slow", "SEV3", T0, actor="ana", models=["ranking"])["id"]
    _item(sessions, iid, "2026-11-05")
    late = datetime(2026, 11, 8, tzinfo=UTC)
    off = parse_actions_config({"reminders": {"enabled": False, "to": ["owners"]}})
    alert_pass(sessions, config, late, actions=off)
    alert_pass(sessions, None, late)  # no alerting: nothing sent, no item marked reminded
    assert _reminders(sessions) == []
    to = parse_actions_config({"reminders": {"to": ["owners"]}})
    alert_pass(sessions, config, late, actions=to)
    assert len(_reminders(sessions)) == 1
    with httpx.Client(timeout=10) as http:
        deliver_due(sessions, sender(config, "https://sj.example", http), late)
    said = [r for r in hooks.requests if r.json()["message"]["kind"] == "action_due"]
    assert [r.path for r in said] == ["/owners"]
    assert said[0].json()["message"]["labels"]["overdue"] == "true"
