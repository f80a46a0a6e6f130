"""Null rate: the share of missing values in a column, or the largest over the features."""

from __future__ import annotations

from typing import ClassVar, Literal

import pyarrow as pa
import pyarrow.compute as pc

from smokejumper.monitoring.monitors.base import (
    Example,
    Measurement,
    MonitorType,
    no_value,
    register,
    share,
)
from smokejumper.monitoring.monitors.window import WindowData

#: Columns of the stored layout that are not features.
_LOGGED = ("id", "timestamp", "version", "prediction", "confidence", "latency_ms", "error")


@register
class NullRate(MonitorType):
    """Share of missing values in a column (or the largest over all features).

    >>> import pyarrow as pa
    >>> from datetime import UTC, datetime
    >>> rows = pa.table({"age": [31.0, None, float("nan"), 40.0], "plan": ["a", "b", None, "a"]})
    >>> window = WindowData(datetime(2026, 1, 1, tzinfo=UTC), rows)
    >>> NullRate(name="nulls", model="churn", type="null_rate").measure(window)
    (0.5, {'column': 'age', 'rates': {'age': 0.5, 'plan': 0.25}})
    """

    type: Literal["null_rate"]
    column: str | None = None
    max: float | None = 0.05

    needs_rows = True
    reads = frozenset({"rows"})
    example: ClassVar[Example] = {"column": "age"}

    def measure(self, window: WindowData) -> Measurement:
        """The null rate of the column, or the worst feature's."""
        rows = window.predictions.num_rows
        names = (
            [self.column]
            if self.column
            else [n for n in window.predictions.column_names if n not in _LOGGED]
        )
        rates = {n: share(missing(window, n), rows) for n in names}
        known = {n: r for n, r in rates.items() if r is not None}
        if not known:
            return no_value("no rows")
        worst = max(known, key=lambda n: known[n])
        return known[worst], {"column": worst, "rates": known}


def missing(window: WindowData, name: str) -> int:
    """Null and NaN values of a column of the window's rows (counted once per window)."""

    def count() -> int:
        column = window.predictions.column(name)
        nulls = column.null_count
        if pa.types.is_floating(column.type):
            nulls += pc.sum(pc.is_nan(column.fill_null(0.0))).as_py() or 0
        return int(nulls)

    found: int = window.shared(("missing", name), count)
    return found
