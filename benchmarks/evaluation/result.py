"""Everything one run measured."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from evaluation.check import Check
from evaluation.passes import CACHE_ON, Pass
from evaluation.settings import Json
from evaluation.split import Split
from evaluation.store import Store


@dataclass
class Result:
    """Everything one run measured."""

    store: Store
    cold: Pass
    warm: dict[str, list[Pass]]  # per mode
    splits: dict[str, Split]  # per mode
    checks: list[Check]
    cache_stats: dict[str, int]
    profile_s: float
    by_own: list[Json]
    by_total: list[Json]
    rss_before_mib: float | None
    peak_rss_mib: float | None
    db_bytes: int
    raw_bytes: int
    command: str
    git_at_start: str

    def median(self, mode: str) -> float:
        """Median wall seconds of the warm passes of one mode."""
        return statistics.median(p.seconds for p in self.warm[mode])

    @property
    def windows(self) -> int:
        """Windows evaluated per warm pass."""
        return self.warm[CACHE_ON][0].windows if self.warm[CACHE_ON] else 0
