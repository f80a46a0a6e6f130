"""The window cache: bounded, least recently used first out, keyed by content."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyarrow as pa

from smokejumper.service.evaluation.window_cache import WindowCache
from smokejumper.stats import serialize
from smokejumper.stats.dataset import profile


def _rows(n: int) -> pa.Table:
    return pa.table({"x": np.arange(n, dtype=np.float64)})


def test_rows_are_kept_within_the_bound_least_recently_used_out() -> None:
    cache = WindowCache(max_bytes=3 * 8 * 100)
    loads: list[str] = []

    def load(key: str) -> pa.Table:
        loads.append(key)
        return _rows(100)

    for key in ("a", "b", "c", "a", "d"):  # "a" used again, so "b" is the oldest when "d" comes
        cache.rows(key, lambda key=key: load(key))  # type: ignore[misc]
    assert loads == ["a", "b", "c", "d"]
    assert cache.stats()["rows"] == 3
    cache.rows("b", lambda: load("b"))
    assert loads[-1] == "b"
    assert cache.rows("big", lambda: _rows(1000)).num_rows == 1000  # larger than the bound
    assert cache.stats()["bytes"] <= 3 * 8 * 100


def test_profiles_are_keyed_by_the_bytes_of_the_parts(rng: np.random.Generator) -> None:
    reference = profile(pa.table({"x": rng.normal(size=1000)}))

    def part(n: int) -> bytes:
        return serialize.dumps([profile(pa.table({"x": rng.normal(size=n)}), reference=reference)])

    parts = [part(300) for _ in range(3)]
    cache = WindowCache()
    merged = cache.profile(parts[:2])
    assert merged is not None
    assert merged.rows == 600
    assert cache.profile(parts[:2]) is merged
    assert cache.stats()["hits"] == 1
    third = cache.profile(parts)  # a new part: another key
    assert third is not None
    assert third.rows == 900
    changed = cache.profile([parts[0], part(50)])  # a part's bytes changed (re-profiled)
    assert changed is not None
    assert changed.rows == 350
    assert cache.stats()["profiles"] == 3
    assert cache.profile([]) is None
    cache.clear()
    assert cache.stats() == {"rows": 0, "profiles": 0, "bytes": 0, "hits": 0, "misses": 0}


def test_a_cache_of_no_bytes_keeps_nothing(rng: np.random.Generator) -> None:
    off = WindowCache(max_bytes=0)
    off.rows("empty", lambda: _rows(0))
    assert off.profile([]) is None
    assert off.stats() == {"rows": 0, "profiles": 0, "bytes": 0, "hits": 0, "misses": 2}


def test_threads_share_a_cache() -> None:
    cache = WindowCache(max_bytes=10 * 8 * 10)
    with ThreadPoolExecutor(4) as pool:
        tables = list(pool.map(lambda i: cache.rows(i % 20, lambda: _rows(10)), range(400)))
    assert all(t.num_rows == 10 for t in tables)
    stats = cache.stats()
    assert stats["rows"] <= 10
    assert stats["bytes"] == stats["rows"] * 80
    assert stats["hits"] + stats["misses"] == 400
