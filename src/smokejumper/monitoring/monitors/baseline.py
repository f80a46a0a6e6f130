"""Drift of a logged column against the model's first window with rows (the baseline).

>>> import pyarrow as pa
>>> from datetime import UTC, datetime
>>> rows = pa.table({"prediction": [0.1, 0.2, 0.3, 0.4] * 50})
>>> window = WindowData(datetime(2026, 1, 1, tzinfo=UTC), rows, baseline=rows)
>>> shift(window, "prediction")[0]
0.0
>>> shift(WindowData(datetime(2026, 1, 1, tzinfo=UTC), rows), "prediction")
(None, {'reason': 'no earlier window to compare with'})
"""

from __future__ import annotations

from smokejumper.monitoring.monitors.base import Measurement, no_value
from smokejumper.monitoring.monitors.window import WindowData
from smokejumper.stats.compare import compare


def shift(window: WindowData, column: str) -> Measurement:
    """Drift of one logged column against the model's first window with rows: the effect
    size of the column kind's default drift method."""
    if window.baseline is None or window.baseline.num_rows == 0:
        return no_value("no earlier window to compare with")
    if window.predictions.column(column).null_count == window.predictions.num_rows:
        return no_value(f"no {column} logged")
    report = compare(window.baseline.select([column]), window.predictions.select([column]))
    result = report.column(column)
    if result.status != "tested":
        return no_value(result.note or f"{column} could not be compared")
    return result.effect_size, {"method": result.method, "drift": result.drift}
