"""The client against the real server over loopback (SQLite and PostgreSQL)."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa
import pytest
from tests.client.support import Relay, closed_port_url, fast_client, wait_until
from tests.server.support import register, windows
from tests.support import RunningServer

from smokejumper.client.spool import Spool

#: For tests of the client's own behaviour, where the store behind the server makes no
#: difference: one store keeps them fast. Ingest, deduplication of a retried batch and labels
#: are tested on both stores.
CLIENT_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def features(i: int) -> dict[str, Any]:
    return {"age": 20.0 + i % 50, "plan": ["basic", "pro"][i % 2], "active": bool(i % 3)}


@pytest.fixture
def churn(server: RunningServer) -> Iterator[httpx.Client]:
    """An admin HTTP client of the server, with the model 'churn' registered."""
    headers = {"Authorization": f"Bearer {server.admin}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as admin:
        register(admin)
        yield admin


def rows(admin: httpx.Client) -> int:
    return sum(w["rows"] for w in windows(admin))


def test_logged_predictions_arrive_once_even_when_a_reply_is_lost(
    server: RunningServer, churn: httpx.Client, tmp_path: Path
) -> None:
    table = pa.table(
        {
            "age": [float(a) for a in range(300)],
            "plan": ["pro"] * 300,
            "prediction": [0.5] * 300,
        }
    )
    relay = Relay()
    relay.lose_replies = 1  # the server stores the first batch, but its 201 never arrives
    token = server.token("ingest")
    with fast_client(server.url, token, tmp_path / "spool", transport=relay) as client:
        model = client.monitor("churn")
        ids = [
            model.log(features=features(i), prediction=0.1, confidence=0.9, version="v1")
            for i in range(1234)
        ]
        assert model.log_batch(table, version="v2") == 300
        assert client.flush(10)
        assert len(set(ids)) == 1234
        assert all(isinstance(i, str) and len(i) == 32 for i in ids)
        stats = client.stats
    assert (stats.sent, stats.spooled, stats.dropped, stats.rejected) == (1534, 0, 0, 0)
    assert stats.retries == 1
    first, retried = relay.answers[:2]
    assert first.key == retried.key
    assert first.status == retried.status == 201
    assert (first.body["duplicate"], retried.body["duplicate"]) == (False, True)
    assert len({a.key for a in relay.answers}) == len(relay.answers) - 1
    [window] = windows(churn)
    assert window["rows"] == 1534
    assert window["versions"] == {"v1": 1234, "v2": 300}


@CLIENT_ONLY
def test_spooled_batches_survive_the_process_and_are_resent_once(
    server: RunningServer, churn: httpx.Client, tmp_path: Path
) -> None:
    spool = tmp_path / "spool"
    token = server.token("ingest")
    with fast_client(server.url, token, spool, batch_size=10, transport=Unreachable()) as down:
        model = down.monitor("churn")
        for i in range(25):
            model.log(features=features(i), prediction=0.3)
        assert down.flush(10)
        assert down.stats.spooled == 25
        assert down.stats.sent == 0
    reopened = Spool(spool, max_bytes=10**9, server=server.url)
    in_order = []
    while (path := reopened.oldest()) is not None:
        in_order.append(reopened.read(path).batch_id)
        reopened.forget(path)
    assert len(in_order) == 3
    shutil.copytree(spool, tmp_path / "copy")

    relay = Relay()
    with fast_client(server.url, token, spool, transport=relay) as up:  # a new process
        wait_until(lambda: up.stats.spool_files == 0)
        assert up.stats.sent == 25
    assert [a.key for a in relay.answers] == in_order
    assert not list(spool.glob("*.batch"))
    assert rows(churn) == 25

    with fast_client(server.url, token, tmp_path / "copy") as again:  # the same batches, again
        wait_until(lambda: again.stats.spool_files == 0)
    assert rows(churn) == 25


class Unreachable(httpx.BaseTransport):
    """The server's address, while the server cannot be reached."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)


