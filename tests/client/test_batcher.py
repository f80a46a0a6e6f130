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
        assert b.put(CHURN, i)
    assert b.put(FRAUD, "f0")
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


def test_the_cap_hands_off_the_oldest_of_the_fullest_group() -> None:
    b = Batcher(max_records=10, batch_size=4, interval=3600.0)
    for i in range(8):
        assert b.put(CHURN, i)
    assert b.put(FRAUD, "f0")
    assert b.put(FRAUD, "f1")
    assert b.spilling == 0
    assert b.put(FRAUD, "f2")
    assert len(b) == 7
    assert b.spilling == 4
    assert b.take_spill(0.0) == (CHURN, [0, 1, 2, 3])
    assert b.take_spill(0.0) is None
    assert b.spilling == 4  # still counted until written
    b.spill_done(4)
    assert b.spilling == 0
    assert b.wait_spilled(0.0)


def test_when_the_hand_off_is_full_records_are_refused_and_memory_stays_bounded() -> None:
    b = Batcher(max_records=10, batch_size=4, interval=3600.0, max_spill=8)
    accepted = [b.put(CHURN, i) for i in range(100)]
    # 10 buffered, then two batches of 4 handed off: 18 records fit, the rest are refused.
    assert accepted == [True] * 18 + [False] * 82
    assert len(b) == 10
    assert b.spilling == 8
    assert not b.wait_spilled(0.01)  # nobody writes them
    first = b.take_spill(0.0)
    assert first == (CHURN, [0, 1, 2, 3])
    assert not b.put(CHURN, "late")  # taken but not written yet: still no room
    b.spill_done(4)
    assert b.put(CHURN, "late")  # room again
    assert (len(b), b.spilling) == (7, 8)  # another batch handed off to make room
    assert b.take(0.0, drain=True)  # the buffer drains to the sender as usual
    assert len(b) == 0


def test_a_waiting_spill_taker_wakes_on_a_hand_off_and_on_wake() -> None:
    b = Batcher(max_records=2, batch_size=1, interval=3600.0)
    threading.Timer(0.05, b.put, args=(CHURN, 3)).start()
    b.put(CHURN, 1)
    b.put(CHURN, 2)
    assert b.take_spill(30.0) == (CHURN, [1])  # returned at once, long before the timeout
    threading.Timer(0.05, b.wake).start()
    assert b.take_spill(30.0) is None  # returned on wake, long before the timeout


def test_built_batches_count_against_the_cap() -> None:
    b = Batcher(max_records=10, batch_size=5, interval=3600.0)
    big = Batch("b1", "churn", PREDICTIONS, b"...", "application/json", rows=8)
    assert b.put_batch(big)
    assert not b.put_batch(Batch("b2", "churn", PREDICTIONS, b"...", "application/json", rows=3))
    assert b.take(0.0) == [big]
    assert len(b) == 0


def test_a_built_batch_is_handed_off_whole_when_the_hand_off_has_room() -> None:
    b = Batcher(max_records=10, batch_size=5, interval=3600.0, max_spill=5)
    huge = Batch("b1", "churn", PREDICTIONS, b"...", "application/json", rows=9)
    assert b.hand_off(huge)  # larger than the hand-off, but it was empty
    assert not b.hand_off(Batch("b2", "churn", PREDICTIONS, b"...", "application/json", rows=1))
    assert b.spilling == 9
    assert b.take_spill(0.0) is huge
