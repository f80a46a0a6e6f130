"""Feature drift: the share of drifted columns against the model's reference.

The feature-drift monitors of one window share one drift report (see :meth:`FeatureDrift.plan`
and :mod:`smokejumper.monitoring.drift_share`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Literal, Self

from smokejumper.errors import SmokejumperError
from smokejumper.monitoring.drift_share import subset
from smokejumper.monitoring.monitors.base import (
    Example,
    Measurement,
    MonitorType,
    no_value,
    register,
)
from smokejumper.monitoring.monitors.window import NO_ROWS, WindowData
from smokejumper.stats.compare import compare
from smokejumper.stats.report import DriftReport

#: Memo key of the columns one shared drift report covers (``None``: all of them).
_DRIFT_PLAN = "drift plan"


@register
class FeatureDrift(MonitorType):
    """Share of drifted columns against the reference (per column results in details).

    >>> import numpy as np, pyarrow as pa
    >>> from datetime import UTC, datetime
    >>> from smokejumper.stats.dataset import profile
    >>> rng = np.random.default_rng(0)
    >>> reference = profile(pa.table({"age": rng.normal(40, 10, 2000)}))
    >>> rows = pa.table({"age": rng.normal(60, 10, 2000)})
    >>> window = WindowData(datetime(2026, 1, 1, tzinfo=UTC), rows,
    ...                     profile(rows, reference=reference), reference)
    >>> spec = FeatureDrift(name="drift", model="churn", type="feature_drift")
    >>> value, details = spec.measure(window)
    >>> value, details["columns"]["age"]["drift"]
    (1.0, True)
    """

    type: Literal["feature_drift"]
    columns: list[str] | None = None
    max: float | None = 0.0

    needs_rows = False  # says first that there is no reference, if so
    reads = frozenset({"profile", "reference"})
    example: ClassVar[Example] = {"columns": ["age", "plan"]}

    @classmethod
    def plan(cls, specs: Sequence[Self], window: WindowData) -> None:
        """Let the window's feature-drift monitors share one report: over every column when
        one of them takes every column, else over the columns they name between them."""
        wanted = [s.columns for s in specs]
        if len(wanted) < 2:
            return
        if not all(wanted):
            window.memo[_DRIFT_PLAN] = None
        else:
            columns = (c for cols in wanted if cols for c in cols)
            window.memo[_DRIFT_PLAN] = tuple(dict.fromkeys(columns))

    def measure(self, window: WindowData) -> Measurement:
        """The share of the columns that drifted."""
        if window.reference is None:
            return no_value("the model has no reference yet")
        if window.profile is None:
            return no_value(NO_ROWS)
        report = shared_drift_report(window, tuple(self.columns) if self.columns else None)
        details = {
            "dataset_drift": report.dataset_drift,
            "columns": {
                c.name: {"effect_size": c.effect_size, "drift": c.drift, "method": c.method}
                for c in report.columns
            },
            "broken_columns": report.broken_columns,
        }
        return report.share_drifted, details


def shared_drift_report(w: WindowData, columns: tuple[str, ...] | None) -> DriftReport:
    """The drift report of ``columns`` (all when ``None``) on the window, computed once per
    window and shared by its feature-drift and data-quality monitors."""
    reference, current = w.reference, w.profile
    if columns is not None and _DRIFT_PLAN in w.memo:
        plan = w.memo[_DRIFT_PLAN]
        try:
            shared: DriftReport = w.shared(
                ("drift", plan), lambda: compare(reference, current, columns=plan)
            )
        except SmokejumperError:
            pass  # e.g. a column one monitor names is unknown: each monitor meets its own error
        else:
            report = subset(shared, columns, named=plan is not None)
            if report is not None:
                return report
    own: DriftReport = w.shared(
        ("drift", columns), lambda: compare(reference, current, columns=columns)
    )
    return own
