"""One POST and what its answer means: Retry-After in both forms, no answer, redirects, bodies."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from tests.delivery.support import Endpoint
from tests.support import free_port

from smokejumper.delivery.http import BODY_LIMIT, judge, parse_retry_after, post, target

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def test_rate_limit_with_seconds_is_retried_after_them(
    endpoint: Endpoint, client: httpx.Client
) -> None:
    endpoint.reply(429, "rate limited", {"Retry-After": "42"})
    outcome = post(client, f"{endpoint.url}/x", b"{}", {})
    assert outcome.status == "retry"
    assert outcome.retry_after == 42.0
    assert "answered 429: rate limited" in outcome.error


def test_retry_after_as_http_date() -> None:
    assert parse_retry_after("Sun, 01 Nov 2026 09:02:30 GMT", NOW) == 150.0
    assert parse_retry_after("Sun, 01 Nov 2026 08:00:00 GMT", NOW) == 0.0  # past: at once
    assert parse_retry_after("0", NOW) == 0.0
    assert parse_retry_after("-3", NOW) == 0.0
    for unreadable in (None, "", "later", "nan", "inf"):
        assert parse_retry_after(unreadable, NOW) is None


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408])
def test_server_errors_and_timeouts_retry(status: int) -> None:
    outcome = judge(status, {"retry-after": "5"}, "x", "https://h", NOW)
    assert outcome.status == "retry"
    assert outcome.retry_after == 5.0


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 413, 422])
def test_other_client_errors_are_dead(status: int) -> None:
    outcome = judge(status, {"Retry-After": "5"}, "no_service", "https://h", NOW)
    assert outcome.status == "dead"
    assert outcome.error == f"POST https://h answered {status}: no_service"
    assert outcome.retry_after is None


def test_dead_body_is_kept_but_cut(endpoint: Endpoint, client: httpx.Client) -> None:
    endpoint.reply(400, "e" * (BODY_LIMIT + 500))
    outcome = post(client, endpoint.url + "/x", b"{}", {})
    assert outcome.status == "dead"
    assert outcome.error.endswith(f"{'e' * 10}… (500 more characters)")
    assert len(outcome.error) < BODY_LIMIT + 100


def test_redirect_is_dead(endpoint: Endpoint, client: httpx.Client) -> None:
    endpoint.reply(301, "", {"Location": "https://elsewhere.example/"})
    outcome = post(client, endpoint.url + "/x", b"{}", {})
    assert outcome.status == "dead"
    assert "configure the final URL" in outcome.error


def test_connection_refused_is_retried(client: httpx.Client) -> None:
    port = free_port()  # nothing listens there
    outcome = post(client, f"http://127.0.0.1:{port}/services/SECRET", b"{}", {})
    assert outcome.status == "retry"
    assert outcome.error.startswith(f"POST http://127.0.0.1:{port}: ConnectError")
    assert "SECRET" not in outcome.error


def test_no_answer_in_time_is_retried(endpoint: Endpoint, client: httpx.Client) -> None:
    endpoint.reply(200, "ok", delay=2.0)
    outcome = post(client, endpoint.url + "/slow", b"{}", {}, timeout=0.3)
    assert outcome.status == "retry"
    assert outcome.error == f"POST {endpoint.url}: no answer within 0.3 s"


def test_not_http_is_dead(client: httpx.Client) -> None:
    assert post(client, "ftp://example.com/x", b"", {}).status == "dead"
    assert post(client, "hooks.example.com/x", b"", {}).status == "dead"


def test_target_keeps_no_secret() -> None:
    assert target("https://hooks.slack.com/services/T0/B0/abc") == "https://hooks.slack.com"
    assert target("http://u:p@[::1]:8080/x?token=1") == "http://[::1]:8080"
    assert target("not a url") == "(a URL without a host)"
