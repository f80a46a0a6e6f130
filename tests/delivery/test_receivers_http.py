"""Slack, PagerDuty, the webhook and Alertmanager push against real HTTP servers on loopback:
what arrives matches the published formats, and the answers are judged as documented."""

from __future__ import annotations

import hashlib
import hmac

import httpx
from tests.delivery.support import (
    T0,
    Endpoint,
    check_block_kit,
    check_pagerduty_event,
    check_postable_alerts,
    check_webhook_v4,
    drift_alert,
    notification,
    null_alert,
)

from smokejumper.delivery.registry import send

EXTERNAL = "https://sj.example"
ROUTING_KEY = "R" * 32


def test_slack_message_arrives_in_block_kit(endpoint: Endpoint, client: httpx.Client) -> None:
    n = notification(drift_alert(3), null_alert())
    settings = {"api_url": f"{endpoint.url}/services/T0/B0/XYZ", "channel": "#ml"}
    outcome = send("slack_configs", settings, n, EXTERNAL, client=client)
    assert outcome.ok, outcome
    [got] = endpoint.requests
    assert got.path == "/services/T0/B0/XYZ"
    assert got.headers["content-type"] == "application/json"
    message = got.json()
    check_block_kit(message)
    assert message["channel"] == "#ml"
    assert message["blocks"][0]["type"] == "header"
    assert message["blocks"][0]["text"]["text"].startswith("[FIRING:2] churn")
    text = "\n".join(b["text"]["text"] for b in message["blocks"] if b["type"] == "section")
    assert "feature_0: wasserstein 0.9" in text
    assert "feature_2: wasserstein 0.8" in text
    assert "Null share of age: 37.5%" in text
    [actions] = [b for b in message["blocks"] if b["type"] == "actions"]
    urls = [e["url"] for e in actions["elements"]]
    assert urls == [
        f"{EXTERNAL}/api/v1/models/churn/observations",
        "https://runbooks.example/drift",
    ]


def test_slack_refusal_is_dead_with_its_body(endpoint: Endpoint, client: httpx.Client) -> None:
    endpoint.reply(400, "invalid_blocks")
    settings = {"api_url": f"{endpoint.url}/services/T0/B0/SECRETPATH"}
    outcome = send("slack", settings, notification(drift_alert()), EXTERNAL, client=client)
    assert outcome.status == "dead"
    assert outcome.error == f"POST {endpoint.url} answered 400: invalid_blocks"
    assert "SECRETPATH" not in outcome.error


def test_pagerduty_one_event_per_alert(endpoint: Endpoint, client: httpx.Client) -> None:
    endpoint.default = endpoint.default.__class__(202, b'{"status":"success"}')
    page = null_alert()
    acked = drift_alert(2).acknowledge("ana", T0)
    gone = drift_alert(1, column="x").resolve(T0)
    n = notification(page, acked, resolved=(gone,))
    settings = {"routing_key": ROUTING_KEY, "url": f"{endpoint.url}/v2/enqueue"}
    outcome = send("pagerduty_configs", settings, n, EXTERNAL, client=client)
    assert outcome.ok, outcome
    events = [r.json() for r in endpoint.requests]
    assert all(r.path == "/v2/enqueue" for r in endpoint.requests)
    for event in events:
        check_pagerduty_event(event)
    assert [(e["event_action"], e["dedup_key"]) for e in events] == [
        ("trigger", page.fingerprint),
        ("acknowledge", acked.fingerprint),
        ("resolve", gone.fingerprint),
    ]
    trigger = events[0]
    assert trigger["routing_key"] == ROUTING_KEY
    assert trigger["payload"]["severity"] == "critical"  # severity page
    assert trigger["payload"]["source"] == "churn"
    assert trigger["payload"]["custom_details"]["null_share"] == {"column": "age", "share": 0.375}
    assert trigger["links"] == [
        {"href": f"{EXTERNAL}/api/v1/models/churn/observations", "text": "Model churn"}
    ]


def test_pagerduty_invalid_event_is_dead_but_the_others_go(
    endpoint: Endpoint, client: httpx.Client
) -> None:
    body = '{"status":"invalid event","message":"Event object is invalid"}'
    endpoint.reply(400, body)
    n = notification(null_alert(), drift_alert())
    settings = {"routing_key": ROUTING_KEY, "url": f"{endpoint.url}/v2/enqueue"}
    outcome = send("pagerduty_configs", settings, n, EXTERNAL, client=client)
    assert outcome.status == "dead"
    assert "answered 400" in outcome.error
    assert "Event object is invalid" in outcome.error
    assert len(endpoint.requests) == 2  # the second event was still sent


