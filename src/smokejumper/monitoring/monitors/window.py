"""What a monitor reads (one window of one model) and what it gives back (an observation).

>>> import pyarrow as pa
>>> from datetime import UTC, datetime
>>> window = WindowData(datetime(2026, 1, 1, tzinfo=UTC), pa.table({"latency_ms": [12.0]}))
>>> window.shared("rows", lambda: window.predictions.num_rows)
1
>>> Observation(value=12.0, healthy=True)
Observation(value=12.0, healthy=True, details={})
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyarrow as pa

from smokejumper.monitoring.seasons import ReferencePhases
from smokejumper.stats.dataset import DatasetProfile

#: Why a monitor that reads the window's rows or profile has no value on a window without rows.
NO_ROWS = "no rows in the window"


@dataclass(frozen=True)
class WindowData:
    """Everything known about one window of one model."""

    start: datetime
    predictions: pa.Table  # the window's rows, in the model's stored layout
    profile: DatasetProfile | None = None  # merged window profile, on the reference's bins
    reference: DatasetProfile | None = None
    labels: pa.Table | None = None  # columns ``id`` and ``label`` (text), one row per id
    baseline: pa.Table | None = None  # prediction and confidence of the first window with rows
    custom: dict[str, float] = field(default_factory=dict)
    rejected_batches: int = 0  # batches refused while the window was open
    #: The reference's phase profiles this window may be compared with (seasonal monitors;
    #: empty when the reference carries no time), and the window's length in seconds.
    phases: ReferencePhases | None = None
    seconds: int = 3600
    #: Results shared by the monitors of one window (a drift report, the label join, a
    #: confusion count, missing values per column), so that several monitors on the same
    #: window compute them once.
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def shared(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per window and key."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]


@dataclass(frozen=True)
class Observation:
    """A monitor's value for a window, whether it is healthy, and how it was reached."""

    value: float | None
    healthy: bool | None
    details: dict[str, Any] = field(default_factory=dict)
