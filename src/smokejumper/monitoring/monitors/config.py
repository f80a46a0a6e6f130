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

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    model_validator,
)

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


#: Where a problem is in a monitors document: keys and list indexes, as pydantic's ``loc``.
Location = tuple[str | int, ...]
#: Validation context under which a :class:`MonitorConfig` leaves its cross-references
#: unchecked, for a caller that checks them with :meth:`MonitorConfig.reference_problems`
#: (to say where in the file each problem is).
DEFER_REFERENCES = "defer_references"


class MonitorConfig(BaseModel):
    """A monitors file: ``monitors:`` and ``slos:`` lists.

    >>> MonitorConfig.model_validate({"monitors": [
    ...     {"name": "v", "model": "churn", "type": "volume"},
    ...     {"name": "v", "model": "fraud", "type": "volume"}]})
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for MonitorConfig
      Value error, monitor name 'v' is used twice (monitors[0] and monitors[1]); monitor names \
must be unique [type=value_error, input_value={'monitors': [...]}, input_type=dict]
    ...
    """

    model_config = ConfigDict(extra="forbid")

    monitors: list[MonitorSpec] = Field(default_factory=list)
    slos: list[SloSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self, info: ValidationInfo) -> MonitorConfig:
        if not (isinstance(info.context, dict) and info.context.get(DEFER_REFERENCES)):
            problems = self.reference_problems()
            if problems:
                raise ValueError(problems[0][1])
        return self

    def reference_problems(self) -> list[tuple[Location, str]]:
        """Monitor names used twice and SLOs on monitors the file does not declare, each with
        where it is (the second use of a name; the SLO's ``monitor``).

        >>> config = MonitorConfig.model_validate(
        ...     {"slos": [{"name": "s", "monitor": "p99", "objective": 0.99}]},
        ...     context={DEFER_REFERENCES: True})
        >>> config.reference_problems()
        [(('slos', 0, 'monitor'), "SLO 's' names unknown monitor 'p99' (declared: none)")]
        """
        problems: list[tuple[Location, str]] = []
        first: dict[str, int] = {}
        for i, spec in enumerate(self.monitors):
            if spec.name in first:
                problems.append(
                    (
                        ("monitors", i, "name"),
                        f"monitor name {spec.name!r} is used twice (monitors[{first[spec.name]}] "
                        f"and monitors[{i}]); monitor names must be unique",
                    )
                )
            first.setdefault(spec.name, i)
        for j, slo in enumerate(self.slos):
            if slo.monitor not in first:
                known = ", ".join(sorted(first)) or "none"
                problems.append(
                    (
                        ("slos", j, "monitor"),
                        f"SLO {slo.name!r} names unknown monitor {slo.monitor!r} "
                        f"(declared: {known})",
                    )
                )
        return problems


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
    """Read a YAML file of monitors and SLOs only. ``serve --config`` reads its file, which may
    also hold the alerting configuration, with
    :func:`smokejumper.service.config_file.load_config_file` (errors with their lines)."""
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
