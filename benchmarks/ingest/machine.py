"""CPU time of the whole machine (busy, stolen by the hypervisor), of this process, and a
speed probe: what tells a quiet machine from a busy one while a scenario runs."""

from __future__ import annotations

import math
import os
import resource
import time
from pathlib import Path


def _cpu_line() -> list[int] | None:
    try:
        return [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None


def busy_seconds() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (``/proc/stat``), if known."""
    line = _cpu_line()
    if line is None:
        return None
    user, nice, system, _idle, _iowait, irq, softirq = line[:7]
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def steal_seconds() -> float | None:
    """CPU seconds stolen by the hypervisor since boot (``/proc/stat``), if known."""
    line = _cpu_line()
    return None if line is None or len(line) < 8 else line[7] / os.sysconf("SC_CLK_TCK")


def speed_probe() -> float:
    """Milliseconds for a fixed pure-Python loop (best of 5): how fast the machine is now."""
    best = math.inf
    for _ in range(5):
        start = time.perf_counter()
        sum(i * i for i in range(200_000))
        best = min(best, time.perf_counter() - start)
    return best * 1000


def own_cpu() -> float:
    """CPU seconds of this (parent) process."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
