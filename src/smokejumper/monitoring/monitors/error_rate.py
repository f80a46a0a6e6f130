"""Error rate: the share of predictions logged as errors."""

from __future__ import annotations

from typing import ClassVar, Literal

import pyarrow.compute as pc

from smokejumper.monitoring.monitors.base import Example, Measurement, MonitorType, register, share
from smokejumper.monitoring.monitors.window import WindowData


@register
class ErrorRate(MonitorType):
    """Share of predictions logged with ``error: true``.

    >>> import pyarrow as pa
    >>> from datetime import UTC, datetime
    >>> rows = pa.table({"error": [False, True, None, False]})
    >>> window = WindowData(datetime(2026, 1, 1, tzinfo=UTC), rows)
    >>> ErrorRate(name="errors", model="churn", type="error_rate").measure(window)
    (0.25, {})
    """

    type: Literal["error_rate"]
    max: float | None = 0.01

    needs_rows = True
    reads = frozenset({"rows"})
    example: ClassVar[Example] = {}

    def measure(self, window: WindowData) -> Measurement:
        """The share of rows with an error (a missing flag is no error)."""
        errors = window.predictions.column("error").fill_null(False)
        return share(int(pc.sum(errors).as_py() or 0), len(errors)), {}
