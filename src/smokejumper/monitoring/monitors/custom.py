"""Custom: a metric the user posts for each window."""

from __future__ import annotations

from typing import ClassVar, Literal

from smokejumper.monitoring.monitors.base import (
    Example,
    Measurement,
    MonitorType,
    no_value,
    register,
)
from smokejumper.monitoring.monitors.window import WindowData


@register
class Custom(MonitorType):
    """A metric the user posts per window.

    >>> import pyarrow as pa
    >>> from datetime import UTC, datetime
    >>> window = WindowData(datetime(2026, 1, 1, tzinfo=UTC), pa.table({}),
    ...                     custom={"revenue": 12.5})
    >>> Custom(name="revenue", model="churn", type="custom", metric="revenue").measure(window)
    (12.5, {})
    >>> Custom(name="clicks", model="churn", type="custom", metric="clicks").measure(window)
    (None, {'reason': "no value of 'clicks' was posted for this window"})
    """

    type: Literal["custom"]
    metric: str

    needs_rows = False  # the value is posted, rows or not
    reads = frozenset({"custom"})
    example: ClassVar[Example] = {"metric": "revenue", "min": 10}

    def measure(self, window: WindowData) -> Measurement:
        """The value posted for the window."""
        if self.metric not in window.custom:
            return no_value(f"no value of {self.metric!r} was posted for this window")
        return window.custom[self.metric], {}
