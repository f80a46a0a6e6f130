"""The one interface every monitor type implements, and the registry that finds them.

A monitor type is one module of this package holding one spec class: a pydantic model with a
``type`` literal and the type's own fields, the flags saying what it reads, an ``example`` of its
fields, and :meth:`MonitorType.measure`, its value on a window. :func:`register` checks the class
and adds it; :func:`monitor_types` imports every module of the package once, so that each
registers itself.

>>> list(monitor_types())[:3]
['feature_drift', 'prediction_drift', 'null_rate']
>>> monitor_types()["latency"].needs_rows
True
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
import re
from abc import abstractmethod
from collections.abc import Mapping, Sequence
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    ClassVar,
    Literal,
    Self,
    TypeVar,
    get_args,
    get_origin,
)

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from smokejumper.errors import RegistrationError
from smokejumper.monitoring.monitors.window import WindowData
from smokejumper.monitoring.text import Text, check_text

#: A monitor's value on a window (``None`` when it has none) and how it was reached; a value of
#: ``None`` comes with a ``reason``.
Measurement = tuple[float | None, dict[str, Any]]

#: The type's own fields of an example spec (see :attr:`MonitorType.example`).
Example = dict[str, Any]

#: The parts of a window a monitor may read (the fields of :class:`WindowData`, by what loads
#: them): the logged rows, the merged profile, the model's reference profile, the labels, the
#: first window with rows, the custom metrics posted, the batches refused, and the reference's
#: phase profiles (seasonal monitors, :mod:`smokejumper.monitoring.seasons`).
Part = Literal[
    "rows", "profile", "reference", "labels", "baseline", "custom", "rejections", "phases"
]


#: Label names Smokejumper sets on a monitor's alert, so a monitor's own ``labels`` may not use
#: them. The same names as ``smokejumper.alerting.sources.RESERVED`` (monitoring and alerting
#: are sibling layers and may not import each other; a test checks that the two agree).
RESERVED_LABELS = frozenset(
    {
        "alertname",
        "model",
        "version",
        "monitor",
        "type",
        "column",
        "severity",
        "team",
        "slo",
        "source",
    }
)
#: A label name as Prometheus and Alertmanager allow it.
LABEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: A severity: one word (``page``, ``critical``, ``warning``, ``ticket``, ``info``...).
SEVERITY = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


def no_value(reason: str) -> Measurement:
    """No value, and why."""
    return None, {"reason": reason}


def share(count: int, total: int) -> float | None:
    """``count / total``, or ``None`` of nothing."""
    return count / total if total else None


def _describe(schema: dict[str, Any], cls: type[Any]) -> None:
    """A type's JSON schema describes it with its docstring up to the example."""
    text = inspect.cleandoc(cls.__doc__ or "")
    schema["description"] = text.split("\n>>>", 1)[0].strip()


