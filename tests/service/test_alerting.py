"""The alerting pass on a real store (SQLite and PostgreSQL): observations fire and resolve
alerts, notifications reach the outbox once, acknowledgements and silences are kept, all on a
controlled clock (no sleeps)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from smokejumper.alerting import parse_config
from smokejumper.errors import InvalidSilenceError, UnknownAlertError, UnknownSilenceError
from smokejumper.monitoring.monitors import parse_monitor
from smokejumper.monitoring.schema import Feature, ModelSchema
from smokejumper.service.alerting import actions
from smokejumper.service.alerting.passes import alert_pass
from smokejumper.store.database import make_engine, session_factory, unit_of_work, upgrade
from smokejumper.store.models import register_model
from smokejumper.store.monitors import save_monitor
from smokejumper.store.observations import save_observations
from smokejumper.store.tables import OutboxMessage

T0 = datetime(2026, 11, 1, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
CONFIG = parse_config(
    {
        "route": {"receiver": "team", "group_by": ["model"], "group_wait": "30s"},
        "receivers": [
            {
                "name": "team",
                "webhook_configs": [{"url": "http://127.0.0.1:9/hook"}],
                "slack_configs": [{"api_url": "http://127.0.0.1:9/slack"}],
            }
        ],
    }
)


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    upgrade(engine)
    factory = session_factory(engine)
    with unit_of_work(factory) as session:
        register_model(session, "churn", ModelSchema(features=[Feature(name="x")]))
        declare(session, "nulls")
    try:
        yield factory
    finally:
        engine.dispose()


def declare(session: Session, name: str, **alerting: object) -> None:
    """A null-rate monitor of column x of model churn, unhealthy above 10 % nulls."""
    declared = {"name": name, "model": "churn", "type": "null_rate", "column": "x", "max": 0.1}
    save_monitor(session, parse_monitor({**declared, **alerting}))


def observe(sessions: sessionmaker[Session], monitor: str, hour: int, value: float) -> None:
    """The monitor's observation of window ``hour`` (unhealthy above 0.1)."""
    from smokejumper.store.tables import Monitor

    with unit_of_work(sessions) as session:
        monitor_id = session.scalar(select(Monitor.id).where(Monitor.name == monitor))
        details = {"column": "x", "nulls": int(value * 100), "rows": 100}
        save_observations(
            session,
            [
                {
                    "monitor_id": monitor_id,
                    "window_start": T0 + hour * HOUR,
                    "value": value,
                    "healthy": value <= 0.1,
                    "details": json.dumps(details),
                    "evaluated_at": T0 + (hour + 1) * HOUR,
                }
            ],
        )


def messages(sessions: sessionmaker[Session]) -> list[OutboxMessage]:
    with sessions() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_an_unhealthy_window_fires_once_and_notifies_each_integration_once(
    sessions: sessionmaker[Session],
) -> None:
    observe(sessions, "nulls", 0, 0.5)
    now = T0 + HOUR
    first = alert_pass(sessions, CONFIG, now)
    assert (first.firing, first.notifications) == (1, 0)  # group_wait first
    alerts = actions.list_alerts(sessions, state="firing")
    assert [a["labels"]["monitor"] for a in alerts] == ["nulls"]
    assert alerts[0]["context"]["null_share"]["share"] == pytest.approx(0.5)

    later = alert_pass(sessions, CONFIG, now + timedelta(seconds=30))
    assert (later.notifications, later.messages) == (1, 2)
    again = alert_pass(sessions, CONFIG, now + timedelta(seconds=31))
    assert again.messages == 0
    sent = messages(sessions)
    assert sorted(m.channel for m in sent) == ["team/slack_configs[0]", "team/webhook_configs[0]"]
    payload = json.loads(sent[0].payload)
    assert payload["notification"]["firing"][0]["labels"]["monitor"] == "nulls"
    assert "127.0.0.1:9" not in sent[0].payload  # settings (and secrets) stay in the config


def test_for_windows_waits_and_a_healthy_window_resolves(sessions: sessionmaker[Session]) -> None:
    with unit_of_work(sessions) as session:
        declare(session, "volume", for_windows=2)
    observe(sessions, "volume", 0, 0.5)
    alert_pass(sessions, CONFIG, T0 + HOUR)
    assert actions.list_alerts(sessions) == []  # one unhealthy window of two
    observe(sessions, "volume", 1, 0.6)
    alert_pass(sessions, CONFIG, T0 + 2 * HOUR)
    (alert,) = actions.list_alerts(sessions)
    assert alert["state"] == "firing"
    assert alert["context"]["since"] == T0.isoformat()
    alert_pass(sessions, CONFIG, T0 + 2 * HOUR + timedelta(seconds=30))
    observe(sessions, "volume", 2, 0.0)
    # the resolved news goes at once: the last notification is older than group_interval (5m)
    done = alert_pass(sessions, CONFIG, T0 + 3 * HOUR)
    (alert,) = actions.list_alerts(sessions)
    assert alert["state"] == "resolved"
    assert done.notifications == 1
    last = json.loads(messages(sessions)[-1].payload)["notification"]
    assert (last["status"], len(last["resolved"])) == ("resolved", 1)


