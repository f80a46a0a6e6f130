"""Bounded in-memory buffering: records grouped per (model, kind) until a batch is due.

A group is due when it holds ``batch_size`` records or its oldest record waited ``interval``
seconds. The buffer never holds more than ``max_records`` records: past that, :meth:`Batcher.put`
moves the oldest records of the fullest group (at most a batch) to the *spill hand-off*, a
queue of at most ``max_spill`` records (but always room for one item when empty) that a
background thread takes with :meth:`Batcher.take_spill` and writes to the spool. When both are
full, :meth:`Batcher.put` refuses the record (the caller counts it dropped): a logging thread
only ever appends to memory and never waits on the disk. Memory stays bounded by record count:
``max_records`` buffered plus ``max_spill`` handed off (a built batch larger than that is
handed off only when the hand-off is empty).

>>> b = Batcher(max_records=4, batch_size=2, interval=60.0, max_spill=2)
>>> b.put(("churn", "predictions"), {"id": "p1"})
True
>>> [records for _, records in b.take(0.0)]  # nothing due yet: one record, and no time passed
[]
>>> b.put(("churn", "predictions"), {"id": "p2"})
True
>>> [[r["id"] for r in records] for _, records in b.take(0.0)]  # a full batch is due at once
[['p1', 'p2']]
>>> [b.put(("churn", "predictions"), {"id": f"q{i}"}) for i in range(7)]  # the last: no room
[True, True, True, True, True, True, False]
>>> len(b), b.spilling  # over 4: the oldest two were handed off to be spooled
(4, 2)
>>> key, records = b.take_spill(0.0)
>>> key, [r["id"] for r in records]
(('churn', 'predictions'), ['q0', 'q1'])
>>> b.spill_done(len(records)); b.spilling
0
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from smokejumper.client.payload import Batch, Kind

Key = tuple[str, Kind]
Chunk = tuple[Key, list[Any]]


def spill_cap(max_records: int, batch_size: int) -> int:
    """The default size of the spill hand-off, in records: a tenth of the buffer, at least a
    batch.

    >>> spill_cap(100_000, 500), spill_cap(100, 50)
    (10000, 50)
    """
    return max(batch_size, max_records // 10)


class _Group:
    __slots__ = ("records", "since")

    def __init__(self, since: float) -> None:
        self.records: list[Any] = []
        self.since = since


class Batcher:
    """Thread-safe buffer of records to batch, and of batches already built (Arrow tables)."""

    def __init__(
        self,
        max_records: int,
        batch_size: int,
        interval: float,
        clock: Callable[[], float] = time.monotonic,
        max_spill: int | None = None,
    ) -> None:
        self.max_records = max_records
        self.batch_size = batch_size
        self.interval = interval
        self.max_spill = spill_cap(max_records, batch_size) if max_spill is None else max_spill
        self._clock = clock
        lock = threading.Lock()
        self._cond = threading.Condition(lock)  # the sending thread waits on it
        self._spill_cond = threading.Condition(lock)  # the spilling thread and flushes do
        self._groups: dict[Key, _Group] = {}
        self._built: deque[Batch] = deque()
        self._count = 0  # records buffered, in groups and in built batches
        self._woken = False
        self._spills: deque[Batch | Chunk] = deque()
        self._spill_in = 0  # records ever handed off to be spooled
        self._spill_out = 0  # records ever written (or given up) by the spilling thread
        self._spill_woken = False

    def __len__(self) -> int:
        return self._count

    @property
    def spilling(self) -> int:
        """Records handed off to be spooled: waiting, or being written now."""
        return self._spill_in - self._spill_out

    def _spill_room(self, rows: int) -> bool:
        return self.spilling == 0 or self.spilling + rows <= self.max_spill

    def put(self, key: Key, record: Any) -> bool:
        """Buffer one record; if that passes the cap, hand the oldest records of the fullest
        group (at most a batch) off to be spooled. False (nothing buffered) when the buffer is
        full and the hand-off has no room for a batch: the caller drops the record."""
        with self._cond:
            if self._count >= self.max_records and not self._spill_room(self.batch_size):
                return False
            group = self._groups.get(key)
            if group is None:
                group = self._groups[key] = _Group(self._clock())
            group.records.append(record)
            self._count += 1
            if len(group.records) == self.batch_size:
                self._cond.notify()
            if self._count <= self.max_records:
                return True
            victim_key, victim = max(self._groups.items(), key=lambda kv: len(kv[1].records))
            spill = victim.records[: self.batch_size]
            del victim.records[: self.batch_size]
            if not victim.records:
                del self._groups[victim_key]
            self._count -= len(spill)
            self._spills.append((victim_key, spill))
            self._spill_in += len(spill)
            self._spill_cond.notify_all()
            return True

    def hand_off(self, batch: Batch) -> bool:
        """Hand a built batch off to be spooled; False (nothing taken) if there is no room."""
        with self._cond:
            if not self._spill_room(batch.rows):
                return False
            self._spills.append(batch)
            self._spill_in += batch.rows
            self._spill_cond.notify_all()
            return True

    def take_spill(self, timeout: float) -> Batch | Chunk | None:
        """The oldest item handed off to be spooled, waiting up to ``timeout`` seconds for one
        (or a :meth:`wake`); the taker calls :meth:`spill_done` once it is written or dropped."""
        with self._spill_cond:
            if not self._spills and not self._spill_woken:
                self._spill_cond.wait_for(lambda: self._spills or self._spill_woken, timeout)
            self._spill_woken = False
            return self._spills.popleft() if self._spills else None

    def spill_done(self, rows: int) -> None:
        """``rows`` handed-off records are written to the spool (or given up)."""
        with self._spill_cond:
            self._spill_out += rows
            self._spill_cond.notify_all()

    def wait_spilled(self, timeout: float | None) -> bool:
        """Wait until everything handed off so far is written (the taker takes oldest first);
        False if ``timeout`` passed first."""
        with self._spill_cond:
            target = self._spill_in
            return self._spill_cond.wait_for(lambda: self._spill_out >= target, timeout)

    def put_batch(self, batch: Batch) -> bool:
        """Buffer a built batch; False (nothing buffered) if it does not fit under the cap."""
        with self._cond:
            if self._count + batch.rows > self.max_records:
                return False
            self._built.append(batch)
            self._count += batch.rows
            self._cond.notify()
            return True

    def wake(self) -> None:
        """Make a waiting :meth:`take` and a waiting :meth:`take_spill` return now."""
        with self._cond:
            self._woken = True
            self._spill_woken = True
            self._cond.notify_all()
            self._spill_cond.notify_all()

    def _due_in(self, now: float) -> float:
        if self._built:
            return 0.0
        due = float("inf")
        for group in self._groups.values():
            if len(group.records) >= self.batch_size:
                return 0.0
            due = min(due, group.since + self.interval - now)
        return due

    def take(self, timeout: float, *, drain: bool = False) -> list[Batch | Chunk]:
        """Wait up to ``timeout`` seconds for something due (or a :meth:`wake`), then return
        what is due, oldest first: built batches and chunks of at most ``batch_size`` records.
        With ``drain``, return everything at once without waiting."""
        with self._cond:
            deadline = self._clock() + timeout
            while not drain and not self._woken:
                now = self._clock()
                wait = min(self._due_in(now), deadline - now)
                if wait <= 0:
                    break
                self._cond.wait(wait)
            self._woken = False
            return self._collect(drain)

    def _collect(self, drain: bool) -> list[Batch | Chunk]:
        out: list[Batch | Chunk] = []
        while self._built:
            batch = self._built.popleft()
            self._count -= batch.rows
            out.append(batch)
        now = self._clock()
        for key in list(self._groups):
            group = self._groups[key]
            overdue = drain or now - group.since >= self.interval
            size = self.batch_size
            while len(group.records) >= size or (overdue and group.records):
                chunk = group.records[:size]
                del group.records[:size]
                self._count -= len(chunk)
                out.append((key, chunk))
            if not group.records:
                del self._groups[key]
            else:
                group.since = now
        return out
