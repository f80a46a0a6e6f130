"""What a drill is: a scenario (base data, model, window size, fault) and the ground truth an
on-call person should reach. Small declarative objects, checked when made.

>>> fault = Fault("pipeline_nulls", magnitude=0.4, columns=("credit_score",))
>>> truth = Truth("data_quality", Component("pipeline", "etl.loans_features"),
...               incident=True, monitors=("nulls",))
>>> scenario = Scenario("pipeline", "A silent pipeline failure", "...", fault, truth)
>>> scenario.onset_window(Size.SMALL), scenario.onset_window(Size.FULL)
(12, 24)
>>> Truth("weather", Component("none", ""), incident=False, monitors=())
Traceback (most recent call last):
...
smokejumper.errors.ScenarioError: truth.label 'weather' is not a taxonomy slug; use one of: \
data_drift, label_shift, concept_drift, data_quality, schema_change, training_serving_skew, \
model_regression, misconfigured_threshold, serving_infrastructure, fairness_bias, \
feedback_loop, adversarial_abuse, external_change
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import Literal

from smokejumper.errors import ScenarioError
from smokejumper.incidents.taxonomy import TAXONOMY

#: The kinds of fault a drill can inject (see :mod:`smokejumper.drills.faults`).
FaultKind = Literal[
    "covariate_shift",
    "pipeline_nulls",
    "rescale",
    "new_category",
    "frozen",
    "volume_drop",
    "concept_drift",
    "bad_version",
    "serving_spike",
    "confidence_collapse",
    "label_shift",
    "segment_concept",
]
FAULT_KINDS: tuple[str, ...] = FaultKind.__args__  # type: ignore[attr-defined]

#: What a root cause is: a feature, a pipeline job (with the dataset version it wrote), a model
#: version or alias move, the serving stack, the world, one segment of the traffic (named
#: ``column=value``), or nothing (no fault).
ComponentKind = Literal["feature", "pipeline", "version", "serving", "world", "segment", "none"]
COMPONENT_KINDS: tuple[str, ...] = ComponentKind.__args__  # type: ignore[attr-defined]

_NAME = re.compile(r"^[a-z][a-z0-9_]{1,40}$")


class Size(enum.Enum):
    """How much traffic a drill replays: ``small`` for CI, ``full`` for the benchmark."""

    SMALL = "small"
    FULL = "full"

    @property
    def windows(self) -> int:
        """Windows replayed."""
        return 24 if self is Size.SMALL else 48

    @property
    def rows(self) -> int:
        """Predictions per window (before seasonality or a volume fault)."""
        return 300 if self is Size.SMALL else 500


@dataclass(frozen=True)
class Fault:
    """The failure injected: its ``kind``, where it starts (``onset``: the share of the replayed
    windows before it), its ``magnitude`` (per kind: a share, a factor, a strength), the
    ``columns`` it touches, and ``ramp_windows`` over which it grows (0: all at once). A fault
    confined to one segment (``segment_concept``) names its one column and the ``value`` of it
    that it hits.

    >>> Fault("segment_concept", 1.0, ("region",))
    Traceback (most recent call last):
    ...
    smokejumper.errors.ScenarioError: a segment_concept fault needs one column and its value \
(Fault(..., columns=("region",), value="south"))
    """

    kind: FaultKind
    magnitude: float
    columns: tuple[str, ...] = ()
    onset: float = 0.5
    ramp_windows: int = 0
    value: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ScenarioError(
                f"fault.kind {self.kind!r} is not a fault kind; "
                f"use one of: {', '.join(FAULT_KINDS)}"
            )
        if not 0.2 <= self.onset <= 0.8:
            raise ScenarioError(
                f"fault.onset {self.onset} leaves too few clean or faulty windows; use 0.2 to 0.8"
            )
        if self.ramp_windows < 0:
            raise ScenarioError(f"fault.ramp_windows must be 0 or more, got {self.ramp_windows}")
        if self.kind == "segment_concept" and (len(self.columns) != 1 or not self.value):
            raise ScenarioError(
                "a segment_concept fault needs one column and its value "
                '(Fault(..., columns=("region",), value="south"))'
            )

    def strength(self, window: int, onset: int) -> float:
        """How much of the fault is present in ``window`` (0 before the onset, then up to 1).

        >>> Fault("covariate_shift", 1.0, ("age",), ramp_windows=4).strength(13, 12)
        0.5
        """
        if window < onset:
            return 0.0
        if self.ramp_windows == 0:
            return 1.0
        return min(1.0, (window - onset + 1) / self.ramp_windows)


@dataclass(frozen=True)
class Component:
    """The root-cause component of a drill's truth: its ``kind`` and ``name`` (a feature, a
    pipeline job, a model alias), and for a pipeline or a version the ``version`` involved."""

    kind: ComponentKind
    name: str
    version: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in COMPONENT_KINDS:
            raise ScenarioError(
                f"truth.component.kind {self.kind!r} is not one of: {', '.join(COMPONENT_KINDS)}"
            )


@dataclass(frozen=True)
class Truth:
    """What an on-call person should conclude: the taxonomy ``label`` (a slug), the root-cause
    ``component``, whether an ``incident`` must open, and the ``monitors`` of the drill's
    monitor suite (short names, see :mod:`smokejumper.drills.monitors`) that should catch it."""

    label: str | None
    component: Component
    incident: bool
    monitors: tuple[str, ...]

    def __post_init__(self) -> None:
        slugs = [t.slug for t in TAXONOMY]
        if self.label is None and self.incident:
            raise ScenarioError("truth.label is required when an incident must open")
        if self.label is not None and self.label not in slugs:
            raise ScenarioError(
                f"truth.label {self.label!r} is not a taxonomy slug; use one of: {', '.join(slugs)}"
            )


@dataclass(frozen=True)
class Scenario:
    """One drill: a ``name`` (a slug), a ``title`` and a ``story`` for people, the ``fault``
    (None for a scenario without one), the ``truth``, the ``base`` data, the window size in
    seconds and whether traffic follows a daily ``seasonal`` pattern (present in the
    reference too)."""

    name: str
    title: str
    story: str
    fault: Fault | None
    truth: Truth
    base: str = "loans"
    window_seconds: int = 3600
    seasonal: bool = False
    tags: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ScenarioError(
                f"scenario name {self.name!r} must be 2 to 41 lowercase letters, digits or _"
            )
        if self.fault is None and self.truth.incident:
            raise ScenarioError(f"scenario {self.name}: no fault, yet its truth wants an incident")
        if self.window_seconds < 60 or (3600 % self.window_seconds and self.window_seconds % 3600):
            raise ScenarioError(
                f"scenario {self.name}: window_seconds {self.window_seconds} must divide an hour "
                "or be whole hours"
            )

    def onset_window(self, size: Size) -> int | None:
        """The index of the first faulty window (None without a fault)."""
        if self.fault is None:
            return None
        return round(size.windows * self.fault.onset)