def test_pagerduty_rate_limit_stops_and_retries_after(
    endpoint: Endpoint, client: httpx.Client
) -> None:
    endpoint.reply(429, "slow down", {"Retry-After": "17"})
    n = notification(null_alert(), drift_alert())
    settings = {"routing_key": ROUTING_KEY, "url": f"{endpoint.url}/v2/enqueue"}
    outcome = send("pagerduty_configs", settings, n, EXTERNAL, client=client)
    assert outcome.status == "retry"
    assert outcome.retry_after == 17.0
    assert len(endpoint.requests) == 1  # no hammering after a 429


def test_webhook_v4_signed(endpoint: Endpoint, client: httpx.Client) -> None:
    secret = "hook-s3cret"
    n = notification(drift_alert(2), resolved=(null_alert().resolve(T0),))
    settings = {"url": f"{endpoint.url}/hook", "secret": secret, "bearer_token": "tok123"}
    assert send("webhook_configs", settings, n, EXTERNAL, client=client).ok
    assert send("webhook_configs", settings, n, EXTERNAL, client=client).ok  # a resend
    first, again = endpoint.requests
    doc = first.json()
    check_webhook_v4(doc)
    assert doc["status"] == "firing"
    assert doc["receiver"] == "team"
    assert doc["groupKey"] == n.group_key
    assert doc["groupLabels"] == {"model": "churn"}
    assert doc["externalURL"] == EXTERNAL
    assert doc["truncatedAlerts"] == 0
    assert [a["status"] for a in doc["alerts"]] == ["firing", "resolved"]
    assert doc["commonLabels"] == {"model": "churn"}
    expected = hmac.new(secret.encode(), first.body, hashlib.sha256).hexdigest()
    assert first.headers["x-smokejumper-signature"] == f"sha256={expected}"
    assert first.headers["authorization"] == "Bearer tok123"
    assert first.headers["idempotency-key"] == again.headers["idempotency-key"]
    tampered = first.body.replace(b'"firing"', b'"resolved"', 1)
    forged = hmac.new(secret.encode(), tampered, hashlib.sha256).hexdigest()
    assert first.headers["x-smokejumper-signature"] != f"sha256={forged}"


def test_webhook_without_secret_is_not_signed(endpoint: Endpoint, client: httpx.Client) -> None:
    assert send("webhook", {"url": endpoint.url}, notification(drift_alert()), "", client=client).ok
    [got] = endpoint.requests
    assert "x-smokejumper-signature" not in got.headers
    check_webhook_v4(got.json())


def test_webhook_max_alerts_truncates(endpoint: Endpoint, client: httpx.Client) -> None:
    alerts = [drift_alert(1, column=f"c{i}") for i in range(5)]
    settings = {"url": endpoint.url, "max_alerts": 2}
    assert send("webhook", settings, notification(*alerts), EXTERNAL, client=client).ok
    doc = endpoint.requests[0].json()
    check_webhook_v4(doc)
    assert len(doc["alerts"]) == 2
    assert doc["truncatedAlerts"] == 3


def test_alertmanager_push(endpoint: Endpoint, client: httpx.Client) -> None:
    n = notification(drift_alert(), resolved=(null_alert().resolve(T0),))
    settings = {"url": f"{endpoint.url}/", "ends_after": "5h"}
    assert send("alertmanager_configs", settings, n, EXTERNAL, client=client).ok
    [got] = endpoint.requests
    assert got.path == "/api/v2/alerts"
    alerts = got.json()
    check_postable_alerts(alerts)
    assert alerts[0]["endsAt"] == "2026-11-01T14:00:30Z"  # 5h after the notification
    assert alerts[1]["endsAt"] == "2026-11-01T09:00:00Z"  # when it resolved
    assert alerts[0]["generatorURL"] == f"{EXTERNAL}/api/v1/models/churn/observations"


def test_server_errors_are_retried(endpoint: Endpoint, client: httpx.Client) -> None:
    endpoint.reply(500, "boom")
    endpoint.reply(503, "later", {"Retry-After": "Sun, 01 Nov 2099 09:00:00 GMT"})
    hook = {"url": f"{endpoint.url}/hook"}
    first = send("webhook", hook, notification(drift_alert()), "", client=client)
    assert first.status == "retry"
    assert first.retry_after is None
    assert first.error == f"POST {endpoint.url} answered 500: boom"
    second = send("webhook", hook, notification(drift_alert()), "", client=client)
    assert second.status == "retry"
    assert second.retry_after is not None
    assert second.retry_after > 365 * 24 * 3600


def test_send_resolved_false_sends_nothing_resolved(
    endpoint: Endpoint, client: httpx.Client
) -> None:
    n = notification(resolved=(drift_alert().resolve(T0),))
    outcome = send("webhook", {"url": endpoint.url, "send_resolved": False}, n, "", client=client)
    assert outcome.ok
    assert "nothing to send" in outcome.detail
    assert endpoint.requests == []
