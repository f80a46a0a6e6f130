"""Hourly windows in the past: where the replay places its rows so that every window is closed
and due for evaluation.

>>> from datetime import UTC, datetime
>>> starts = window_starts(datetime(2026, 1, 1, 9, 41, tzinfo=UTC), 3)
>>> [s.strftime("%H:%M") for s in starts]
['06:00', '07:00', '08:00']
>>> rows = pa.table({"x": [1.0, 2.0, 3.0, 4.0]})
>>> [t.strftime("%H:%M:%S") for t in stamped(rows, starts[:2], 2).column("timestamp").to_pylist()]
['06:15:00', '06:45:00', '07:15:00', '07:45:00']
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa

WINDOW_SECONDS = 3600


def window_starts(now: datetime, count: int) -> list[datetime]:
    """The starts of the ``count`` hourly windows before the hour ``now`` falls in, oldest
    first: all closed by ``now``."""
    this_hour = now.replace(minute=0, second=0, microsecond=0)
    return [this_hour - timedelta(seconds=WINDOW_SECONDS * (count - i)) for i in range(count)]


def stamped(rows: pa.Table, starts: Sequence[datetime], rows_per_window: int) -> pa.Table:
    """The first ``len(starts) * rows_per_window`` of ``rows``, each window's share spread
    evenly over its hour, with their times in a ``timestamp`` column."""
    count = len(starts) * rows_per_window
    if rows.num_rows < count:
        raise ValueError(
            f"{len(starts)} windows of {rows_per_window} rows need {count} rows; "
            f"only {rows.num_rows} are left"
        )
    step = WINDOW_SECONDS / rows_per_window
    offsets = (np.arange(rows_per_window) + 0.5) * step * 1_000_000  # microseconds
    base = np.array([int(s.timestamp() * 1_000_000) for s in starts], dtype=np.int64)
    micros = (base[:, None] + offsets[None, :].astype(np.int64)).ravel()
    times = pa.array(micros, pa.int64()).cast(pa.timestamp("us", tz="UTC"))
    return rows.slice(0, count).append_column("timestamp", times)
