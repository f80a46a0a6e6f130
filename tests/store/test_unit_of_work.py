"""Repositories never commit; the unit of work commits their writes together or not at all
(SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from smokejumper.errors import UnknownModelError
from smokejumper.monitoring.monitors import parse_monitor
from smokejumper.monitoring.schema import Feature, ModelSchema
from smokejumper.store import outbox
from smokejumper.store.database import unit_of_work
from smokejumper.store.models import register_model
from smokejumper.store.monitors import save_monitor
from smokejumper.store.tables import Model, Monitor, OutboxMessage

SCHEMA = ModelSchema(features=[Feature(name="x")])
NOW = datetime(2026, 11, 1, 6, tzinfo=UTC)


def _count(sessions: sessionmaker[Session], entity: type[Model] | type[Monitor]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(entity)) or 0)


def test_writes_without_a_commit_are_not_kept(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        register_model(session, "m", SCHEMA)
        save_monitor(session, parse_monitor({"name": "rows", "model": "m", "type": "volume"}))
    assert _count(sessions, Model) == 0
    assert _count(sessions, Monitor) == 0


def test_a_unit_of_work_commits_all_or_nothing(sessions: sessionmaker[Session]) -> None:
    with unit_of_work(sessions) as session:
        register_model(session, "m", SCHEMA)
        save_monitor(session, parse_monitor({"name": "rows", "model": "m", "type": "volume"}))
    assert (_count(sessions, Model), _count(sessions, Monitor)) == (1, 1)

    def fails() -> None:
        with unit_of_work(sessions) as session:
            register_model(session, "other", SCHEMA)
            save_monitor(session, parse_monitor({"name": "x", "model": "nope", "type": "volume"}))

    with pytest.raises(UnknownModelError):
        fails()
    assert (_count(sessions, Model), _count(sessions, Monitor)) == (1, 1)  # "other" undone


def test_the_outbox_is_idempotent_and_retries(sessions: sessionmaker[Session]) -> None:
    with unit_of_work(sessions) as session:
        outbox.enqueue(session, "slack", "alert-1", '{"text": "first"}', NOW)
        outbox.enqueue(session, "slack", "alert-1", '{"text": "again"}', NOW)  # same key: kept
        outbox.enqueue(session, "email", "alert-2", "{}", NOW + timedelta(minutes=1))
    with unit_of_work(sessions) as session:
        due = outbox.due(session, NOW)
        assert [(m.key, m.payload) for m in due] == [("alert-1", '{"text": "first"}')]
        outbox.retry_later(session, due[0], "503 from receiver", NOW + timedelta(minutes=5))
    with unit_of_work(sessions) as session:
        assert [m.key for m in outbox.due(session, NOW + timedelta(minutes=2))] == ["alert-2"]
        later = outbox.due(session, NOW + timedelta(minutes=5))
        assert [m.key for m in later] == ["alert-2", "alert-1"]  # by when due
        outbox.mark_sent(session, later[1], NOW + timedelta(minutes=5))
        outbox.give_up(session, later[0], "400 invalid payload")
    with sessions() as session:
        rows = {m.key: m for m in session.scalars(select(OutboxMessage))}
        assert outbox.due(session, NOW + timedelta(days=1)) == []
    assert (rows["alert-1"].status, rows["alert-1"].attempts) == (outbox.SENT, 2)
    assert rows["alert-1"].last_error == "503 from receiver"
    assert (rows["alert-2"].status, rows["alert-2"].attempts) == (outbox.DEAD, 1)


def test_an_outbox_message_rolls_back_with_its_cause(sessions: sessionmaker[Session]) -> None:
    def fails() -> None:
        with unit_of_work(sessions) as session:
            outbox.enqueue(session, "slack", "alert-1", "{}", NOW)
            save_monitor(session, parse_monitor({"name": "x", "model": "nope", "type": "volume"}))

    with pytest.raises(UnknownModelError):
        fails()
    with sessions() as session:
        assert outbox.due(session, NOW) == []