class MonitorType(BaseModel):
    """What every monitor declares (name, model, healthy range) and does (measure a window).

    A subclass adds ``type: Literal["its_name"]`` and its own fields, sets the class attributes
    below, implements :meth:`measure`, and is decorated with :func:`register` in a module of
    this package named after its type. The package builds the union of the types (``MonitorSpec``)
    once, when it is imported, from every type registered by then.

    >>> import pyarrow as pa
    >>> from datetime import UTC, datetime
    >>> class Rows(MonitorType):
    ...     "Rows in the window."
    ...     type: Literal["rows"]
    ...     needs_rows = False
    ...     reads = frozenset({"rows"})
    ...     example = {"min": 1}
    ...     def measure(self, window):
    ...         return float(window.predictions.num_rows), {}
    >>> spec = Rows(name="traffic", model="churn", type="rows", min=1)
    >>> value, _ = spec.measure(WindowData(datetime(2026, 1, 1, tzinfo=UTC), pa.table({})))
    >>> spec.limit_text(), spec.healthy(value)
    ('value >= 1', False)

    Every monitor also says what its alert carries (none of it changes what it measures):
    ``severity`` (default ``warning``), ``for_windows`` (unhealthy windows in a row before it
    fires, default 1), its own ``labels`` (not the names of :data:`RESERVED_LABELS`), a
    ``runbook_url`` and a ``team``.

    >>> paged = Rows(name="traffic", model="churn", type="rows", severity="page", for_windows=3,
    ...              labels={"tier": "gold"}, team="ml")
    >>> paged.severity, paged.for_windows, spec.severity, spec.for_windows
    ('page', 3, 'warning', 1)
    >>> Rows(name="traffic", model="churn", type="rows", labels={"model": "other"})
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for Rows
    labels
      Value error, label 'model' is set by Smokejumper (reserved: alertname, column, model, \
monitor, severity, slo, source, team, type, version); choose another name [type=value_error, \
input_value={'model': 'other'}, input_type=dict]
    ...
    """

    # NaN or an infinity as a limit or parameter is refused: a NaN ``max`` would be no bound at all
    model_config = ConfigDict(extra="forbid", json_schema_extra=_describe, allow_inf_nan=False)

    name: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    model: Text
    min: float | None = None  # the observation is healthy when value >= min ...
    max: float | None = None  # ... and value <= max
    # What the monitor's alert says (docs/alerting.md); none of it changes how it measures.
    #: The alert's ``severity`` label, which routes match on.
    severity: str = Field(default="warning", min_length=1, max_length=50, pattern=SEVERITY)
    #: The alert fires after this many unhealthy windows in a row (windows without a verdict
    #: are skipped) and resolves at the first healthy one.
    for_windows: int = Field(default=1, ge=1, le=10_000, strict=True)
    #: The alert's own labels (besides those Smokejumper sets: :data:`RESERVED_LABELS`).
    labels: dict[Text, Text] = Field(default_factory=dict, max_length=50)
    #: A link for the people paged: what to do when this monitor fires.
    runbook_url: str | None = Field(default=None, max_length=2000)
    #: The alert's ``team`` label.
    team: Annotated[str, Field(min_length=1, max_length=200), AfterValidator(check_text)] | None = (
        None
    )
    if TYPE_CHECKING:  # each type declares its own literal, which the union discriminates on
        type: str

    #: Whether a window without rows gives no value (:data:`NO_ROWS`) without measuring.
    needs_rows: ClassVar[bool]
    #: The parts of a window the type reads (see :meth:`parts_read` for the per-spec answer).
    reads: ClassVar[frozenset[Part]]
    #: The type's own fields for a valid example (``name``, ``model`` and ``type`` are added).
    #: Examples name the columns of the example window the shared tests build: ``age``
    #: (numeric), ``plan`` (categorical, also the segment), the logged ``prediction`` (a
    #: score), ``confidence``, ``latency_ms`` and ``error``, labels ``"0"``/``"1"``, and the
    #: custom metric ``revenue``.
    example: ClassVar[Example]

    @field_validator("labels")
    @classmethod
    def _own_labels(cls, labels: dict[str, str]) -> dict[str, str]:
        for name, value in labels.items():
            if not LABEL_NAME.fullmatch(name) or name.startswith("__"):
                raise ValueError(
                    f"label name {name!r} is not valid: use letters, digits and '_', not "
                    "starting with a digit or with '__'"
                )
            if name in RESERVED_LABELS:
                raise ValueError(
                    f"label {name!r} is set by Smokejumper (reserved: "
                    f"{', '.join(sorted(RESERVED_LABELS))}); choose another name"
                    + (f", or use the monitor's own field {name!r}" if name in _FIELDS else "")
                )
            if not value or len(value) > 1000:
                raise ValueError(
                    f"label {name!r} must have a value of 1 to 1000 characters "
                    "(an empty value is no label: leave it out)"
                )
        return labels

    @field_validator("runbook_url")
    @classmethod
    def _link(cls, url: str | None) -> str | None:
        if url is not None and not re.fullmatch(r"https?://[^\s/]\S*", url):
            raise ValueError(
                f"runbook_url {url!r} is not a link: give a full http:// or https:// address"
            )
        return url

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

    def judge(self, value: float | None, details: Mapping[str, Any]) -> bool | None:
        """The window's verdict from its measurement: :meth:`healthy` of ``value`` unless the
        type knows better from ``details`` (prediction drift also asks the drift verdict)."""
        return self.healthy(value)

    def parts_read(self) -> frozenset[Part]:
        """The parts of a window this monitor reads (its type's, unless its fields say more)."""
        return self.reads

    @classmethod
    def plan(cls, specs: Sequence[Self], window: WindowData) -> None:
        """Before the window's monitors of this type are measured, agree on what they can
        share (in ``window.memo``). Nothing by default."""

    @abstractmethod
    def measure(self, window: WindowData) -> Measurement:
        """The monitor's value on ``window`` (which has rows, if :attr:`needs_rows`)."""


