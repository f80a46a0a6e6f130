"""Retry, backoff, rejection and spooling decisions, against a scripted stand-in server."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.client.support import closed_port_url, fast_client, wait_until

from smokejumper.client import Client, ClientError

Handler = Callable[[httpx.Request], httpx.Response]


class Scripted:
    """Answers requests from a list of statuses (the last one repeats) and records them."""

    def __init__(self, *statuses: int, headers: dict[str, str] | None = None) -> None:
        self.statuses = list(statuses)
        self.headers = headers or {}
        self.requests: list[tuple[str, str, bytes]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        self.requests.append((request.url.path, request.headers["idempotency-key"], body))
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        if status == 0:
            raise httpx.ConnectError("connection refused", request=request)
        if status == -1:
            raise RuntimeError("a custom transport failed")
        if status == 422:
            doc = json.loads(body)
            errors = [
                {"index": i, "field": "features.age", "message": "expected a number, got str"}
                for i, r in enumerate(doc["records"])
                if isinstance(r.get("features", {}).get("age"), str)
            ]
            return httpx.Response(422, json={"detail": "batch rejected", "errors": errors})
        return httpx.Response(status, headers=self.headers, json={"detail": f"status {status}"})


@pytest.fixture
def make(tmp_path: Path) -> Iterator[Callable[..., Client]]:
    made: list[Client] = []

    def make_client(handler: Handler, **options: Any) -> Client:
        client = fast_client(
            "http://sj.test",
            "token",
            tmp_path / "spool",
            transport=httpx.MockTransport(handler),
            **options,
        )
        made.append(client)
        return client

    yield make_client
    for client in made:
        client.close()


def test_retries_reuse_the_batch_id_and_body(make: Callable[..., Client]) -> None:
    server = Scripted(0, 503, 429, 201)
    client = make(server)
    client.monitor("churn").log(features={"age": 41}, prediction=0.5)
    assert client.flush(5)
    assert len(server.requests) == 4
    assert len({(key, body) for _, key, body in server.requests}) == 1
    key = server.requests[0][1]
    assert json.loads(server.requests[0][2])["batch_id"] == key
    stats = client.stats
    assert (stats.sent, stats.retries, stats.spooled, stats.rejected) == (1, 3, 0, 0)


def test_any_failure_of_the_transport_is_retried_not_lost(make: Callable[..., Client]) -> None:
    server = Scripted(-1, 201)
    client = make(server)
    client.monitor("churn").log(prediction=1.0)
    assert client.flush(5)
    assert client.stats.sent == 1
    assert client.stats.retries == 1


def test_retry_after_is_honoured_within_the_cap(make: Callable[..., Client]) -> None:
    server = Scripted(429, 201, headers={"Retry-After": "0.2"})
    client = make(server, max_backoff=0.3)
    client.monitor("churn").log(prediction=1.0)
    assert client.flush(5)
    assert client.stats.sent == 1
    assert client.stats.retries == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 413])
def test_refusals_are_not_retried_nor_raised(
    make: Callable[..., Client], status: int, caplog: pytest.LogCaptureFixture
) -> None:
    server = Scripted(status)
    client = make(server)
    with caplog.at_level(logging.WARNING, logger="smokejumper.client"):
        for i in range(3):
            client.monitor("churn").log(prediction=float(i))
        assert client.flush(5)
    assert len(server.requests) == 1
    assert client.stats.rejected == 3
    assert client.stats.retries == 0
    assert f"HTTP {status}" in caplog.text
    assert f"status {status}" in caplog.text


def test_rejected_records_are_left_out_and_the_rest_resent(
    make: Callable[..., Client], caplog: pytest.LogCaptureFixture
) -> None:
    server = Scripted(422, 201)
    client = make(server, batch_size=10)
    churn = client.monitor("churn")
    with caplog.at_level(logging.WARNING, logger="smokejumper.client"):
        for i in range(6):
            churn.log(features={"age": "forty" if i in (1, 4) else 40}, prediction=0.1, id=f"p{i}")
        assert client.flush(5)
    (_, first, _), (_, second, body) = server.requests
    assert second == first + "-valid"
    assert [r["id"] for r in json.loads(body)["records"]] == ["p0", "p2", "p3", "p5"]
    assert client.stats.rejected == 2
    assert client.stats.sent == 4
    assert "record 1: features.age: expected a number, got str" in caplog.text


def test_an_unreachable_server_makes_batches_spool_without_waiting(tmp_path: Path) -> None:
    client = fast_client(closed_port_url(), "t", tmp_path / "spool", batch_size=5, max_retries=2)
    with client:
        churn = client.monitor("churn")
        for i in range(23):
            churn.log(prediction=float(i))
        assert client.flush(10)
        stats = client.stats
    assert stats.spooled == 23
    assert stats.sent == 0
    assert stats.dropped == 0
    assert stats.retries >= 2  # the first batch was retried, the later ones went to disk
    assert len(list((tmp_path / "spool").glob("*.batch"))) == 5


def test_when_the_spool_is_full_records_are_dropped_and_counted(tmp_path: Path) -> None:
    client = fast_client(
        closed_port_url(), "t", tmp_path / "spool", batch_size=5, max_queue=10, max_spool_bytes=800
    )
    with client:
        churn = client.monitor("churn")
        for i in range(200):
            churn.log(prediction=float(i), id=f"prediction-{i}")
            assert client.stats.queued <= 10
        assert client.flush(10)
        stats = client.stats
    assert stats.dropped > 0
    assert stats.spooled > 0
    assert stats.spooled + stats.dropped == 200
    assert stats.spool_bytes <= 800
    assert sum(p.stat().st_size for p in (tmp_path / "spool").glob("*.batch")) <= 800


def test_labels_are_batched_with_their_prediction_ids(make: Callable[..., Client]) -> None:
    seen: list[httpx.Request] = []

    def server(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(request)
        return httpx.Response(201, json={"batch_id": None, "rows": 3, "unmatched": 0})

    client = make(server)
    churn = client.monitor("churn")
    assert churn.log_labels(["p1", "p2"], [1, "yes"]) == 2
    assert churn.log_labels("p3", False) == 1
    assert client.flush(5)
    [request] = seen
    assert request.url.path == "/api/v1/models/churn/labels"
    doc = json.loads(request.content)
    assert doc["batch_id"] == request.headers["idempotency-key"]
    assert doc["labels"] == [
        {"id": "p1", "label": 1},
        {"id": "p2", "label": "yes"},
        {"id": "p3", "label": False},
    ]
    assert client.stats.sent == 3


def test_a_damaged_spool_file_is_set_aside_and_the_rest_sent(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    (spool / "00000000000000000001-bad.batch").write_bytes(b"garbage")
    server = Scripted(201)
    with fast_client("http://sj.test", "t", spool, transport=httpx.MockTransport(server)) as client:
        client.monitor("churn").log(prediction=1.0)
        wait_until(lambda: client.stats.spool_files == 0)
        assert client.flush(5)
    assert (spool / "rejected" / "00000000000000000001-bad.batch").exists()
    assert len(server.requests) == 1


def test_misconfiguration_fails_at_construction(tmp_path: Path) -> None:
    with pytest.raises(ClientError, match="no API token"):
        Client("http://sj.test", "", spool_dir=tmp_path)
    with pytest.raises(ClientError, match="http:// or https://"):
        Client("sj.test:8800", "t", spool_dir=tmp_path)
    with pytest.raises(ClientError, match="batch_size"):
        Client("http://sj.test", "t", spool_dir=tmp_path, batch_size=0)


def test_url_and_token_default_to_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMOKEJUMPER_URL", "http://sj.test:9000")
    monkeypatch.setenv("SMOKEJUMPER_TOKEN", "from-env")
    monkeypatch.setenv("SMOKEJUMPER_HOME", str(tmp_path / "home"))
    with Client() as client:
        assert client.options.url == "http://sj.test:9000"
        assert client.options.token == "from-env"
        assert client.spool_dir == tmp_path / "home" / "spool"
