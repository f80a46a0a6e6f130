"""Evidence: one typed, scored fact a collector found, linked to what is behind it.

A piece of evidence either names a **cause** (a candidate root cause: a pipeline run, a
change, an alias move, a world change...) or is a **symptom** that is consistent with some
kinds of cause (``supports``: taxonomy slugs) and argues against others (``refutes``). Its
``points`` are ``weight * strength``: ``strength`` in [0, 1] says how clear the signal is,
``weight`` how much such a signal counts at full strength (each collector states its weights).

>>> from datetime import UTC, datetime
>>> run = Cause("run:r5", "data_quality", "data", "etl/churn_features wrote 950 rows",
...             next_step="compare snap-4 with snap-3", mitigation="quarantine snap-4")
>>> e = Evidence("lineage", "row_count_low", "950 rows, usual 10,000", 0.9, 2.0, cause=run,
...              refs=(Ref("run", "r5"),))
>>> e.points, e.is_symptom
(1.8, False)
>>> e.to_dict()["refs"]
[{'kind': 'run', 'id': 'r5'}]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from smokejumper.errors import InputError
from smokejumper.incidents import taxonomy_label

#: The fishbone's categories (the same as ``smokejumper.postmortems.sections.CATEGORIES``;
#: a test checks they agree: post-mortems sit above this package and may not be imported).
CATEGORIES = ("data", "model", "infrastructure", "external", "process")

#: What a reference may point at.
REF_KINDS = (
    "observation",
    "change",
    "run",
    "event",
    "alert",
    "window",
    "segment",
    "dataset",
    "hypothesis",
)


@dataclass(frozen=True)
class Ref:
    """What lies behind a piece of evidence: an ``observation`` (id), a ``change`` (its key),
    a pipeline ``run`` (its run id), a timeline ``event``, an ``alert`` (fingerprint), a
    ``window`` (its start), a ``segment`` (``column=value``) or a ``dataset``
    (``namespace/name``, with ``version``)."""

    kind: str
    id: str
    detail: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in REF_KINDS:
            raise InputError(f"evidence ref kind {self.kind!r} is not one of {REF_KINDS}")

    def to_dict(self) -> dict[str, str]:
        """``{kind, id}`` (and ``detail`` when set)."""
        out = {"kind": self.kind, "id": self.id}
        if self.detail is not None:
            out["detail"] = self.detail
        return out


@dataclass(frozen=True)
class Cause:
    """A candidate root cause: its ``key`` (the same cause found by two collectors has one
    key: ``run:<run id>``, ``change:<change key>``, ``drift:<model>``...), its taxonomy
    ``label`` (a slug), its fishbone ``category``, a ``title`` saying what it is, the
    ``next_step`` to check it and a suggested ``mitigation``; ``subject`` names what it is
    about (job, dataset, version, change, alias...)."""

    key: str
    label: str
    category: str
    title: str
    next_step: str = ""
    mitigation: str = ""
    subject: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        taxonomy_label(self.label)  # an unknown label is a programming error, named
        if self.category not in CATEGORIES:
            raise InputError(f"category {self.category!r} is not one of {CATEGORIES}")


@dataclass(frozen=True)
class Evidence:
    """One fact (see the module docstring)."""

    collector: str
    kind: str
    summary: str
    strength: float
    weight: float
    cause: Cause | None = None
    supports: tuple[str, ...] = ()
    refutes: tuple[str, ...] = ()
    refs: tuple[Ref, ...] = ()
    at: datetime | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 0.0 <= self.strength <= 1.0 or math.isnan(self.strength):
            raise InputError(f"{self.collector}: strength {self.strength} is not in [0, 1]")
        for slug in (*self.supports, *self.refutes):
            taxonomy_label(slug)

    @property
    def points(self) -> float:
        """What it adds to a hypothesis it is about: ``weight * strength``."""
        return round(self.weight * self.strength, 6)

    @property
    def is_symptom(self) -> bool:
        """Whether it names no cause (it supports or refutes kinds of cause)."""
        return self.cause is None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "collector": self.collector,
            "kind": self.kind,
            "summary": self.summary,
            "strength": round(self.strength, 4),
            "weight": self.weight,
            "points": self.points,
            "cause": None if self.cause is None else self.cause.key,
            "supports": list(self.supports),
            "refutes": list(self.refutes),
            "refs": [r.to_dict() for r in self.refs],
            "at": None if self.at is None else self.at.isoformat(),
            "details": dict(self.details),
        }


def proximity(at: datetime, onset: datetime, tau: timedelta, grace: timedelta) -> float:
    """How close ``at`` is before ``onset``: 1 within ``grace`` either side (a change inside
    the onset's window may be its cause), then ``exp(-(onset - at) / tau)``; 0 after the
    grace.

    >>> from datetime import UTC, datetime, timedelta
    >>> t = datetime(2026, 11, 1, 3, tzinfo=UTC)
    >>> hour = timedelta(hours=1)
    >>> [round(proximity(t - k * hour, t, 3 * hour, hour), 3) for k in (0, 1, 2, 6)]
    [1.0, 1.0, 0.717, 0.189]
    >>> proximity(t + 2 * hour, t, 3 * hour, hour)
    0.0
    """
    gap = onset - at
    if gap < -grace:
        return 0.0
    if gap <= grace:
        return 1.0
    return math.exp(-((gap - grace) / tau))


def clamp(value: float) -> float:
    """``value`` kept within [0, 1] (NaN as 0)."""
    if math.isnan(value):
        return 0.0
    return min(1.0, max(0.0, value))
