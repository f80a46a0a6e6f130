"""Feature drift: the share of drifted columns against the model's reference, or against the
part of it in the same phase of the day or week as the window (``seasonality``, see
:mod:`smokejumper.monitoring.seasons`).

The feature-drift monitors of one window with the same seasonality share one drift report (see
:meth:`FeatureDrift.plan` and :mod:`smokejumper.monitoring.drift_share`).
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
    Part,
    no_value,
    register,
)
from smokejumper.monitoring.monitors.window import NO_ROWS, WindowData
from smokejumper.monitoring.seasons import Seasonality, describe
from smokejumper.stats.compare import compare
from smokejumper.stats.dataset import DatasetProfile
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

    With ``seasonality`` (``daily`` or ``weekly``) a window is compared with the reference's
    rows in the same hours of the day (or of the week), so that a daily pattern the reference
    already holds raises no alarm. That needs a reference with time (see
    docs/monitors.md); on one without, the monitor has no value and says why.

    >>> seasonal = FeatureDrift(name="drift", model="churn", type="feature_drift",
    ...                         seasonality="daily")
    >>> seasonal.measure(window)[1]["reason"][:59]
    "daily seasonality needs a reference with time; this model's"
    """

    type: Literal["feature_drift"]
    columns: list[str] | None = None
    max: float | None = 0.0
    #: Compare each window with the reference's rows in the same phase (``None``: all of it).
    seasonality: Seasonality | None = None

    needs_rows = False  # says first that there is no reference, if so
    reads = frozenset({"profile", "reference"})
    example: ClassVar[Example] = {"columns": ["age", "plan"], "seasonality": "daily"}

    def parts_read(self) -> frozenset[Part]:
        """The profile and reference, and the reference's phases when seasonal."""
        return self.reads | {"phases"} if self.seasonality is not None else self.reads

    @classmethod
    def plan(cls, specs: Sequence[Self], window: WindowData) -> None:
        """Let the window's feature-drift monitors of one seasonality share one report: over
        every column when one of them takes every column, else over the columns they name
        between them."""
        by_season: dict[Seasonality | None, list[list[str] | None]] = {}
        for spec in specs:
            by_season.setdefault(spec.seasonality, []).append(spec.columns)
        for seasonality, wanted in by_season.items():
            if len(wanted) < 2:
                continue
            if not all(wanted):
                window.memo[_DRIFT_PLAN, seasonality] = None
            else:
                columns = (c for cols in wanted if cols for c in cols)
                window.memo[_DRIFT_PLAN, seasonality] = tuple(dict.fromkeys(columns))

    def measure(self, window: WindowData) -> Measurement:
        """The share of the columns that drifted."""
        if window.reference is None:
            return no_value("the model has no reference yet")
        if window.profile is None:
            return no_value(NO_ROWS)
        extra: dict[str, object] = {}
        if self.seasonality is not None:
            season = self.seasonality
            if window.phases is None or not window.phases.hours:
                return no_value(
                    f"{season} seasonality needs a reference with time; this model's has "
                    "none: set it from the model's first hours (PUT /api/v1/models/<name>/"
                    "reference?first_hours=N) or upload one holding the model's timestamp column"
                )
            phase = describe(window.start, window.seconds, season)
            reference = phase_reference(window, season)
            if reference is None:
                return no_value(f"the reference has no rows at {phase} to compare with")
            extra = {"seasonality": season, "phase": phase, "reference_rows": reference.rows}
        columns = tuple(self.columns) if self.columns else None
        report = shared_drift_report(window, columns, self.seasonality)
        details = {
            "dataset_drift": report.dataset_drift,
            "columns": {
                c.name: {"effect_size": c.effect_size, "drift": c.drift, "method": c.method}
                for c in report.columns
            },
            "broken_columns": report.broken_columns,
            **extra,
        }
        return report.share_drifted, details


def phase_reference(w: WindowData, seasonality: Seasonality) -> DatasetProfile | None:
    """The reference's rows in the window's phase (merged once per window), ``None`` when the
    reference has no phases or no rows in that one."""
    phases = w.phases
    if phases is None:
        return None
    found: DatasetProfile | None = w.shared(
        ("phase reference", seasonality),
        lambda: phases.reference_for(w.start, w.seconds, seasonality),
    )
    return found


def shared_drift_report(
    w: WindowData, columns: tuple[str, ...] | None, seasonality: Seasonality | None = None
) -> DriftReport:
    """The drift report of ``columns`` (all when ``None``) on the window, against the whole
    reference or the part of it in the window's phase (``seasonality``), computed once per
    window and shared by its feature-drift and data-quality monitors."""
    current = w.profile
    reference = w.reference if seasonality is None else phase_reference(w, seasonality)
    if columns is not None and (_DRIFT_PLAN, seasonality) in w.memo:
        plan = w.memo[_DRIFT_PLAN, seasonality]
        try:
            shared: DriftReport = w.shared(
                ("drift", seasonality, plan), lambda: compare(reference, current, columns=plan)
            )
        except SmokejumperError:
            pass  # e.g. a column one monitor names is unknown: each monitor meets its own error
        else:
            report = subset(shared, columns, named=plan is not None)
            if report is not None:
                return report
    own: DriftReport = w.shared(
        ("drift", seasonality, columns), lambda: compare(reference, current, columns=columns)
    )
    return own
