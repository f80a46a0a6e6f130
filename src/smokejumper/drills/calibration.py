"""How well the diagnosis's confidences match how often its hypotheses are right (pure).

Every hypothesis of a drill run with an incident is judged against the drill's truth: right
when it names the true component (:func:`~smokejumper.drills.scoring.rank_of` on it alone).
Over many runs, a calibrated confidence of 0.7 is right about 70 % of the time. This module
measures that (a reliability table, the Brier score, the expected calibration error) and fits
the logistic that maps a hypothesis's points to its confidence
(:func:`smokejumper.rca.hypotheses.confidence`) by maximum likelihood (Platt scaling), for
``benchmarks/rca_calibration.py``.

>>> judged = [Judged(3.0, 0.9, True), Judged(3.2, 0.9, True), Judged(0.5, 0.2, False),
...           Judged(0.8, 0.2, True), Judged(0.2, 0.1, False)]
>>> [(b.low, b.count, b.right) for b in reliability(judged, bins=2)]
[(0.0, 3, 1), (0.5, 2, 2)]
>>> round(brier(judged), 3)
0.142
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import minimize

from smokejumper.drills.scenario import Component
from smokejumper.drills.scoring import rank_of


@dataclass(frozen=True)
class Judged:
    """A hypothesis's points and confidence, and whether it named the truth."""

    points: float
    confidence: float
    right: bool


def judge(
    hypotheses: Sequence[Mapping[str, Any]], component: Component, label: str | None
) -> tuple[Judged, ...]:
    """Each hypothesis judged against the truth (``component``, and ``label`` for a change in
    the world), in the diagnosis's order.

    >>> judge([{"title": "job etl.x wrote few rows", "points": 3.1, "confidence": 0.8},
    ...        {"title": "drift in age", "points": 1.0, "confidence": 0.2}],
    ...       Component("pipeline", "etl.x"), None)
    (Judged(points=3.1, confidence=0.8, right=True), Judged(points=1.0, confidence=0.2, \
right=False))
    """
    return tuple(
        Judged(
            float(h.get("points", 0.0)),
            float(h.get("confidence", 0.0)),
            rank_of([h], component, label) == 1,
        )
        for h in hypotheses
    )


@dataclass(frozen=True)
class Bin:
    """Hypotheses with a confidence in ``[low, high)`` (the last bin includes 1)."""

    low: float
    high: float
    count: int
    right: int
    mean_confidence: float

    @property
    def share_right(self) -> float:
        """How many of them were right."""
        return self.right / self.count if self.count else 0.0


def reliability(judged: Sequence[Judged], bins: int = 5) -> list[Bin]:
    """The reliability table: confidences in ``bins`` equal-width bins, with how many of each
    bin's hypotheses were right (empty bins left out)."""
    out = []
    for k in range(bins):
        low, high = k / bins, (k + 1) / bins
        inside = [
            j for j in judged if low <= j.confidence < high or (k == bins - 1 and j.confidence == 1)
        ]
        if inside:
            mean = sum(j.confidence for j in inside) / len(inside)
            out.append(Bin(low, high, len(inside), sum(j.right for j in inside), mean))
    return out


def reliability_table(judged: Sequence[Judged], bins: int = 5) -> list[str]:
    """The reliability table as Markdown lines.

    >>> reliability_table([Judged(1, 0.9, True), Judged(1, 0.7, False)])[2:]
    ['| 0.6-0.8 | 1 | 0.70 | 0 (0%) |', '| 0.8-1.0 | 1 | 0.90 | 1 (100%) |']
    """
    lines = ["| confidence | hypotheses | mean confidence | right |", "|---|---|---|---|"]
    lines += [
        f"| {b.low:.1f}-{b.high:.1f} | {b.count} | {b.mean_confidence:.2f} | "
        f"{b.right} ({b.share_right:.0%}) |"
        for b in reliability(judged, bins)
    ]
    return lines


def brier(judged: Sequence[Judged]) -> float:
    """The mean squared gap between confidence and outcome (0 is perfect)."""
    return sum((j.confidence - j.right) ** 2 for j in judged) / len(judged)


def expected_calibration_error(judged: Sequence[Judged], bins: int = 5) -> float:
    """The bins' gaps between mean confidence and share right, weighted by their size.

    >>> expected_calibration_error([Judged(1, 0.9, True), Judged(1, 0.9, False)], bins=5)
    0.4
    """
    table = reliability(judged, bins)
    return round(
        sum(b.count * abs(b.mean_confidence - b.share_right) for b in table) / len(judged), 6
    )


def log_loss(judged: Sequence[Judged], midpoint: float, scale: float) -> float:
    """The mean negative log-likelihood of the outcomes under the logistic of the points
    (``midpoint``, ``scale``), as :func:`smokejumper.rca.hypotheses.confidence` maps them."""
    total = 0.0
    for j in judged:
        p = 1.0 / (1.0 + math.exp(-(j.points - midpoint) / scale))
        p = min(max(p, 1e-12), 1 - 1e-12)
        total -= math.log(p) if j.right else math.log(1 - p)
    return total / len(judged)


def fit_logistic(judged: Sequence[Judged]) -> tuple[float, float]:
    """The ``(midpoint, scale)`` of the logistic of the points that best predicts the outcomes
    (maximum likelihood; Platt scaling on the points).

    >>> rng = np.random.default_rng(0)
    >>> points = rng.uniform(-2, 6, 4000)
    >>> right = rng.random(4000) < 1 / (1 + np.exp(-(points - 2.5) / 0.7))
    >>> m, s = fit_logistic([Judged(float(p), 0.0, bool(r)) for p, r in zip(points, right)])
    >>> abs(m - 2.5) < 0.15, abs(s - 0.7) < 0.1
    (True, True)
    """
    x = np.array([j.points for j in judged], dtype=float)
    y = np.array([j.right for j in judged], dtype=float)
    if y.min() == y.max():
        raise ValueError("every hypothesis was right, or none was: nothing to fit")

    def loss(theta: np.ndarray) -> float:
        # theta: (a, b) with p = sigmoid(a * x + b); a = 1/scale, b = -midpoint/scale
        z = theta[0] * x + theta[1]
        return float(np.mean(np.logaddexp(0.0, z) - y * z))

    found = minimize(loss, np.array([1.0, 0.0]), method="BFGS")
    a, b = (float(v) for v in found.x)
    if a <= 0:
        raise ValueError("more points did not mean more often right: the fit is not a logistic")
    return -b / a, 1.0 / a
