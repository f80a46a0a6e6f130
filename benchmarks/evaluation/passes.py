"""One timed ``run_once`` over every closed window, with the evaluator's window cache kept
between passes or switched off."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from _common import proc_number
from evaluation.store import Store, reset


def rss_mib(key: str = "VmRSS") -> float | None:
    """This process's resident memory (or another ``/proc/self/status`` field), MiB."""
    kib = proc_number("/proc/self/status", key)
    return None if kib is None else kib / 1024


@dataclass
class Pass:
    """One timed ``run_once``."""

    seconds: float
    cpu_seconds: float
    windows: int
    observations: int
    unhealthy: int


#: The two ways the warm passes run: the evaluator's window cache kept between passes, or
#: switched off so that every pass reads and deserialises everything again.
CACHE_ON, CACHE_OFF = "caches warm", "caches off"
MODES = (CACHE_OFF, CACHE_ON)
_PROCESS_CACHE: Any = None


def _process_cache() -> Any:
    """The window cache kept between passes, as a server's state keeps one."""
    global _PROCESS_CACHE
    if _PROCESS_CACHE is None:
        from smokejumper.service.evaluation.window_cache import WindowCache

        _PROCESS_CACHE = WindowCache()
    return _PROCESS_CACHE


def cache_for(mode: str) -> Any:
    """The cache a pass runs with: the process's own, or one that keeps nothing."""
    from smokejumper.service.evaluation.window_cache import WindowCache

    return _process_cache() if mode == CACHE_ON else WindowCache(max_bytes=0)


def timed_pass(store: Store, mode: str = CACHE_ON) -> Pass:
    """Reset, then time one ``run_once`` over every closed window."""
    from smokejumper.service.evaluation.runner import run_once

    reset(store)
    cache = cache_for(mode)
    with store.sessions() as session:
        cpu, start = time.process_time(), time.perf_counter()
        summary = run_once(session, store.raw_log, store.now, cache=cache)
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu
    return Pass(seconds, cpu, summary.windows, summary.observations, len(summary.unhealthy))
