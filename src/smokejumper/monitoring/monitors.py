"""Monitor specifications: what to check on each window of a model, declared in YAML or JSON.

>>> spec = parse_monitor({"name": "p99", "model": "churn", "type": "latency", "quantile": 0.99,
...                       "max": 250})
>>> spec.type, spec.limit_text()
('latency', 'value <= 250')
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from smokejumper.errors import MonitorConfigError


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    model: str
    min: float | None = None  # the observation is healthy when value >= min ...
    max: float | None = None  # ... and value <= max

    def limit_text(self) -> str:
        """The healthy range in words."""
        parts = []
        if self.min is not None:
            parts.append(f"value >= {self.min:g}")
        if self.max is not None:
            parts.append(f"value <= {self.max:g}")
        return " and ".join(parts) or "no limit (recorded only)"

    def healthy(self, value: float | None) -> bool | None:
        """Whether ``value`` is within the limits (``None`` when there is no value)."""
        if value is None:
            return None
        if self.min is not None and value < self.min:
            return False
        return not (self.max is not None and value > self.max)


class FeatureDrift(_Base):
    """Share of drifted columns against the reference (per column results in details)."""

    type: Literal["feature_drift"]
    columns: list[str] | None = None
    max: float | None = 0.0


class PredictionDrift(_Base):
    """Drift of the prediction column's distribution against the first window seen (effect
    size of the kind's default drift method)."""

    type: Literal["prediction_drift"]
    max: float | None = 0.1


class NullRate(_Base):
    """Share of missing values in a column (or the largest over all features)."""

    type: Literal["null_rate"]
    column: str | None = None
    max: float | None = 0.05


class OutOfRange(_Base):
    """Share of a numeric column's values outside the reference's [min, max]."""

    type: Literal["out_of_range"]
    column: str
    max: float | None = 0.01


class UnseenCategories(_Base):
    """Share of a categorical column's values never seen in the reference."""

    type: Literal["unseen_categories"]
    column: str
    max: float | None = 0.01


class RejectedBatches(_Base):
    """Batches refused in the window (by time of receipt): a renamed, retyped or new column
    upstream makes the server refuse whole batches, which this counts."""

    type: Literal["rejected_batches"]
    max: float | None = 0.0


class Volume(_Base):
    """Rows in the window."""

    type: Literal["volume"]


class Confidence(_Base):
    """Mean confidence, the share of predictions below ``below``, or the drift of the
    confidence distribution against the first window (effect size)."""

    type: Literal["confidence"]
    statistic: Literal["mean", "low_share", "drift"] = "mean"
    below: float = 0.5


class Latency(_Base):
    """A latency quantile in milliseconds."""

    type: Literal["latency"]
    quantile: float = Field(default=0.99, gt=0, lt=1)


class ErrorRate(_Base):
    """Share of predictions logged with ``error: true``."""

    type: Literal["error_rate"]
    max: float | None = 0.01


class Performance(_Base):
    """A quality metric once labels arrive (joined by prediction id)."""

    type: Literal["performance"]
    metric: Literal["accuracy", "precision", "recall", "f1", "roc_auc", "rmse", "mae"]
    threshold: float = Field(default=0.5, description="score cut-off for class metrics")
    positive: str = Field(default="1", description="the positive label, as text")


class Fairness(_Base):
    """Difference between segments (fairlearn): demographic parity or equalized odds."""

    type: Literal["fairness"]
    metric: Literal["demographic_parity_difference", "equalized_odds_difference"]
    segment: str
    threshold: float = 0.5
    positive: str = "1"
    max: float | None = 0.1


class Custom(_Base):
    """A metric the user posts per window."""

    type: Literal["custom"]
    metric: str


MonitorSpec = Annotated[
    FeatureDrift
    | PredictionDrift
    | NullRate
    | OutOfRange
    | UnseenCategories
    | RejectedBatches
    | Volume
    | Confidence
    | Latency
    | ErrorRate
    | Performance
    | Fairness
    | Custom,
    Field(discriminator="type"),
]
_ADAPTER: TypeAdapter[MonitorSpec] = TypeAdapter(MonitorSpec)


class SloSpec(BaseModel):
    """A service level objective on a monitor: the share of windows that must be healthy."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    monitor: str
    objective: float = Field(gt=0, lt=1)
    period_days: float = Field(default=30, gt=0, le=366)


class MonitorConfig(BaseModel):
    """A monitors file: ``monitors:`` and ``slos:`` lists."""

    model_config = ConfigDict(extra="forbid")

    monitors: list[MonitorSpec] = Field(default_factory=list)
    slos: list[SloSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> MonitorConfig:
        names = [m.name for m in self.monitors]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"monitor names must be unique; repeated: {', '.join(repeated)}")
        for slo in self.slos:
            if slo.monitor not in names:
                raise ValueError(f"SLO {slo.name!r} names unknown monitor {slo.monitor!r}")
        return self


def _explain(err: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in err.errors()
    )


def parse_monitor(data: Any) -> MonitorSpec:
    """A monitor from plain data, or :class:`MonitorConfigError` saying what is wrong."""
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as err:
        raise MonitorConfigError(f"invalid monitor: {_explain(err)}") from err


def load_config(path: str | Path) -> MonitorConfig:
    """Read a monitors YAML file."""
    import yaml

    p = Path(path)
    if not p.exists():
        raise MonitorConfigError(f"monitors file {str(path)!r} does not exist")
    try:
        data = yaml.safe_load(p.read_text()) or {}
        return MonitorConfig.model_validate(data)
    except yaml.YAMLError as err:
        raise MonitorConfigError(f"{path}: not valid YAML: {err}") from err
    except ValidationError as err:
        raise MonitorConfigError(f"{path}: {_explain(err)}") from err
