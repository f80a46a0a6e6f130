"""Slack Web API calls judged for delivery, against a loopback server: what Slack's answers
(ok, ok false with passing or final errors, 429 with Retry-After, 5xx, no answer) come to,
with the token never in an error."""

from __future__ import annotations

import json

import pytest
from tests.delivery.support import Endpoint

from smokejumper.delivery.http import new_client
from smokejumper.delivery.slack_api import call

TOKEN = "xoxb-0000-secret"


@pytest.fixture
def slack() -> Endpoint:
    endpoint = Endpoint()
    yield endpoint  # type: ignore[misc]
    endpoint.close()


def _ask(slack: Endpoint):  # type: ignore[no-untyped-def]
    with new_client() as client:
        return call(
            client, f"{slack.url}/api", TOKEN, "chat.postMessage", {"channel": "C1", "text": "é"}
        )


def test_a_call_is_a_json_post_with_the_bearer_token(slack: Endpoint) -> None:
    slack.reply(200, json.dumps({"ok": True, "ts": "1.2"}))
    reply = _ask(slack)
    assert reply.outcome.ok
    assert reply.data["ts"] == "1.2"
    assert reply.error is None
    [sent] = slack.requests
    assert sent.path == "/api/chat.postMessage"
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    assert sent.headers["content-type"] == "application/json; charset=utf-8"
    assert sent.json() == {"channel": "C1", "text": "é"}


@pytest.mark.parametrize(
    ("status", "body", "headers", "outcome", "retry_after", "error"),
    [
        (200, {"ok": False, "error": "ratelimited"}, {}, "retry", None, "ratelimited"),
        (200, {"ok": False, "error": "channel_not_found"}, {}, "dead", None, "channel_not_found"),
        (200, {"ok": False, "error": "invalid_auth"}, {}, "dead", None, "invalid_auth"),
        (429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "30"}, "retry", 30.0, None),
        (503, "upstream", {}, "retry", None, None),
        (404, "no such method", {}, "dead", None, None),
        (200, "not json", {}, "dead", None, None),
    ],
)
def test_answers_come_to_delivered_retry_or_dead(
    slack: Endpoint,
    status: int,
    body: object,
    headers: dict[str, str],
    outcome: str,
    retry_after: float | None,
    error: str | None,
) -> None:
    slack.reply(status, body if isinstance(body, str) else json.dumps(body), headers)
    reply = _ask(slack)
    assert reply.outcome.status == outcome
    assert reply.outcome.retry_after == retry_after
    assert reply.error == error
    assert TOKEN not in reply.outcome.error


def test_no_answer_is_retried() -> None:
    slack = Endpoint()
    url = slack.url
    slack.close()
    with new_client() as client:
        reply = call(client, f"{url}/api", TOKEN, "conversations.create", {"name": "inc-1"})
    assert reply.outcome.status == "retry"
    assert "conversations.create" in reply.outcome.error
