"""Monitor declarations, in YAML or JSON: one monitor, or a file of monitors and SLOs.

A declaration's ``type`` picks its spec class among the registered monitor types.

>>> spec = parse_monitor({"name": "p99", "model": "churn", "type": "latency", "quantile": 0.99,
...                       "max": 250})
>>> spec.type, spec.limit_text()
('latency', 'value <= 250')
"""

from __future__ import annotations

import functools
import operator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from smokejumper.errors import MonitorConfigError
from smokejumper.monitoring.monitors.base import MonitorType, monitor_types
from smokejumper.monitoring.text import Text

if TYPE_CHECKING:
    #: Any registered monitor type (to a type checker, their common base).
    MonitorSpec = MonitorType
else:
    MonitorSpec = Annotated[
        functools.reduce(operator.or_, monitor_types().values()), Field(discriminator="type")
    ]
_ADAPTER: TypeAdapter[MonitorSpec] = TypeAdapter(MonitorSpec)


class SloSpec(BaseModel):
    """A service level objective on a monitor: the share of windows that must be healthy."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    name: Text = Field(min_length=1, max_length=200)
    monitor: Text
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
