"""Confidence: its mean, the share of low-confidence predictions, or its drift."""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np

from smokejumper.monitoring.monitors.base import (
    Example,
    Measurement,
    MonitorType,
    Part,
    no_value,
    register,
)
from smokejumper.monitoring.monitors.baseline import shift
from smokejumper.monitoring.monitors.window import WindowData


@register
class Confidence(MonitorType):
    """Mean confidence, the share of predictions below ``below``, or the drift of the
    confidence distribution against the first window (effect size).

    >>> import pyarrow as pa
    >>> from datetime import UTC, datetime
    >>> rows = pa.table({"confidence": [0.9, 0.8, 0.3, 0.6]})
    >>> window = WindowData(datetime(2026, 1, 1, tzinfo=UTC), rows)
    >>> Confidence(name="sure", model="churn", type="confidence", statistic="low_share",
    ...            below=0.5).measure(window)
    (0.25, {'n': 4, 'below': 0.5})
    """

    type: Literal["confidence"]
    statistic: Literal["mean", "low_share", "drift"] = "mean"
    below: float = 0.5

    needs_rows = True
    reads = frozenset({"rows"})
    example: ClassVar[Example] = {"statistic": "low_share", "below": 0.4}

    def parts_read(self) -> frozenset[Part]:
        """The rows, and the baseline too for the drift."""
        return self.reads | {"baseline"} if self.statistic == "drift" else self.reads

    def measure(self, window: WindowData) -> Measurement:
        """The statistic of the logged confidences."""
        if self.statistic == "drift":
            return shift(window, "confidence")
        column = window.predictions.column("confidence")
        values = column.drop_null().to_numpy(zero_copy_only=False)
        if values.size == 0:
            return no_value("no confidence logged")
        if self.statistic == "mean":
            return float(values.mean()), {"n": int(values.size)}
        return float(np.mean(values < self.below)), {"n": int(values.size), "below": self.below}
