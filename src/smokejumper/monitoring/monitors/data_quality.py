"""Data quality: columns a broken pipeline damaged in the window, judged against the reference.

The checks are the drift report's own (:mod:`smokejumper.stats.quality`): a column missing on
either side or with no values, a material change in its share of missing values, one value
taking over (zero-fill, a default such as -1 or an empty string, a frozen feed). Each is judged
with a corrected test and an effect size over its noise floor, so small windows do not page.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import ClassVar, Literal

from smokejumper.monitoring.monitors.base import (
    Example,
    Measurement,
    MonitorType,
    no_value,
    register,
)
from smokejumper.monitoring.monitors.feature_drift import shared_drift_report
from smokejumper.monitoring.monitors.window import NO_ROWS, WindowData


@register
class DataQuality(MonitorType):
    """Number of broken columns (per finding details); healthy at 0 by default.

    >>> import numpy as np, pyarrow as pa
    >>> from datetime import UTC, datetime
    >>> from smokejumper.stats.dataset import profile
    >>> rng = np.random.default_rng(0)
    >>> reference = profile(pa.table({"age": rng.normal(40, 10, 2000)}))
    >>> age = rng.normal(40, 10, 2000)
    >>> age[:1000] = 0.0  # a broken join fills half the rows with zeros
    >>> rows = pa.table({"age": age})
    >>> window = WindowData(datetime(2026, 1, 1, tzinfo=UTC), rows,
    ...                     profile(rows, reference=reference), reference)
    >>> spec = DataQuality(name="quality", model="churn", type="data_quality")
    >>> value, details = spec.measure(window)
    >>> value, details["broken_columns"], spec.healthy(value)
    (1.0, ['age'], False)
    """

    type: Literal["data_quality"]
    columns: list[str] | None = None
    max: float | None = 0.0

    needs_rows = False  # says first that there is no reference, if so
    reads = frozenset({"profile", "reference"})
    example: ClassVar[Example] = {"columns": ["age", "plan"]}

    def measure(self, window: WindowData) -> Measurement:
        """How many columns the window's data broke."""
        if window.reference is None:
            return no_value("the model has no reference yet")
        if window.profile is None:
            return no_value(NO_ROWS)
        report = shared_drift_report(window, tuple(self.columns) if self.columns else None)
        findings = [asdict(f) for f in report.quality_findings]
        return float(len(report.broken_columns)), {
            "broken_columns": report.broken_columns,
            "findings": findings,
        }
