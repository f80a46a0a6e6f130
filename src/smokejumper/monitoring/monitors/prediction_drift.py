"""Prediction drift: the prediction column's distribution against the first window seen."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from smokejumper.monitoring.monitors.base import Example, Measurement, MonitorType, register
from smokejumper.monitoring.monitors.baseline import shift
from smokejumper.monitoring.monitors.window import WindowData


@register
class PredictionDrift(MonitorType):
    """Drift of the prediction column's distribution against the first window seen (effect
    size of the kind's default drift method).

    >>> import pyarrow as pa
    >>> from datetime import UTC, datetime
    >>> first = pa.table({"prediction": [0.1, 0.2, 0.3, 0.4] * 100})
    >>> later = pa.table({"prediction": [0.6, 0.7, 0.8, 0.9] * 100})
    >>> spec = PredictionDrift(name="pd", model="churn", type="prediction_drift")
    >>> value, details = spec.measure(WindowData(datetime(2026, 1, 1, tzinfo=UTC), later,
    ...                                          baseline=first))
    >>> details["drift"], value > spec.max
    (True, True)
    """

    type: Literal["prediction_drift"]
    max: float | None = 0.1

    needs_rows = True
    reads = frozenset({"rows", "baseline"})
    example: ClassVar[Example] = {}

    def measure(self, window: WindowData) -> Measurement:
        """The effect size of the prediction column's drift."""
        return shift(window, "prediction")

    def judge(self, value: float | None, details: Mapping[str, Any]) -> bool | None:
        """Unhealthy when the effect size is over ``max`` *and* the drift verdict agrees (the
        change is significant and beyond the effect size's own noise at this many rows, see
        docs/drift.md): an effect of 0.12 between two windows of 300 predictions drawn alike
        is noise, not drift.

        >>> spec = PredictionDrift(name="pd", model="churn", type="prediction_drift")
        >>> spec.judge(0.12, {"drift": False}), spec.judge(0.12, {"drift": True})
        (True, False)
        """
        healthy = self.healthy(value)
        below_min = value is not None and self.min is not None and value < self.min
        if healthy is False and not below_min and details.get("drift") is False:
            return True
        return healthy
