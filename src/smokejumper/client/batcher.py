"""Bounded in-memory buffering: records grouped per (model, kind) until a batch is due.

A group is due when it holds ``batch_size`` records or its oldest record waited ``interval``
seconds. The buffer never holds more than ``max_records`` records: :meth:`Batcher.put` hands
back the oldest records of the fullest group for the caller to spool when it is over.

>>> b = Batcher(max_records=4, batch_size=2, interval=60.0)
>>> b.put(("churn", "predictions"), {"id": "p1"}) is None
True
>>> [records for _, records in b.take(0.0)]  # nothing due yet: one record, and no time passed
[]
>>> b.put(("churn", "predictions"), {"id": "p2"}) is None
True
>>> [[r["id"] for r in records] for _, records in b.take(0.0)]  # a full batch is due at once
[['p1', 'p2']]
>>> for i in range(5):
...     spill = b.put(("churn", "predictions"), {"id": f"q{i}"})
>>> spill[0], [r["id"] for r in spill[1]], len(b)  # over 4: the oldest two go to the caller
(('churn', 'predictions'), ['q0', 'q1'], 3)
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
    ) -> None:
        self.max_records = max_records
        self.batch_size = batch_size
        self.interval = interval
        self._clock = clock
        self._cond = threading.Condition(threading.Lock())
        self._groups: dict[Key, _Group] = {}
        self._built: deque[Batch] = deque()
        self._count = 0  # records buffered, in groups and in built batches
        self._woken = False

    def __len__(self) -> int:
        return self._count

    def put(self, key: Key, record: Any) -> Chunk | None:
        """Buffer one record; if that passes the cap, take back and return the oldest records
        of the fullest group (at most a batch), which the caller must spool or drop."""
        with self._cond:
            group = self._groups.get(key)
            if group is None:
                group = self._groups[key] = _Group(self._clock())
            group.records.append(record)
            self._count += 1
            if len(group.records) == self.batch_size:
                self._cond.notify()
            if self._count <= self.max_records:
                return None
            victim_key, victim = max(self._groups.items(), key=lambda kv: len(kv[1].records))
            spill = victim.records[: self.batch_size]
            del victim.records[: self.batch_size]
            if not victim.records:
                del self._groups[victim_key]
            self._count -= len(spill)
            return victim_key, spill

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
        """Make a waiting :meth:`take` return now."""
        with self._cond:
            self._woken = True
            self._cond.notify_all()

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
