"""The Slack side of the store (SQLite and PostgreSQL): an incident's channel found both
ways, users' names kept, and the outbox delivering an incident's Slack messages one at a
time, in order, while other channels go as before."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smokejumper.incidents import Incident
from smokejumper.store import outbox
from smokejumper.store.database import make_engine, session_factory, upgrade
from smokejumper.store.incidents import store_changed
from smokejumper.store.slack import (
    channel_of,
    incident_of_channel,
    remember_user,
    save_channel,
    user_name,
)

T = datetime(2026, 11, 1, 9, tzinfo=UTC)


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    engine = make_engine(database_url)
    upgrade(engine)
    try:
        with session_factory(engine)() as s:
            yield s
    finally:
        engine.dispose()


def test_an_incidents_channel_is_found_both_ways(session: Session) -> None:
    for n in (1, 2):
        store_changed(
            session, Incident.open(f"INC-{n}", "flat", "SEV2", T, source="user", actor="ana")
        )
    save_channel(session, "INC-1", "C001", "inc-1-flat", T)
    assert channel_of(session, "INC-1") is not None
    assert channel_of(session, "INC-1").channel_id == "C001"  # type: ignore[union-attr]
    assert channel_of(session, "INC-2") is None
    assert incident_of_channel(session, "C001") == "INC-1"
    assert incident_of_channel(session, "C999") is None
    with pytest.raises(IntegrityError):  # one channel, one incident
        save_channel(session, "INC-2", "C001", "inc-2-flat", T)
    session.rollback()


def test_a_users_latest_name_is_kept(session: Session) -> None:
    assert user_name(session, "U01ANA") is None
    remember_user(session, "U01ANA", "ana", T)
    remember_user(session, "U01ANA", "ana.s", T + timedelta(minutes=1))
    assert user_name(session, "U01ANA") == "ana.s"


def test_an_incidents_slack_messages_go_one_at_a_time_in_order(session: Session) -> None:
    for key in ("create", "invite", "summary"):
        outbox.enqueue(session, "slack/INC-1", f"slack:INC-1:{key}", key, T)
    outbox.enqueue(session, "slack/INC-2", "slack:INC-2:create", "create 2", T)
    outbox.enqueue(session, "team/webhook_configs[0]", "n1", "alert", T)
    outbox.enqueue(session, "team/webhook_configs[0]", "n2", "alert 2", T)
    due = [m.payload for m in outbox.due(session, T)]
    assert due == ["create", "create 2", "alert", "alert 2"]

    first = outbox.due(session, T)[0]
    outbox.retry_later(session, first, "503", T + timedelta(minutes=5))  # Slack is down
    assert [m.payload for m in outbox.due(session, T)] == ["create 2", "alert", "alert 2"]
    outbox.mark_sent(session, first, T + timedelta(minutes=5))
    assert [m.payload for m in outbox.due(session, T)][:1] == ["invite"]
    invite = outbox.due(session, T)[0]
    outbox.give_up(session, invite, "invalid_auth")  # dead: the rest go on (and say why)
    assert [m.payload for m in outbox.due(session, T)][:1] == ["summary"]
