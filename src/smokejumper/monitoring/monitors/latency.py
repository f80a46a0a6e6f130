"""Latency: a quantile of the logged latencies."""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
from pydantic import Field

from smokejumper.monitoring.monitors.base import (
    Example,
    Measurement,
    MonitorType,
    no_value,
    register,
)
from smokejumper.monitoring.monitors.window import WindowData


@register
class Latency(MonitorType):
    """A latency quantile in milliseconds.

    >>> import pyarrow as pa
    >>> from datetime import UTC, datetime
    >>> rows = pa.table({"latency_ms": [10.0, 20.0, 30.0, 400.0]})
    >>> window = WindowData(datetime(2026, 1, 1, tzinfo=UTC), rows)
    >>> Latency(name="p50", model="churn", type="latency", quantile=0.5).measure(window)
    (25.0, {'n': 4})
    """

    type: Literal["latency"]
    quantile: float = Field(default=0.99, gt=0, lt=1)

    needs_rows = True
    reads = frozenset({"rows"})
    example: ClassVar[Example] = {"quantile": 0.95, "max": 250}

    def measure(self, window: WindowData) -> Measurement:
        """The quantile of the logged latencies."""
        column = window.predictions.column("latency_ms")
        values = column.drop_null().to_numpy(zero_copy_only=False)
        if values.size == 0:
            return no_value("no latency logged")
        return float(np.quantile(values, self.quantile)), {"n": int(values.size)}
