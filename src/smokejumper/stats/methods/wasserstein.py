"""Wasserstein-1 (earth mover's) distance, in reference standard deviations.

On raw data the distance agrees with ``scipy.stats.wasserstein_distance``. From profiles it is
bracketed bin by bin: inside a bin both CDFs are monotone between their values at the edges,
which bounds the area between them from above and below; the report gives the interpolated
estimate with the larger distance to either bracket as its bound. A reference with zero spread
gives the distance in the column's own units, with a note.

>>> import numpy as np
>>> round(wasserstein(np.array([0.0, 1.0]), np.array([1.0, 2.0])), 6)
1.0
"""

from __future__ import annotations

import math

import numpy as np

from smokejumper.stats.binning import Floats
from smokejumper.stats.methods.base import NUMERIC, ColumnPair, DriftMethod, MethodResult, register


def wasserstein(a: Floats, b: Floats) -> float:
    """W1 between two sorted samples: the area between their empirical CDFs."""
    values = np.sort(np.concatenate([a, b]))
    deltas = np.diff(values)
    cdf_a = np.searchsorted(a, values[:-1], side="right") / a.size
    cdf_b = np.searchsorted(b, values[:-1], side="right") / b.size
    return float(np.sum(np.abs(cdf_a - cdf_b) * deltas))


def wasserstein_bounds(
    points: Floats,
    ref_low: Floats,
    ref_high: Floats,
    cur_low: Floats,
    cur_high: Floats,
    cur_error: float,
) -> tuple[float, float, float]:
    """Lower bound, estimate and upper bound of W1; bin k spans ``points[k:k+2]``."""
    width = np.diff(points)
    upper_gap = np.maximum(np.maximum(ref_high - cur_low, cur_high - ref_low), 0)
    lower_gap = np.maximum(np.maximum(ref_low - cur_high, cur_low - ref_high), 0)
    mid_gap = np.abs((ref_low + ref_high) - (cur_low + cur_high)) / 2
    spread = float(width.sum()) * cur_error
    lower = max(float(np.sum(width * lower_gap)) - spread, 0.0)
    upper = float(np.sum(width * upper_gap)) + spread
    return lower, min(max(float(np.sum(width * mid_gap)), lower), upper), upper


@register
class Wasserstein(DriftMethod):
    name = "wasserstein"
    title = "Wasserstein distance"
    kinds = NUMERIC
    effect = "Wasserstein-1 distance in reference standard deviations"
    threshold = 0.1
    has_p_value = False

    def compute(self, pair: ColumnPair) -> MethodResult:
        ref, cur = pair.numeric()
        scale = ref.std if ref.std > 0 else math.nan
        note = None
        if not scale > 0:
            scale, note = 1.0, "reference has no spread: distance is in the column's own units"
        if pair.has_raw:
            w = wasserstein(*pair.raw()) / scale
            return MethodResult(statistic=w, p_value=None, effect_size=w, note=note)
        edges = ref.binning.edges
        # Pad the outer bins with the smallest and largest value seen on either side.
        points = np.concatenate([[min(ref.min, cur.min)], edges, [max(ref.max, cur.max)]])
        lo, w, hi = wasserstein_bounds(points, *pair.fine_cdfs())
        return MethodResult(
            statistic=w / scale,
            p_value=None,
            effect_size=w / scale,
            bound=max(w - lo, hi - w) / scale,
            note=note,
        )
