"""Delivering the outbox on a real store (SQLite and PostgreSQL) to a real HTTP server on
loopback: delivered, retried after the receiver's Retry-After, dead on a refusal with its body,
dead after too many attempts, dead when the receiver left the configuration."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests.delivery.support import Endpoint
from tests.service.test_alerting import HOUR, T0, observe
from tests.service.test_alerting import sessions as sessions  # the fixture

from smokejumper.alerting import AlertingConfig, parse_config
from smokejumper.delivery.backoff import Backoff
from smokejumper.service.alerting import actions
from smokejumper.service.alerting.delivery import deliver_due
from smokejumper.service.alerting.passes import alert_pass
from smokejumper.service.alerting.senders import sender
from smokejumper.store.tables import OutboxMessage

NOW = T0 + HOUR


def config_for(url: str) -> AlertingConfig:
    return parse_config(
        {
            "route": {"receiver": "team", "group_wait": "0s"},
            "receivers": [{"name": "team", "webhook_configs": [{"url": url, "secret": "s3cr3t!"}]}],
        }
    )


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    server = Endpoint()
    yield server
    server.close()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as client:
        yield client


def queued(sessions: sessionmaker[Session], config: AlertingConfig) -> None:
    observe(sessions, "nulls", 0, 0.5)
    assert alert_pass(sessions, config, NOW).messages == 1


def outbox(sessions: sessionmaker[Session]) -> OutboxMessage:
    with sessions() as session:
        (message,) = session.scalars(select(OutboxMessage))
        return message


def test_a_notification_is_delivered_once_as_alertmanager_webhook_json(
    sessions: sessionmaker[Session], endpoint: Endpoint, http: httpx.Client
) -> None:
    config = config_for(endpoint.url + "/hook")
    queued(sessions, config)
    send = sender(config, "https://sj.example", http)
    done = deliver_due(sessions, send, NOW)
    assert (done.delivered, done.retried, done.dead) == (1, 0, 0)
    assert deliver_due(sessions, send, NOW + HOUR).attempted == 0  # sent: never again
    (request,) = endpoint.requests
    body = request.json()
    assert (body["version"], body["status"], body["receiver"]) == ("4", "firing", "team")
    assert body["alerts"][0]["labels"]["monitor"] == "nulls"
    assert request.headers["x-smokejumper-signature"].startswith("sha256=")
    message = outbox(sessions)
    assert (message.status, message.attempts) == ("sent", 1)
    assert request.headers["idempotency-key"] == message.key.split("|")[0]


def test_a_busy_receiver_is_retried_no_sooner_than_it_asked(
    sessions: sessionmaker[Session], endpoint: Endpoint, http: httpx.Client
) -> None:
    config = config_for(endpoint.url + "/hook")
    queued(sessions, config)
    endpoint.reply(429, "slow down", {"Retry-After": "120"})
    send = sender(config, "https://sj.example", http)
    first = deliver_due(sessions, send, NOW, rng=random.Random(1))
    assert first.retried == 1
    message = outbox(sessions)
    assert message.status == "pending"
    assert "429" in (message.last_error or "")
    wait = message.due_at.replace(tzinfo=NOW.tzinfo) - NOW
    assert wait >= timedelta(seconds=120)
    assert deliver_due(sessions, send, NOW + timedelta(seconds=60)).attempted == 0  # not yet
    assert deliver_due(sessions, send, NOW + wait).delivered == 1
    assert len(endpoint.requests) == 2


def test_a_refusal_is_dead_at_once_with_the_receivers_answer(
    sessions: sessionmaker[Session], endpoint: Endpoint, http: httpx.Client
) -> None:
    config = config_for(endpoint.url + "/hook")
    queued(sessions, config)
    endpoint.reply(400, '{"error": "unknown channel"}')
    done = deliver_due(sessions, sender(config, "https://sj.example", http), NOW)
    assert done.dead == 1
    (dead,) = actions.list_notifications(sessions, "dead")
    assert "400" in dead["last_error"]
    assert "unknown channel" in dead["last_error"]
    assert "s3cr3t!" not in json.dumps(dead)


def test_a_receiver_down_for_good_is_dead_after_the_last_attempt(
    sessions: sessionmaker[Session], endpoint: Endpoint, http: httpx.Client
) -> None:
    config = config_for(endpoint.url + "/hook")
    queued(sessions, config)
    endpoint.reply(503, "maintenance", times=3)
    send = sender(config, "https://sj.example", http)
    policy = Backoff(base=1.0, cap=1.0, max_attempts=3)
    now = NOW
    for _ in range(3):
        deliver_due(sessions, send, now, policy)
        now += timedelta(seconds=2)
    message = outbox(sessions)
    assert (message.status, message.attempts) == ("dead", 3)
    assert "gave up after 3 attempts" in (message.last_error or "")


def test_a_receiver_removed_from_the_configuration_is_dead(
    sessions: sessionmaker[Session], endpoint: Endpoint, http: httpx.Client
) -> None:
    queued(sessions, config_for(endpoint.url + "/hook"))
    other = parse_config({"route": {"receiver": "ops"}, "receivers": [{"name": "ops"}]})
    assert deliver_due(sessions, sender(other, "https://sj.example", http), NOW).dead == 1
    assert "no longer in the configuration" in (outbox(sessions).last_error or "")
    assert endpoint.requests == []


def test_pagerduty_hears_trigger_acknowledge_and_resolve_with_one_dedup_key(
    sessions: sessionmaker[Session], endpoint: Endpoint, http: httpx.Client
) -> None:
    config = parse_config(
        {
            "route": {"receiver": "on-call", "group_wait": "0s"},
            "receivers": [
                {
                    "name": "on-call",
                    "pagerduty_configs": [
                        {"routing_key": "R0UTINGKEY0123456789012345678901", "url": endpoint.url}
                    ],
                }
            ],
        }
    )
    send = sender(config, "https://sj.example", http)
    queued(sessions, config)
    deliver_due(sessions, send, NOW)
    (alert,) = actions.list_alerts(sessions)
    actions.acknowledge(sessions, alert["fingerprint"], "ana", NOW + timedelta(minutes=1), config)
    deliver_due(sessions, send, NOW + timedelta(minutes=1))
    observe(sessions, "nulls", 1, 0.0)  # healthy: the alert resolves
    alert_pass(sessions, config, NOW + HOUR)
    deliver_due(sessions, send, NOW + HOUR)
    events = [r.json() for r in endpoint.requests]
    assert [e["event_action"] for e in events] == ["trigger", "acknowledge", "resolve"]
    assert {e["dedup_key"] for e in events} == {alert["fingerprint"]}
