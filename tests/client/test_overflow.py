"""A full memory buffer while the server is down and the disk is slow: the logging call only
ever appends to memory; the overflow is spooled by a background thread, or dropped and counted
when that thread cannot keep up; nothing accepted is lost on flush."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.client.support import fast_client, wait_until

from smokejumper.client import Client
from smokejumper.client.batcher import spill_cap
from smokejumper.client.payload import Batch
from smokejumper.client.spool import Spool

SLOW_WRITE = 0.5  # seconds a spool write takes
MAX_QUEUE = 20
BATCH_SIZE = 10
HAND_OFF = spill_cap(MAX_QUEUE, BATCH_SIZE)  # 10 records: one batch


class Server:
    """A stand-in server that is down until ``up`` is set, and records the ids it received."""

    def __init__(self) -> None:
        self.up = threading.Event()
        self.ids: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if not self.up.is_set():
            raise httpx.ConnectError("connection refused", request=request)
        self.ids.extend(r["id"] for r in json.loads(request.read())["records"])
        return httpx.Response(201, json={"rows": 1, "duplicate": False})


@pytest.fixture
def slow_spool(monkeypatch: pytest.MonkeyPatch) -> list[threading.Thread]:
    """Every spool write sleeps first; returns the threads that wrote."""
    writers: list[threading.Thread] = []
    write = Spool.write

    def slow_write(self: Spool, batch: Batch) -> bool:
        writers.append(threading.current_thread())
        time.sleep(SLOW_WRITE)
        return write(self, batch)

    monkeypatch.setattr(Spool, "write", slow_write)
    return writers


@pytest.fixture
def server() -> Server:
    return Server()


@pytest.fixture
def client(tmp_path: Path, server: Server) -> Iterator[Client]:
    made = fast_client(
        "http://sj.test",
        "t",
        tmp_path / "spool",
        transport=httpx.MockTransport(server),
        max_queue=MAX_QUEUE,
        batch_size=BATCH_SIZE,
        max_retries=1,
    )
    yield made
    made.close()


def log_many(client: Client, n: int) -> tuple[list[str | None], float]:
    """Log ``n`` predictions; their ids (None: dropped) and the longest call, in seconds."""
    model = client.monitor("churn")
    ids: list[str | None] = []
    longest = 0.0
    for i in range(n):
        started = time.perf_counter()
        ids.append(model.log(features={"age": i}, prediction=0.5, id=f"p{i}"))
        longest = max(longest, time.perf_counter() - started)
        stats = client.stats
        assert stats.queued <= MAX_QUEUE
        assert stats.spilling <= HAND_OFF
    return ids, longest


def spooled_ids(folder: Path, server: str) -> list[str]:
    spool = Spool(folder, max_bytes=10**9, server=server)
    ids = []
    while (path := spool.oldest()) is not None:
        ids.extend(r["id"] for r in json.loads(spool.read(path).body)["records"])
        spool.forget(path)
    return ids


def test_logging_does_not_wait_on_a_slow_disk(
    client: Client, slow_spool: list[threading.Thread]
) -> None:
    ids, longest = log_many(client, 300)
    assert longest < 0.05, f"a log() call took {longest:.3f} s: it waited on the disk"
    assert client.flush(30)
    assert slow_spool, "the test did not make anything spill"
    assert threading.current_thread() not in slow_spool  # the caller never wrote to disk
    assert ids[0] == "p0"


def test_overflow_beyond_the_hand_off_is_dropped_and_counted(
    client: Client, slow_spool: list[threading.Thread], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="smokejumper.client"):
        ids, _ = log_many(client, 300)
        refused = ids.count(None)
        assert refused > 0
        assert client.stats.dropped == refused
        # The buffer, the hand-off and the batch the sending thread holds: a few dozen at most.
        assert 300 - refused <= MAX_QUEUE + HAND_OFF + 3 * BATCH_SIZE
        assert client.flush(30)
    warnings = [r for r in caplog.records if "cannot keep up" in r.getMessage()]
    assert len(warnings) == 1  # rate-limited: one per 10 seconds, however many drops
    assert "dropped 1 record(s)" in warnings[0].getMessage()


def test_everything_accepted_is_spooled_on_flush_and_sent_on_recovery(
    client: Client, server: Server, slow_spool: list[threading.Thread], tmp_path: Path
) -> None:
    ids, _ = log_many(client, 300)
    accepted = [i for i in ids if i is not None]
    assert client.stats.spilling > 0  # handed off and not written yet when flush starts
    assert client.flush(30)
    stats = client.stats
    assert (stats.queued, stats.spilling) == (0, 0)
    assert stats.spooled == len(accepted)
    assert stats.dropped == 300 - len(accepted)
    assert stats.sent == 0
    assert sorted(spooled_ids(tmp_path / "spool", client.options.url)) == sorted(accepted)

    server.up.set()
    wait_until(lambda: client.stats.spool_files == 0, timeout=30)
    assert sorted(server.ids) == sorted(accepted)
    assert client.stats.sent == len(accepted)


def test_close_writes_what_was_handed_off(
    client: Client, slow_spool: list[threading.Thread], tmp_path: Path
) -> None:
    ids, _ = log_many(client, 100)
    accepted = [i for i in ids if i is not None]
    client.close(30)
    stats = client.stats
    assert (stats.queued, stats.spilling) == (0, 0)
    assert stats.spooled == len(accepted)
    assert sorted(spooled_ids(tmp_path / "spool", client.options.url)) == sorted(accepted)
