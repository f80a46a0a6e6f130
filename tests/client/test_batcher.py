"""The in-memory buffer: batches by size and time, per model, never above its cap."""

from __future__ import annotations

import threading

from smokejumper.client.batcher import Batcher
from smokejumper.client.payload import PREDICTIONS, Batch

CHURN = ("churn", PREDICTIONS)
FRAUD = ("fraud", PREDICTIONS)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_groups_are_due_by_size_or_age() -> None:
    clock = Clock()
    b = Batcher(max_records=100, batch_size=3, interval=1.0, clock=clock)
    for i in range(7):
        assert b.put(CHURN, i) is None
    b.put(FRAUD, "f0")
    assert b.take(0.0) == [(CHURN, [0, 1, 2]), (CHURN, [3, 4, 5])]
    assert len(b) == 2
    clock.now = 1.5  # both leftovers are now overdue
    assert b.take(0.0) == [(CHURN, [6]), (FRAUD, ["f0"])]
    assert len(b) == 0


def test_drain_takes_everything_and_wake_ends_a_wait() -> None:
    b = Batcher(max_records=100, batch_size=10, interval=3600.0)
    b.put(CHURN, 1)
    assert b.take(0.0, drain=True) == [(CHURN, [1])]
    threading.Timer(0.05, b.wake).start()
    assert b.take(30.0) == []  # returned on wake, long before the timeout


def test_the_cap_hands_back_the_oldest_of_the_fullest_group() -> None:
    b = Batcher(max_records=10, batch_size=4, interval=3600.0)
    for i in range(8):
        assert b.put(CHURN, i) is None
    assert b.put(FRAUD, "f0") is None
    assert b.put(FRAUD, "f1") is None
    assert b.put(FRAUD, "f2") == (CHURN, [0, 1, 2, 3])
    assert len(b) == 7


def test_built_batches_count_against_the_cap() -> None:
    b = Batcher(max_records=10, batch_size=5, interval=3600.0)
    big = Batch("b1", "churn", PREDICTIONS, b"...", "application/json", rows=8)
    assert b.put_batch(big)
    assert not b.put_batch(Batch("b2", "churn", PREDICTIONS, b"...", "application/json", rows=3))
    assert b.take(0.0) == [big]
    assert len(b) == 0
