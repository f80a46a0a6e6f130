"""Rejected batches: how many batches the server refused while the window was open."""

from __future__ import annotations

from typing import ClassVar, Literal

from smokejumper.monitoring.monitors.base import Example, Measurement, MonitorType, register
from smokejumper.monitoring.monitors.window import WindowData


@register
class RejectedBatches(MonitorType):
    """Batches refused in the window (by time of receipt): a renamed, retyped or new column
    upstream makes the server refuse whole batches, which this counts.

    >>> import pyarrow as pa
    >>> from datetime import UTC, datetime
    >>> window = WindowData(datetime(2026, 1, 1, tzinfo=UTC), pa.table({}), rejected_batches=2)
    >>> RejectedBatches(name="refused", model="churn", type="rejected_batches").measure(window)
    (2.0, {})
    """

    type: Literal["rejected_batches"]
    max: float | None = 0.0

    needs_rows = False  # refusals are what a window without rows may well hold
    reads = frozenset({"rejections"})
    example: ClassVar[Example] = {}

    def measure(self, window: WindowData) -> Measurement:
        """The count of refused batches."""
        return float(window.rejected_batches), {}
