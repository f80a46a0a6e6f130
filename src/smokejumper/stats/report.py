"""The drift report: what was compared, what drifted, by which test, and how much.

Its JSON form is a documented interface (docs/report-format.md); later tools read it.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from smokejumper._version import REPORT_FORMAT_VERSION, __version__

Status = Literal["tested", "skipped", "error"]
#: What a quality finding is about (see docs/report-format.md).
Check = Literal[
    "missing_share", "value_spike", "no_values", "column_missing", "column_added", "type_changed"
]


@dataclass(frozen=True)
class ColumnSummary:
    """Plain facts about one side of a column."""

    rows: int
    nulls: int
    nans: int = 0
    infinities: int = 0
    mean: float | None = None
    std: float | None = None
    min: float | None = None
    max: float | None = None
    distinct: float | None = None
    top: dict[str, int] | None = None  # most common values, for categories


@dataclass(frozen=True)
class Histogram:
    """Shares per bin on both sides, for charts (reference deciles, or categories)."""

    labels: list[str]
    reference: list[float]
    current: list[float]


@dataclass(frozen=True)
class ShareChange:
    """How the share of rows with one property moved: missing values, or one single value.

    Judged like drift: ``material`` when the corrected p-value is below alpha and Cohen's h
    reaches both its threshold and its noise floor (see docs/drift.md).
    """

    reference: float  # share of the reference's rows
    current: float  # share of the current rows
    effect_size: float  # Cohen's h
    threshold: float
    p_value: float
    p_value_adjusted: float | None = None
    noise_floor: float | None = None
    value: str | None = None  # the value, for a single value's share
    material: bool = False
    interval: bool = False  # ``value`` names a range of values (a profile's bin), not one


@dataclass(frozen=True)
class QualityFinding:
    """A sign of a broken pipeline rather than of drift: it fails the report on its own."""

    column: str
    check: Check
    message: str


@dataclass(frozen=True)
class ColumnDrift:
    """The verdict on one column."""

    name: str
    kind: str
    status: Status
    method: str | None = None
    statistic: float | None = None
    p_value: float | None = None
    p_value_adjusted: float | None = None
    effect_size: float | None = None
    effect: str | None = None
    threshold: float | None = None
    bound: float | None = None
    basis: Literal["exact", "profile"] | None = None
    drift: bool = False
    note: str | None = None
    reference: ColumnSummary | None = None
    current: ColumnSummary | None = None
    histogram: Histogram | None = None
    noise_floor: float | None = None  # effect size noise alone reaches 1 time in 10,000
    within_bound: bool = False  # from profiles: the threshold lies within effect_size +/- bound
    missing_share: ShareChange | None = None
    top_value: ShareChange | None = None
    quality: tuple[QualityFinding, ...] = ()

    @property
    def limit(self) -> float | None:
        """The effect size a drift verdict needs: the threshold, or the noise floor when the
        samples are so small that noise alone reaches past the threshold."""
        if self.threshold is None:
            return None
        return max(self.threshold, self.noise_floor or 0.0)


@dataclass(frozen=True)
class MultivariateDrift:
    """Result of the domain classifier: can a model tell reference rows from current rows?"""

    method: str
    auc: float
    p_value: float
    threshold: float
    drift: bool
    rows_used: int
    columns: list[str]


def _clean(value: Any) -> Any:
    """JSON has no NaN or infinity: write them as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


@dataclass(frozen=True)
class DriftReport:
    """Drift between a reference and a current data set, column by column and overall."""

    columns: list[ColumnDrift]
    reference_rows: int
    current_rows: int
    alpha: float
    correction: str
    drift_share: float  # share of tested columns that must drift for dataset drift
    multivariate: MultivariateDrift | None = None
    notes: list[str] = field(default_factory=list)
    created_at: str = ""
    schema_changes: list[QualityFinding] = field(default_factory=list)  # columns on one side

    @property
    def tested_columns(self) -> int:
        """Number of columns a method judged."""
        return sum(c.status == "tested" for c in self.columns)

    @property
    def drifted_columns(self) -> int:
        """Number of columns judged drifted (kept for old callers: see
        :attr:`drifted_column_count` and :attr:`drifted_column_names`)."""
        return self.drifted_column_count

    @property
    def drifted_column_count(self) -> int:
        """Number of columns judged drifted."""
        return sum(c.drift for c in self.columns)

    @property
    def drifted_column_names(self) -> list[str]:
        """Names of the columns judged drifted, in report order."""
        return [c.name for c in self.columns if c.drift]

    @property
    def quality_findings(self) -> list[QualityFinding]:
        """Every sign of a broken pipeline: schema changes first, then column by column."""
        return [*self.schema_changes, *(f for c in self.columns for f in c.quality)]

    @property
    def broken_columns(self) -> list[str]:
        """Names of the columns with a quality finding, each once, in report order."""
        return list(dict.fromkeys(f.column for f in self.quality_findings))

    @property
    def quality_failed(self) -> bool:
        """Whether any quality finding was made (a broken pipeline, whatever drifted)."""
        return bool(self.quality_findings)

    @property
    def share_drifted(self) -> float:
        """Drifted columns as a share of tested columns."""
        return self.drifted_columns / self.tested_columns if self.tested_columns else 0.0

    @property
    def dataset_drift(self) -> bool:
        """Whether the data set as a whole drifted."""
        by_share = self.tested_columns > 0 and self.share_drifted >= self.drift_share
        return by_share or bool(self.multivariate and self.multivariate.drift)

    def column(self, name: str) -> ColumnDrift:
        """The verdict on column ``name``."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data (the documented JSON layout)."""
        body = asdict(self)
        doc: dict[str, Any] = _clean(
            {
                "format": "smokejumper.drift-report",
                "format_version": REPORT_FORMAT_VERSION,
                "tool_version": __version__,
                "created_at": self.created_at,
                "dataset_drift": self.dataset_drift,
                "drifted_columns": self.drifted_columns,
                "drifted_column_count": self.drifted_column_count,
                "drifted_column_names": self.drifted_column_names,
                "tested_columns": self.tested_columns,
                "share_drifted": self.share_drifted,
                "drift_share": self.drift_share,
                "reference_rows": self.reference_rows,
                "current_rows": self.current_rows,
                "alpha": self.alpha,
                "correction": self.correction,
                "columns": body["columns"],
                "multivariate": body["multivariate"],
                "notes": self.notes,
                "quality_failed": self.quality_failed,
                "broken_columns": self.broken_columns,
                "quality": [asdict(f) for f in self.quality_findings],
            }
        )
        return doc

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def to_markdown(self) -> str:
        """The report as a Markdown document."""
        from smokejumper.report.markdown import render_markdown

        return render_markdown(self)

    def to_html(self) -> str:
        """The report as one self-contained HTML file (works offline)."""
        from smokejumper.report.html import render_html

        return render_html(self)
