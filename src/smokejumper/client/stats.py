"""Counters of what became of logged records, and the snapshot :attr:`Client.stats` returns.

>>> c = Counters()
>>> c.add("sent", 500); c.add("retries")
>>> s = c.snapshot(queued=3, spilling=0, spool_files=0, spool_bytes=0)
>>> s.sent, s.retries, s.dropped
(500, 1, 0)
"""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class ClientStats:
    """What became of the records a client was given, since it started.

    ``sent``, ``spooled``, ``dropped`` and ``rejected`` count records (predictions and
    labels); ``retries`` counts repeated attempts. A record spooled and later resent counts in
    both ``spooled`` and ``sent``. ``dropped`` includes records refused because the memory
    buffer and the hand-off to the spool were both full (the disk could not keep up).
    ``queued``, ``spilling``, ``spool_files`` and ``spool_bytes`` are gauges: records waiting
    in memory to be sent now, records in memory handed off to be written to the spool now,
    and the batches (for this client's server) and bytes (all of them) in the spool folder
    now. ``spool_other_files`` counts the batches in the spool folder that were spooled for
    another server (or by an older SDK, which did not say for which): they are kept for a
    client of their own server, and never sent to this one.
    """

    sent: int
    spooled: int
    dropped: int
    retries: int
    rejected: int
    queued: int
    spilling: int
    spool_files: int
    spool_bytes: int
    spool_other_files: int = 0


class Counters:
    """Thread-safe running totals."""

    NAMES = ("sent", "spooled", "dropped", "retries", "rejected")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values = dict.fromkeys(self.NAMES, 0)

    def add(self, name: str, n: int = 1) -> None:
        """Add ``n`` to the counter ``name``."""
        with self._lock:
            self._values[name] += n

    def renew_lock(self) -> None:
        """A fresh lock, for the child of a fork (the parent's may have been held)."""
        self._lock = threading.Lock()

    def snapshot(
        self,
        *,
        queued: int,
        spilling: int,
        spool_files: int,
        spool_bytes: int,
        spool_other_files: int = 0,
    ) -> ClientStats:
        """The totals now, with the given gauges."""
        with self._lock:
            values = dict(self._values)
        return ClientStats(
            **values,
            queued=queued,
            spilling=spilling,
            spool_files=spool_files,
            spool_bytes=spool_bytes,
            spool_other_files=spool_other_files,
        )