#: The order in which the types are listed (in the union, so in pydantic's messages naming the
#: expected tags). These are the types as first released; any other follows in name order.
LISTED = (
    "feature_drift",
    "prediction_drift",
    "null_rate",
    "out_of_range",
    "unseen_categories",
    "rejected_batches",
    "volume",
    "confidence",
    "latency",
    "error_rate",
    "performance",
    "fairness",
    "custom",
)

#: Reserved label names the monitor sets with a field of its own.
_FIELDS = frozenset({"severity", "team"})

_REGISTRY: dict[str, type[MonitorType]] = {}
_T = TypeVar("_T", bound=type[MonitorType])


def type_name(cls: type[MonitorType]) -> str:
    """The value of the ``type`` field of ``cls``, or :class:`RegistrationError`."""
    field = cls.model_fields.get("type")
    values = get_args(field.annotation) if field else ()
    if field is None or get_origin(field.annotation) is not Literal or len(values) != 1:
        raise RegistrationError(
            f"monitor type {cls.__name__} needs a field 'type' declared as one literal string, "
            'such as type: Literal["my_type"]'
        )
    if not isinstance(values[0], str) or not values[0]:
        raise RegistrationError(f"monitor type {cls.__name__}: 'type' must be a non-empty string")
    return values[0]


def register(cls: _T) -> _T:
    """Class decorator: validate a monitor type and add it to the registry."""
    if not (isinstance(cls, type) and issubclass(cls, MonitorType)):
        raise RegistrationError(f"{cls!r} is not a subclass of MonitorType")
    name = type_name(cls)
    if name in _REGISTRY:
        known = _REGISTRY[name]
        raise RegistrationError(
            f"a monitor type named {name!r} is already registered "
            f"({known.__module__}.{known.__qualname__}); give {cls.__qualname__} another type"
        )
    missing = [a for a in ("needs_rows", "reads", "example") if not hasattr(cls, a)]
    if not (cls.__doc__ or "").strip() or "__doc__" not in vars(cls):
        missing.append("a docstring")
    if inspect.isabstract(cls):
        missing.append("measure()")
    if missing:
        raise RegistrationError(
            f"monitor type {name!r} ({cls.__qualname__}) lacks {', '.join(missing)}"
        )
    try:
        cls.model_validate({"name": "example", "model": "model", "type": name, **cls.example})
    except ValidationError as err:
        raise RegistrationError(
            f"the example of monitor type {name!r} is not valid: {err}"
        ) from err
    _REGISTRY[name] = cls
    return cls


#: Modules of this package that hold no monitor type.
_FRAMEWORK = frozenset({"base", "window", "labels", "baseline", "config", "evaluation"})


@functools.cache
def _discover() -> None:
    """Import every type module once, so that each registers itself."""
    package = __name__.rsplit(".", 1)[0]
    for info in pkgutil.iter_modules(importlib.import_module(package).__path__):
        if info.name not in _FRAMEWORK:
            importlib.import_module(f"{package}.{info.name}")


def _listing(name: str) -> tuple[int, str]:
    return (LISTED.index(name) if name in LISTED else len(LISTED), name)


def monitor_types() -> dict[str, type[MonitorType]]:
    """Every registered monitor type by its ``type``, in listing order (see :data:`LISTED`)."""
    _discover()
    return {name: _REGISTRY[name] for name in sorted(_REGISTRY, key=_listing)}
