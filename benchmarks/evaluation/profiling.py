"""One pass under cProfile, with the thread pools run inline so that their work shows up."""

from __future__ import annotations

import cProfile
import pstats
import time
from collections.abc import Callable, Iterator
from typing import Any

from _common import short_function
from evaluation.passes import CACHE_OFF, cache_for
from evaluation.settings import Json
from evaluation.store import Store, reset
from evaluation.timers import patched


class _InlineExecutor:
    """Stands in for ``ThreadPoolExecutor``: runs the work in the calling thread."""

    def __init__(self, *_: Any, **__: Any) -> None:
        pass

    def __enter__(self) -> _InlineExecutor:
        return self

    def __exit__(self, *_: object) -> None:
        return None

    def map(self, func: Callable[..., Any], *iterables: Any) -> Iterator[Any]:
        return iter([func(*args) for args in zip(*iterables, strict=True)])

    def submit(self, func: Callable[..., Any], *args: Any) -> Any:
        from concurrent.futures import Future

        future: Future[Any] = Future()
        future.set_result(func(*args))
        return future


def profiled_pass(
    store: Store, mode: str = CACHE_OFF, top: int = 20
) -> tuple[float, list[Json], list[Json]]:
    """One pass (caches off by default: the slower mode) under cProfile: the heaviest functions
    by own and total time.

    cProfile sees only the thread it runs in, so the thread pools of ``compare`` and of the
    window loader are replaced by an inline executor for this pass: their work shows up.
    """
    from smokejumper.service.evaluation import loading
    from smokejumper.service.evaluation.runner import run_once
    from smokejumper.stats import compare

    reset(store)
    profiler = cProfile.Profile()
    with (
        patched(compare, "ThreadPoolExecutor", _InlineExecutor),
        patched(loading, "ThreadPoolExecutor", _InlineExecutor),
        store.sessions() as session,
    ):
        start = time.perf_counter()
        profiler.enable()
        run_once(session, store.raw_log, store.now, cache=cache_for(mode))
        profiler.disable()
        seconds = time.perf_counter() - start
    entries = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    rows = [
        {
            "function": short_function(path, line, name),
            "calls": calls,
            "own_ms": own * 1000,
            "total_ms": total * 1000,
            "ours": "smokejumper/" in path,
        }
        for (path, line, name), (_, calls, own, total, _) in entries.items()
    ]
    by_own = sorted(rows, key=lambda r: -r["own_ms"])[:top]
    by_total = [r for r in sorted(rows, key=lambda r: -r["total_ms"]) if r["ours"]][:top]
    return seconds, by_own, by_total