def test_an_episode_that_ended_before_any_pass_fires_once_then_resolves(
    sessions: sessionmaker[Session],
) -> None:
    """A backlog evaluated at once: the page episode of hours 0-1 is over by hour 2, yet it
    alerts (and opens an incident) once; the next pass resolves it, later passes stay quiet."""
    from smokejumper.service.incidents.actions import list_incidents

    with unit_of_work(sessions) as session:
        declare(session, "volume", for_windows=2, severity="page")
    for hour, value in enumerate([0.0, 0.5, 0.6, 0.0, 0.3, 0.0]):
        observe(sessions, "volume", hour, value)  # hour 4 alone is shorter than for_windows
    now = T0 + 6 * HOUR
    first = alert_pass(sessions, CONFIG, now)
    (alert,) = actions.list_alerts(sessions)
    assert (first.firing, alert["state"]) == (1, "firing")
    assert alert["context"]["since"] == (T0 + HOUR).isoformat()
    assert alert["context"]["healthy_again"] == (T0 + 3 * HOUR).isoformat()
    assert "Healthy again" in alert["annotations"]["description"]
    (incident,) = list_incidents(sessions)
    assert list(incident["alerts"]) == [alert["fingerprint"]]
    assert incident["onset_at"] == (T0 + HOUR).isoformat()

    second = alert_pass(sessions, CONFIG, now + timedelta(minutes=1))
    (alert,) = actions.list_alerts(sessions)
    assert (second.firing, alert["state"]) == (0, "resolved")
    third = alert_pass(sessions, CONFIG, now + timedelta(minutes=2))
    assert third.firing == 0
    assert len(actions.list_alerts(sessions)) == 1
    assert len(list_incidents(sessions)) == 1


def test_an_ended_episode_a_pass_already_alerted_on_resolves_rather_than_fires_again(
    sessions: sessionmaker[Session],
) -> None:
    """The pass at hour 1 saw the episode firing; hour 1 re-evaluated later (late data, a new
    evaluated_at) with hour 2 healthy must resolve that alert, not open a second episode."""
    observe(sessions, "nulls", 0, 0.5)
    alert_pass(sessions, CONFIG, T0 + HOUR)
    observe(sessions, "nulls", 0, 0.6)  # re-evaluated: evaluated_at is after that pass
    observe(sessions, "nulls", 1, 0.0)
    with unit_of_work(sessions) as session:
        from smokejumper.store.tables import ObservationRow

        for row in session.scalars(select(ObservationRow)):
            row.evaluated_at = T0 + 3 * HOUR
    alert_pass(sessions, CONFIG, T0 + 3 * HOUR)
    (alert,) = actions.list_alerts(sessions)
    assert alert["state"] == "resolved"
    assert alert["context"]["since"] == T0.isoformat()


def test_without_configuration_alerts_are_kept_and_nothing_is_queued(
    sessions: sessionmaker[Session],
) -> None:
    observe(sessions, "nulls", 0, 0.5)
    for seconds in (0, 30, 3600):
        alert_pass(sessions, None, T0 + HOUR + timedelta(seconds=seconds))
    assert len(actions.list_alerts(sessions, state="firing")) == 1
    assert messages(sessions) == []


def test_acknowledging_is_stored_and_stops_repeats(sessions: sessionmaker[Session]) -> None:
    observe(sessions, "nulls", 0, 0.5)
    now = T0 + HOUR
    alert_pass(sessions, CONFIG, now)
    alert_pass(sessions, CONFIG, now + timedelta(seconds=30))
    (alert,) = actions.list_alerts(sessions)
    acked = actions.acknowledge(sessions, alert["fingerprint"], "ana", now + timedelta(minutes=1))
    assert acked["acknowledged_by"] == "ana"
    # a pass keeps the acknowledgement; after repeat_interval (4h) nothing is repeated
    alert_pass(sessions, CONFIG, now + timedelta(hours=5))
    (alert,) = actions.list_alerts(sessions)
    assert alert["acknowledged_by"] == "ana"
    assert len(messages(sessions)) == 2  # only the first notification's two messages
    with pytest.raises(UnknownAlertError, match="no alert has fingerprint 'nope'"):
        actions.acknowledge(sessions, "nope", "ana", now)


