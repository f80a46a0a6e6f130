"""Volume: the rows logged in the window."""

from __future__ import annotations

from typing import ClassVar, Literal

from smokejumper.monitoring.monitors.base import Example, Measurement, MonitorType, register
from smokejumper.monitoring.monitors.window import WindowData


@register
class Volume(MonitorType):
    """Rows in the window.

    >>> import pyarrow as pa
    >>> from datetime import UTC, datetime
    >>> window = WindowData(datetime(2026, 1, 1, tzinfo=UTC), pa.table({"id": ["a", "b"]}))
    >>> spec = Volume(name="traffic", model="churn", type="volume", min=10)
    >>> value, _ = spec.measure(window)
    >>> value, spec.healthy(value)
    (2.0, False)
    """

    type: Literal["volume"]

    needs_rows = False  # a silent window has a volume: 0
    reads = frozenset({"rows"})
    example: ClassVar[Example] = {"min": 1}

    def measure(self, window: WindowData) -> Measurement:
        """The number of rows."""
        return float(window.predictions.num_rows), {}
