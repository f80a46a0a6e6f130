"""Hypotheses: evidence combined into ranked candidate causes, with an explainable score.

Every cause some evidence names is a hypothesis. Its **points** are the sum of

* the points of each piece of evidence naming it (``weight * strength``; two collectors
  finding the same cause add up: lineage traversal and change correlation both name a
  broken run);
* the points of each symptom that *supports* its taxonomy label, times
  :data:`SYMPTOM_SHARE`, at most :data:`SYMPTOM_CAP` per collector (fifty drifted features
  are one fact about drift, not fifty). A symptom is explained once: among the hypotheses of
  one label, the one with the most points of its own gets the full share, each other one the
  share times its own points over that one's (a broken run found by lineage takes the null
  spike it explains; the same job's runs around it, named only for their time, take a part);
* minus the points of each symptom that *refutes* its label (same cap, in full).

Its **confidence** maps the points through a logistic, ``1 / (1 + exp(-(points -``
:data:`MIDPOINT` ``) /`` :data:`SCALE` ``))``, fitted by maximum likelihood to how often
hypotheses named the true cause in drills the bench does not score (``benchmarks/
rca_calibration.py``, seeds 100 to 102, 120 hypotheses; the drill bench's own runs are the
held-out check of its reliability): a hypothesis of about 2.2 points is right about half the
time, one of 3 points (a clear cause with a matching symptom) nearly always. Calibrated on the
drills' faults, it is a probability for failures like them, a rougher one elsewhere.
Hypotheses are ranked by points (then by key, so the order is stable), and each lists every
piece of evidence that moved its score with the points it added (``contributions``).

>>> from smokejumper.rca.evidence import Cause, Evidence
>>> run = Cause("run:r5", "data_quality", "data", "etl wrote 950 rows")
>>> move = Cause("change:m1", "model_regression", "model", "champion: v1 -> v2")
>>> found = [
...     Evidence("lineage", "first_anomalous_run", "950 rows", 0.9, 2.0, cause=run),
...     Evidence("changes", "change_before_onset", "alias move", 0.6, 1.5, cause=move),
...     Evidence("data_quality", "null_spike", "age null 50%", 1.0, 1.0,
...              supports=("data_quality",)),
... ]
>>> ranked = combine("INC-1", found)
>>> [(h.cause.key, h.points) for h in ranked]
[('run:r5', 2.8), ('change:m1', 0.9)]
>>> [c["points"] for c in ranked[0].contributions]
[1.8, 1.0]

A second run of the same job, named only by its time before the onset, shares the null spike in
proportion (0.9 of the broken run's 1.8 points of its own):

>>> near = Cause("run:r6", "data_quality", "data", "etl wrote 1,000 rows")
>>> found.append(Evidence("changes", "run_before_onset", "ran 1 h before", 0.6, 1.5, cause=near))
>>> [(h.cause.key, h.points) for h in combine("INC-1", found)]
[('run:r5', 2.8), ('run:r6', 1.4), ('change:m1', 0.9)]
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from smokejumper.incidents import taxonomy_label
from smokejumper.rca.evidence import Cause, Evidence

#: The logistic's midpoint and scale (points), fitted by benchmarks/rca_calibration.py.
MIDPOINT = 2.17
SCALE = 0.31
#: The share of a supporting symptom's points a hypothesis gets, and the most one collector's
#: symptoms add to (or take from) one hypothesis.
SYMPTOM_SHARE = 1.0
SYMPTOM_CAP = 1.5


def confidence(points: float) -> float:
    """The logistic of ``points`` (see the module docstring).

    >>> [confidence(p) for p in (0.0, 2.0, 4.0)]
    [0.0009, 0.3662, 0.9973]
    """
    return round(1.0 / (1.0 + math.exp(-(points - MIDPOINT) / SCALE)), 4)


def hypothesis_id(incident_id: str, key: str) -> str:
    """A stable id of the hypothesis ``key`` of an incident (the same across diagnoses).

    >>> hypothesis_id("INC-1", "run:r5")
    'H-cb50cd8372'
    """
    digest = hashlib.sha256(f"{incident_id}\x00{key}".encode()).hexdigest()
    return f"H-{digest[:10]}"


@dataclass(frozen=True)
class Hypothesis:
    """A candidate root cause with its points, confidence and the evidence behind them."""

    id: str
    rank: int
    cause: Cause
    points: float
    confidence: float
    evidence: tuple[Evidence, ...]
    contributions: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data, as the API answers it."""
        c = self.cause
        return {
            "id": self.id,
            "rank": self.rank,
            "key": c.key,
            "title": c.title,
            "label": c.label,
            "label_name": taxonomy_label(c.label).name,
            "category": c.category,
            "points": self.points,
            "confidence": self.confidence,
            "next_step": c.next_step,
            "mitigation": c.mitigation,
            "subject": dict(c.subject),
            "contributions": [dict(x) for x in self.contributions],
            "evidence": [e.to_dict() for e in self.evidence],
        }


def _contribution(e: Evidence, points: float, how: str) -> dict[str, Any]:
    return {
        "collector": e.collector,
        "kind": e.kind,
        "summary": e.summary,
        "how": how,
        "points": round(points, 6),
    }


def combine(incident_id: str, evidence: Sequence[Evidence]) -> list[Hypothesis]:
    """The hypotheses ``evidence`` supports, best first (see the module docstring)."""
    causes: dict[str, Cause] = {}
    best: dict[str, float] = {}
    for e in evidence:
        if e.cause is not None and e.points >= best.get(e.cause.key, -1.0):
            causes[e.cause.key], best[e.cause.key] = e.cause, e.points
    symptoms = [e for e in evidence if e.is_symptom and e.points > 0]
    own_of = {
        key: [e for e in evidence if e.cause is not None and e.cause.key == key] for key in causes
    }
    own_points = {key: sum(e.points for e in own) for key, own in own_of.items()}
    strongest: dict[str, float] = {}
    for key, cause in causes.items():
        strongest[cause.label] = max(strongest.get(cause.label, 0.0), own_points[key])
    out = []
    for key, cause in causes.items():
        own = own_of[key]
        parts = [_contribution(e, e.points, "names this cause") for e in own]
        used = list(own)
        top = strongest[cause.label]
        explained = own_points[key] / top if top > 0 else 1.0
        for sign, attr, how in ((1, "supports", "supports"), (-1, "refutes", "refutes")):
            share = SYMPTOM_SHARE * (explained if sign > 0 else 1.0)
            by_collector: dict[str, float] = {}
            for e in symptoms:
                if cause.label not in getattr(e, attr):
                    continue
                room = SYMPTOM_CAP - by_collector.get(e.collector, 0.0)
                points = min(room, e.points * share)
                if points <= 0:
                    continue
                by_collector[e.collector] = by_collector.get(e.collector, 0.0) + points
                parts.append(_contribution(e, sign * points, f"{how} {cause.label}"))
                used.append(e)
        total = round(sum(p["points"] for p in parts), 6)
        out.append((total, key, cause, tuple(used), tuple(parts)))
    out.sort(key=lambda h: (-h[0], h[1]))
    return [
        Hypothesis(
            hypothesis_id(incident_id, key), rank, cause, total, confidence(total), used, parts
        )
        for rank, (total, key, cause, used, parts) in enumerate(out, start=1)
    ]