def test_unacknowledged_alerts_repeat(sessions: sessionmaker[Session]) -> None:
    observe(sessions, "nulls", 0, 0.5)
    now = T0 + HOUR
    alert_pass(sessions, CONFIG, now)
    alert_pass(sessions, CONFIG, now + timedelta(seconds=30))
    repeat = alert_pass(sessions, CONFIG, now + timedelta(hours=5))
    assert repeat.notifications == 1
    assert json.loads(messages(sessions)[-1].payload)["notification"]["reason"] == "repeat"


def test_a_silence_mutes_and_expiring_it_lets_the_alert_through(
    sessions: sessionmaker[Session],
) -> None:
    now = T0 + HOUR
    silence, warnings = actions.create_silence(
        sessions, ['monitor="nulls"'], now, now + HOUR, "ana", "known outage", now
    )
    assert warnings  # no alert seen yet matches it
    observe(sessions, "nulls", 0, 0.5)
    alert_pass(sessions, CONFIG, now)
    assert alert_pass(sessions, CONFIG, now + timedelta(minutes=1)).notifications == 0
    assert [s["id"] for s in actions.list_silences(sessions, now)] == [silence["id"]]
    expired = actions.expire(sessions, silence["id"], now + timedelta(minutes=2))
    assert expired["state"] == "expired"
    assert actions.list_silences(sessions, now + timedelta(minutes=2)) == []
    assert len(actions.list_silences(sessions, now + timedelta(minutes=2), expired=True)) == 1
    # the alert started longer than group_wait ago: it goes out at once, as in Alertmanager
    assert alert_pass(sessions, CONFIG, now + timedelta(minutes=3)).notifications == 1
    with pytest.raises(UnknownSilenceError):
        actions.expire(sessions, "nope", now)
    with pytest.raises(InvalidSilenceError, match="before it starts"):
        actions.create_silence(sessions, ['model="churn"'], now, now - HOUR, "ana", "x", now)


def test_notifications_are_listed_with_their_state(sessions: sessionmaker[Session]) -> None:
    observe(sessions, "nulls", 0, 0.5)
    alert_pass(sessions, CONFIG, T0 + HOUR)
    alert_pass(sessions, CONFIG, T0 + HOUR + timedelta(seconds=30))
    listed = actions.list_notifications(sessions, "pending")
    assert {n["integration"] for n in listed} == {"slack_configs[0]", "webhook_configs[0]"}
    assert listed[0]["alerts"][0].startswith("null_rate monitor nulls of model churn")
    assert actions.list_notifications(sessions, "dead") == []


def test_a_pass_reads_the_observations_of_changed_monitors_only(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once a monitor's observations are all older than the last pass, its evaluation is kept
    and reused until an observation comes or changes; the alerts are as if it were re-read."""
    from smokejumper.service.alerting import sources

    with unit_of_work(sessions) as session:
        declare(session, "volume", for_windows=2)
    read: list[int] = []
    real = sources.recent_observations

    def counting(session: Session, monitor_id: int, limit: int) -> list[object]:
        read.append(monitor_id)
        return list(real(session, monitor_id, limit))

    monkeypatch.setattr(sources, "recent_observations", counting)
    observe(sessions, "nulls", 0, 0.5)
    observe(sessions, "volume", 0, 0.5)
    alert_pass(sessions, CONFIG, T0 + HOUR)  # the first pass: nothing is settled yet
    alert_pass(sessions, CONFIG, T0 + HOUR + timedelta(seconds=30))
    read.clear()
    alert_pass(sessions, CONFIG, T0 + HOUR + timedelta(seconds=60))
    assert read == []  # neither monitor changed
    assert [a["labels"]["monitor"] for a in actions.list_alerts(sessions, state="firing")] == [
        "nulls"
    ]
    observe(sessions, "volume", 1, 0.6)  # volume's second unhealthy window: it fires now
    alert_pass(sessions, CONFIG, T0 + 2 * HOUR)
    assert len(read) == 1
    firing = actions.list_alerts(sessions, state="firing")
    assert sorted(a["labels"]["monitor"] for a in firing) == ["nulls", "volume"]
    observe(sessions, "nulls", 0, 0.0)  # re-evaluated in place: healthy after all
    alert_pass(sessions, CONFIG, T0 + 3 * HOUR)
    assert [a["labels"]["monitor"] for a in actions.list_alerts(sessions, state="firing")] == [
        "volume"
    ]
