"""Out of range: the share of a numeric column's values outside the reference's range."""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np

from smokejumper.monitoring.monitors.base import (
    Example,
    Measurement,
    MonitorType,
    no_value,
    register,
    share,
)
from smokejumper.monitoring.monitors.window import WindowData
from smokejumper.stats.numeric import NumericProfile


@register
class OutOfRange(MonitorType):
    """Share of a numeric column's values outside the reference's [min, max].

    >>> import pyarrow as pa
    >>> from datetime import UTC, datetime
    >>> from smokejumper.stats.dataset import profile
    >>> reference = profile(pa.table({"age": [20.0, 30.0, 40.0, 50.0]}))
    >>> rows = pa.table({"age": [25.0, 35.0, 45.0, 70.0]})
    >>> window = WindowData(datetime(2026, 1, 1, tzinfo=UTC), rows, reference=reference)
    >>> spec = OutOfRange(name="age-range", model="churn", type="out_of_range", column="age")
    >>> spec.measure(window)
    (0.25, {'reference_min': 20.0, 'reference_max': 50.0})
    """

    type: Literal["out_of_range"]
    column: str
    max: float | None = 0.01

    needs_rows = True
    reads = frozenset({"rows", "reference"})
    example: ClassVar[Example] = {"column": "age"}

    def measure(self, window: WindowData) -> Measurement:
        """The share of the column's finite values outside the reference's range."""
        ref = window.reference.columns.get(self.column) if window.reference else None
        if not isinstance(ref, NumericProfile) or ref.n == 0:
            return no_value(f"no numeric reference for {self.column!r}")
        column = window.predictions.column(self.column)
        values = column.drop_null().to_numpy(zero_copy_only=False)
        values = values[~np.isnan(values)]
        outside = int(np.count_nonzero((values < ref.min) | (values > ref.max)))
        return share(outside, values.size), {"reference_min": ref.min, "reference_max": ref.max}
