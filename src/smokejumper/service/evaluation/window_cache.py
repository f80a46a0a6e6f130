"""What a long-lived evaluator keeps between passes: window rows and window profiles.

A window is evaluated again when labels or a custom metric arrive for it, and every window of
the last days is then due at once; its rows and profile have not changed. Both are kept here,
keyed by what they are made of, so a changed input is a different key and never a stale hit:

- the rows of a window by the window's bounds and each raw-log file's path, size and
  modification time (the raw log writes a file once, under a new name, and never changes it);
- the merged profile of a window by a digest of each stored part's bytes (a new batch adds a
  part; re-profiling on a new reference rewrites the parts' bytes).

Labels and custom metrics are read afresh on every pass, and nothing computed from the data
(drift, metrics) is kept. Entries are dropped least recently used first beyond ``max_bytes``
(the Arrow bytes of rows; about 0.2 MB per merged profile of 20 columns). A cache is safe to
share between threads.

>>> cache = WindowCache(max_bytes=0)
>>> cache.rows(("w",), lambda: pa.table({"x": [1.0]})).num_rows  # too big to keep: made again
1
>>> cache.stats()
{'rows': 0, 'profiles': 0, 'bytes': 0, 'hits': 0, 'misses': 1}
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import pyarrow as pa

from smokejumper.stats import serialize
from smokejumper.stats.dataset import DatasetProfile, merge_all

#: Default bound on what is kept (Arrow bytes of rows, and an estimate for profiles).
MAX_BYTES = 256 * 2**20

_ROWS, _PROFILE = "rows", "profile"


def _profile_bytes(blobs: Sequence[bytes]) -> int:
    """About what a merged profile takes in memory: twice its largest stored part (whose
    arrays and sketches are base64 in compressed JSON; merging adds sketch items)."""
    return 2 * max((len(b) for b in blobs), default=0)


class WindowCache:
    """Rows and merged profiles of windows, least recently used dropped first."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[str, Hashable], tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._hits = self._misses = 0

    def rows(self, key: Hashable, load: Callable[[], pa.Table]) -> pa.Table:
        """The rows kept under ``key``, or ``load()`` (kept when they fit)."""
        found, table = self._get((_ROWS, key))
        if not found:
            table = load()
            self._put((_ROWS, key), table, table.nbytes)
        assert isinstance(table, pa.Table)
        return table

    def profile(self, blobs: Sequence[bytes]) -> DatasetProfile | None:
        """The merged profile of stored window parts (``None`` when there is none)."""
        key = (_PROFILE, tuple(hashlib.blake2b(b, digest_size=16).digest() for b in blobs))
        found, merged = self._get(key)
        if not found:
            profiles = [p for blob in blobs for p in serialize.loads(blob)]
            merged = merge_all(profiles) if profiles else None
            self._put(key, merged, _profile_bytes(blobs))
        assert merged is None or isinstance(merged, DatasetProfile)
        return merged

    def _get(self, key: tuple[str, Hashable]) -> tuple[bool, Any]:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self._misses += 1
                return False, None
            self._hits += 1
            self._entries.move_to_end(key)
            return True, entry[0]

    def _put(self, key: tuple[str, Hashable], value: Any, size: int) -> None:
        with self._lock:
            if self.max_bytes <= 0 or size > self.max_bytes or key in self._entries:
                return
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        """Forget everything (the hit and miss counts too)."""
        with self._lock:
            self._entries.clear()
            self._bytes = self._hits = self._misses = 0

    def stats(self) -> dict[str, int]:
        """Windows whose rows and profiles are kept, bytes kept, hits and misses."""
        with self._lock:
            kinds = [kind for kind, _ in self._entries]
            return {
                "rows": kinds.count(_ROWS),
                "profiles": kinds.count(_PROFILE),
                "bytes": self._bytes,
                "hits": self._hits,
                "misses": self._misses,
            }