@CLIENT_ONLY
def test_batches_spooled_for_another_server_are_kept_for_it(
    server: RunningServer, churn: httpx.Client, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    spool = tmp_path / "spool"
    token = server.token("ingest")
    elsewhere = closed_port_url()  # an earlier server, gone; its model had the same name
    with fast_client(elsewhere, token, spool, batch_size=10) as down:
        model = down.monitor("churn")
        for i in range(25):
            model.log(features=features(i), prediction=0.3)
        assert down.flush(10)
        assert down.stats.spooled == 25
    kept = sorted(spool.glob("*.batch"))
    assert len(kept) == 3

    with (
        caplog.at_level(logging.WARNING, logger="smokejumper"),
        fast_client(server.url, token, spool, batch_size=10) as here,
    ):
        here.monitor("churn").log(features=features(0), prediction=0.5)
        assert here.flush(10)
        stats = here.stats
    assert (stats.sent, stats.spool_files, stats.spool_other_files) == (1, 0, 3)
    assert rows(churn) == 1  # none of the other server's rows
    assert sorted(spool.glob("*.batch")) == kept
    assert any("spooled for another server" in r.getMessage() for r in caplog.records)


class Exploding(Mapping[str, Any]):
    def __getitem__(self, key: str) -> Any:
        raise RuntimeError("boom")

    def __iter__(self) -> Iterator[str]:
        raise RuntimeError("boom")

    def __len__(self) -> int:
        raise RuntimeError("boom")


class UnprintableError(Exception):
    def __str__(self) -> str:
        raise RuntimeError("cannot even say what went wrong")


class NoTruth:
    def __bool__(self) -> bool:
        raise UnprintableError


@CLIENT_ONLY
def test_garbage_never_raises_and_refusals_are_counted(
    server: RunningServer, churn: httpx.Client, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    token = server.token("ingest")
    with (
        caplog.at_level(logging.WARNING, logger="smokejumper.client"),
        fast_client(server.url, token, tmp_path / "spool", batch_size=100) as client,
    ):
        model = client.monitor("churn")
        for i in range(20):
            model.log(features=features(i), prediction=0.4)
        refused_on_the_spot = [
            model.log(features=["age", 41]),  # type: ignore[arg-type]
            model.log(features=Exploding()),
            model.log(id=123),  # type: ignore[arg-type]
            model.log(id=""),
            model.log(confidence="high"),  # type: ignore[arg-type]
            model.log(latency_ms=[1.0]),  # type: ignore[arg-type]
            model.log(version=2),  # type: ignore[arg-type]
            model.log(timestamp=object()),  # type: ignore[arg-type]
            model.log(error=NoTruth()),  # type: ignore[arg-type]
        ]
        assert refused_on_the_spot == [None] * 9
        assert model.log(features={"age": object()}) is not None  # not JSON: dropped later
        for bad in ({"age": "forty"}, {"colour": "red"}):  # the server refuses these
            assert model.log(features=bad, prediction=0.4) is not None
        model.log(features=features(0), timestamp=time.time() + 86400)  # from the future
        assert model.log_batch("not a table") == 0
        assert model.log_labels(["p1"], [1, 2]) == 0
        assert model.log_labels([None], [1]) == 0  # type: ignore[list-item]
        client.monitor("no-such-model").log(features=features(0), prediction=0.4)
        assert client.flush(10)
        stats = client.stats
    assert stats.dropped == 9 + 1 + 1
    assert stats.rejected == 3 + 1
    assert stats.sent == 20
    assert rows(churn) == 20
    assert "features.age: expected a number, got str" in caplog.text
    assert "features.colour: not a feature of this model" in caplog.text
    assert "no-such-model" in caplog.text
    assert "HTTP 404" in caplog.text


@CLIENT_ONLY
def test_memory_stays_bounded_and_the_overflow_goes_to_disk(
    server: RunningServer, churn: httpx.Client, tmp_path: Path
) -> None:
    relay = Relay()
    relay.gate.clear()  # the server hangs: the first batch stays in flight
    token = server.token("ingest")
    with fast_client(
        server.url, token, tmp_path / "spool", transport=relay, max_queue=100, batch_size=50
    ) as client:
        model = client.monitor("churn")
        for i in range(600):
            assert model.log(features=features(i), prediction=0.5) is not None
            stats = client.stats
            assert stats.queued <= 100
            assert stats.spilling <= 50  # the hand-off: a tenth of max_queue, at least a batch
            if stats.spilling:  # the spooling thread writes it; a faster logger would see drops
                wait_until(lambda: client.stats.spilling == 0)
        stats = client.stats
        assert stats.spooled >= 400
        assert stats.dropped == 0
        assert len(list((tmp_path / "spool").glob("*.batch"))) == stats.spool_files
        relay.gate.set()
        assert client.flush(10)
        wait_until(lambda: client.stats.spool_files == 0)
        assert client.stats.sent == 600
    assert rows(churn) == 600


def test_labels_reach_the_labels_endpoint(
    server: RunningServer, churn: httpx.Client, tmp_path: Path
) -> None:
    relay = Relay()
    token = server.token("ingest")
    with fast_client(server.url, token, tmp_path / "spool", transport=relay) as client:
        model = client.monitor("churn")
        ids = [model.log(features=features(i), prediction=0.6) for i in range(40)]
        assert client.flush(10)
        assert model.log_labels([str(i) for i in ids[:30]], [i % 2 for i in range(30)]) == 30
        assert model.log_labels(str(ids[30]), True) == 1
        assert client.flush(10)
        assert client.stats.sent == 71
        assert client.stats.rejected == 0
    [answer] = [a for a in relay.answers if a.path.endswith("/labels")]
    assert answer.status == 201, answer.body
    assert answer.body["rows"] == 31
    assert answer.body["unmatched"] == 0


@CLIENT_ONLY
def test_records_are_flushed_at_exit(
    server: RunningServer, churn: httpx.Client, tmp_path: Path
) -> None:
    script = f"""
from smokejumper.client import Client
client = Client({server.url!r}, {server.token("ingest")!r}, spool_dir={str(tmp_path)!r},
                flush_interval=3600)
model = client.monitor("churn")
for i in range(30):
    model.log(features={{"age": float(i)}}, prediction=0.5)
"""  # no close(), and the interval is an hour: only the exit flush can send them
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    assert rows(churn) == 30


@CLIENT_ONLY
def test_a_forked_child_sends_through_a_thread_of_its_own(
    server: RunningServer, churn: httpx.Client, tmp_path: Path
) -> None:
    with fast_client(server.url, server.token("ingest"), tmp_path / "spool") as client:
        model = client.monitor("churn")
        model.log(features=features(0), prediction=0.7)
        pid = os.fork()
        if pid == 0:  # the child: only this thread was copied
            ok = False
            try:
                for i in range(5):
                    model.log(features=features(i), prediction=0.7)
                ok = client.flush(10) and client.stats.sent >= 5
            finally:
                os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert client.flush(10)
    assert rows(churn) == 6
    assert client.stats.sent == 1  # the child's five were the child's to count
