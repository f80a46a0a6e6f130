"""Small pure helpers the collectors share: splitting a series at the onset, a column's own
onset, a median.

>>> from datetime import UTC, datetime
>>> h = [datetime(2026, 11, 1, i, tzinfo=UTC) for i in range(6)]
>>> own_onset([(h[0], False), (h[1], True), (h[2], True), (h[3], True)], h[2])
datetime.datetime(2026, 11, 1, 1, 0, tzinfo=datetime.timezone.utc)
>>> own_onset([(h[0], False), (h[1], False)], h[1]) is None
True
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from datetime import datetime


def own_onset(flags: Sequence[tuple[datetime, bool]], onset: datetime) -> datetime | None:
    """The first window of the run of flagged windows holding the first flagged window at or
    after ``onset`` (``None``: nothing flagged from the onset on)."""
    ordered = sorted(flags)
    first = next((i for i, (t, f) in enumerate(ordered) if f and t >= onset), None)
    if first is None:
        return None
    while first > 0 and ordered[first - 1][1]:
        first -= 1
    return ordered[first][0]


def median(values: Iterable[float]) -> float | None:
    """The median of ``values`` (``None`` of none).

    >>> median([3.0, 1.0, 2.0]), median([])
    (2.0, None)
    """
    found = list(values)
    return float(statistics.median(found)) if found else None


def short_list(names: Sequence[str], limit: int = 5) -> str:
    """``a, b, c and 4 more``.

    >>> short_list(["a", "b", "c"], 2)
    'a, b and 1 more'
    """
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
