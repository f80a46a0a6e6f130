"""Brackets of two CDFs from their profiles, on one grid: what bounds KS D and Wasserstein-1.

A numeric profile knows its CDF exactly at its own bin edges (counts and ties at the edges), and
below its minimum and from its maximum on; in between, its quantile sketch knows the CDF at any
point within the sketch's rank error. :func:`brackets` puts both sides on the union of every
edge, both minimums and maximums and every value either sketch keeps (a sketch's CDF changes
only there, so between two points it is known within its rank error, no worse), takes at each
point the tightest of what is known (exact values, the sketch's value +/- its rank error), and
carries the bounds across the points by monotonicity: on each open interval between two
points, each CDF lies between a lower and an upper bound.

The reference's fine bins hold 2 % of its values each; the sketch's rank error is far smaller
(at most 0.19 % of the values for a profile's own sketch, :mod:`smokejumper.stats.kll`), so the
sketch does most of the bracketing inside the reference's range, and all of it outside, where a
shifted or rescaled current sample puts its values and the bins say nothing. Bounds are
certain when both profiles state their sketch's error (``NumericProfile.quantile_error``).

>>> import numpy as np
>>> from smokejumper.stats.numeric import NumericProfile
>>> ref = NumericProfile.from_values(np.arange(100.0))
>>> cur = NumericProfile.from_values(np.arange(100.0) + 50, ref.binning)
>>> b = brackets(ref, cur)
>>> lo, est, hi = wasserstein_bounds(b)
>>> bool(lo <= 50 <= hi), round(est)
(True, 50)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from smokejumper.stats import kll_format
from smokejumper.stats.binning import Floats
from smokejumper.stats.ecdf import unit_scale
from smokejumper.stats.numeric import NumericProfile


@dataclass(frozen=True)
class CdfBounds:
    """Bounds of one CDF on a grid: at each point (``F(p)``) and on each open interval."""

    at_low: Floats  # F(points[j]) >= at_low[j]
    at_high: Floats
    low: Floats  # on (points[j], points[j+1]): F >= low[j]
    high: Floats
    guess: Floats  # the best single value on each interval (for the estimate)


@dataclass(frozen=True)
class Brackets:
    """Both CDFs bounded on one grid."""

    points: Floats
    reference: CdfBounds
    current: CdfBounds


def _exact_points(p: NumericProfile) -> tuple[Floats, Floats, Floats]:
    """Points where the CDF is known exactly: own edges, ``F(e)`` and ``F(e-)``."""
    n = max(p.n, 1)
    at = np.cumsum(p.counts[:-1]) / n
    return p.binning.edges, at, at - p.at_edges / n


def _bounds(p: NumericProfile, points: Floats, sketches: bool) -> CdfBounds:
    facts = _facts(p, points)
    if not sketches or p.quantiles is None or p.quantiles.n == 0:
        (exact,) = _carry(facts, None)
        return CdfBounds(*exact, guess=(exact[2] + exact[3]) / 2)
    grid = points.tolist()
    sketch_at = np.asarray(p.quantiles.get_cdf(grid, True), dtype=np.float64)[:-1]
    sketch_before = np.asarray(p.quantiles.get_cdf(grid, False), dtype=np.float64)[:-1]
    exact, both = _carry(facts, (sketch_at, sketch_before, p.rank_error))
    guess = _shaped(facts, exact, sketch_at, sketch_before)
    return CdfBounds(*both, guess=np.clip(guess, both[2], both[3]))


#: Bounds at the points (low, high) and on the intervals (low, high).
_Carried = tuple[Floats, Floats, Floats, Floats]


@dataclass(frozen=True)
class _Facts:
    """What a profile's counts say exactly at the grid's points (before the monotone carry)."""

    on_edge: NDArray[np.bool_]  # the point is one of the profile's own edges
    below_min: NDArray[np.bool_]  # points < min
    to_min: NDArray[np.bool_]  # points <= min
    from_max: NDArray[np.bool_]  # points >= max
    above_max: NDArray[np.bool_]  # points > max
    bounds: Floats  # rows: F(p) low, F(p) high, F(p-) low, F(p-) high


def _facts(p: NumericProfile, points: Floats) -> _Facts:
    size = points.size
    bounds = np.empty((4, size))
    bounds[0::2] = 0.0
    bounds[1::2] = 1.0
    # Exact at its own edges.
    edges, at, before = _exact_points(p)
    where = np.searchsorted(points, edges)
    hit = (where < size) & (points[np.minimum(where, size - 1)] == edges)
    found = where[hit]
    bounds[0:2, found] = at[hit]
    bounds[2:4, found] = before[hit]
    on_edge = np.zeros(size, dtype=bool)
    on_edge[found] = True
    # Exact outside its range.
    below_min, to_min = points < p.min, points <= p.min
    from_max, above_max = points >= p.max, points > p.max
    bounds[1, below_min] = 0.0
    bounds[3, to_min] = 0.0
    bounds[0, from_max] = 1.0
    bounds[2, above_max] = 1.0
    return _Facts(on_edge, below_min, to_min, from_max, above_max, bounds)


def _shaped(facts: _Facts, exact: _Carried, sketch_at: Floats, sketch_before: Floats) -> Floats:
    """The CDF on each interval, between the exact values that bracket it, shaped by the
    sketch: the exact rise from the anchor on the left to the one on the right, shared out as
    the sketch shares it (so bin masses stay exact and the sketch only says where in the bin)."""
    size = facts.on_edge.size
    index = np.arange(size)
    known_at = facts.on_edge | facts.below_min | facts.from_max
    known_before = facts.on_edge | facts.to_min | facts.above_max
    left = np.maximum.accumulate(np.where(known_at, index, -1))[:-1]
    right = np.minimum.accumulate(np.where(known_before, index, size)[::-1])[::-1][1:]
    has_left, has_right = left >= 0, right < size
    s_left = np.where(has_left, sketch_at[np.maximum(left, 0)], 0.0)
    s_right = np.where(has_right, sketch_before[np.minimum(right, size - 1)], 1.0)
    middle = (sketch_at[:-1] + sketch_before[1:]) / 2
    span = s_right - s_left
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(span > 0, np.clip((middle - s_left) / span, 0.0, 1.0), 0.5)
    low, high = exact[2], exact[3]
    return low + (high - low) * share


def _carry(facts: _Facts, sketch: tuple[Floats, Floats, float] | None) -> list[_Carried]:
    """Bounds at the points and on the intervals from the exact facts alone, and also with the
    sketch (within its rank error) if given; both carried across the points by monotonicity:
    F(p_0-) <= F(p_0) <= F(p_1-) <= F(p_1) <= ..."""
    exact = facts.bounds
    rows = exact[None]
    if sketch is not None:
        sketch_at, sketch_before, error = sketch
        with_sketch = np.stack(
            [
                np.maximum(exact[0], sketch_at - error),
                np.minimum(exact[1], sketch_at + error),
                np.maximum(exact[2], sketch_before - error),
                np.minimum(exact[3], sketch_before + error),
            ]
        )
        rows = np.stack([exact, with_sketch])
    kinds, size = rows.shape[0], rows.shape[2]
    lows = np.empty((kinds, size, 2))
    lows[:, :, 0], lows[:, :, 1] = rows[:, 2], rows[:, 0]  # F(p-) then F(p), point by point
    highs = np.empty((kinds, size, 2))
    highs[:, :, 0], highs[:, :, 1] = rows[:, 3], rows[:, 1]
    low = np.maximum.accumulate(lows.reshape(kinds, 2 * size), axis=1)
    high = np.minimum.accumulate(highs.reshape(kinds, 2 * size)[:, ::-1], axis=1)[:, ::-1]
    low = np.minimum(low, high)  # a sketch outside its stated error must not cross over
    at_low, at_high, before_high = low[:, 1::2], high[:, 1::2], high[:, 0::2]
    return [(at_low[i], at_high[i], at_low[i, :-1], before_high[i, 1:]) for i in range(kinds)]


#: The values each sketch keeps, per profile object (a reference's are read by every window
#: compared with it); the profile is kept with its entry, so its ``id`` cannot be reused while
#: the entry lives.
_QUANTILES: OrderedDict[int, tuple[NumericProfile, Floats]] = OrderedDict()
_QUANTILES_KEPT = 256
_QUANTILES_LOCK = threading.Lock()


def _sketch_quantiles(p: NumericProfile) -> Floats:
    """The values the profile's sketch keeps, sorted and distinct (read-only, cached)."""
    with _QUANTILES_LOCK:
        kept = _QUANTILES.get(id(p))
        if kept is not None and kept[0] is p:
            _QUANTILES.move_to_end(id(p))
            return kept[1]
    assert p.quantiles is not None
    values = np.unique(np.concatenate(kll_format.levels(p.quantiles)[3]))
    values.flags.writeable = False
    with _QUANTILES_LOCK:
        _QUANTILES[id(p)] = (p, values)
        _QUANTILES.move_to_end(id(p))
        while len(_QUANTILES) > _QUANTILES_KEPT:
            _QUANTILES.popitem(last=False)
    return values


def _grid(ref: NumericProfile, cur: NumericProfile, sketches: bool) -> Floats:
    if not sketches:  # the estimating grid: edges and the overall range, as bins interpolate
        ends = [min(ref.min, cur.min), max(ref.max, cur.max)]
        parts = [ref.binning.edges, cur.binning.edges, ends]
    else:
        parts = [ref.binning.edges, cur.binning.edges, [ref.min, ref.max, cur.min, cur.max]]
    for side in (ref, cur) if sketches else ():
        if side.quantiles is not None and side.quantiles.n > 0:
            parts.append(_sketch_quantiles(side))
    points = np.unique(np.concatenate([np.asarray(x, dtype=np.float64) for x in parts]))
    return np.asarray(points[np.isfinite(points)], dtype=np.float64)


def brackets(ref: NumericProfile, cur: NumericProfile, *, sketches: bool = True) -> Brackets:
    """Both CDFs bounded on the union grid (both profiles must have values); ``sketches=False``
    uses the exact facts alone (bin edges, minimums and maximums)."""
    points = _grid(ref, cur, sketches)
    return Brackets(points, _bounds(ref, points, sketches), _bounds(cur, points, sketches))


def estimates(ref: NumericProfile, cur: NumericProfile) -> tuple[Brackets, Brackets]:
    """The brackets that bound (with the sketches) and those that estimate.

    When both profiles share the reference's bins, estimates come from the exact counts alone;
    the sketches then only tighten the bounds, and the estimate is clipped into them (merged
    sketches are reproducible, :func:`smokejumper.stats.kll.merged`, so the clip is too).
    """
    bounding = brackets(ref, cur)
    if ref.binning.same_as(cur.binning):
        return bounding, brackets(ref, cur, sketches=False)
    return bounding, bounding


def wasserstein_bounds(b: Brackets) -> tuple[float, float, float]:
    """Lower bound, estimate and upper bound of W1 (in the column's units; infinite beyond the
    largest double, without a warning)."""
    scale = unit_scale(b.points)
    width = np.diff(b.points * scale)
    f, g = b.reference, b.current
    upper_gap = np.maximum(np.maximum(f.high - g.low, g.high - f.low), 0.0)
    lower_gap = np.maximum(np.maximum(f.low - g.high, g.low - f.high), 0.0)
    mid_gap = np.abs(f.guess - g.guess)
    lower = float(np.dot(width, lower_gap))
    upper = float(np.dot(width, upper_gap))
    estimate = min(max(float(np.dot(width, mid_gap)), lower), upper)
    with np.errstate(over="ignore"):
        bounds = np.array([lower, estimate, upper]) / scale
    return float(bounds[0]), float(bounds[1]), float(bounds[2])


def _area(b: Brackets, low: float, high: float, inside: bool) -> float:
    """The estimate's area between the CDFs on the intervals inside ``[low, high]`` (or outside
    it), in the column's units."""
    scale = unit_scale(b.points)
    width = np.diff(b.points * scale)
    within = (b.points[:-1] >= low) & (b.points[1:] <= high)
    gap = np.abs(b.reference.guess - b.current.guess)
    with np.errstate(over="ignore"):
        return float(np.dot(width, np.where(within == inside, gap, 0.0)) / scale)


def wasserstein_estimate(bounding: Brackets, estimating: Brackets, inner: Floats) -> float:
    """W1 from the exact counts inside ``[inner[0], inner[-1]]`` (fine bins; the caller clips the
    result into the sketches' tighter bounds) and from the sketch-shaped CDFs outside it (the
    reference's outer bins and beyond its range, where a long tail makes bins wide).

    >>> import numpy as np
    >>> from smokejumper.stats.numeric import NumericProfile
    >>> ref = NumericProfile.from_values(np.arange(100.0))
    >>> cur = NumericProfile.from_values(np.arange(100.0) + 50, ref.binning)
    >>> b, e = estimates(ref, cur)
    >>> round(wasserstein_estimate(b, e, ref.binning.edges[1:-1]))
    50
    """
    if bounding is estimating or inner.size < 2:
        return wasserstein_bounds(bounding)[1]
    low, high = float(inner[0]), float(inner[-1])
    return _area(estimating, low, high, True) + _area(bounding, low, high, False)


def ks_bounds(b: Brackets) -> tuple[float, float]:
    """Lower and upper bounds of KS D."""
    f, g = b.reference, b.current
    lower = max(
        float(np.max(np.maximum(f.at_low - g.at_high, g.at_low - f.at_high))),
        float(np.max(np.maximum(f.low - g.high, g.low - f.high), initial=0.0)),
        0.0,
    )
    upper = max(
        float(np.max(np.maximum(f.at_high - g.at_low, g.at_high - f.at_low))),
        float(np.max(np.maximum(f.high - g.low, g.high - f.low), initial=0.0)),
        lower,
    )
    return lower, min(upper, 1.0)


def ks_estimate(bounding: Brackets, estimating: Brackets) -> tuple[float, float, float]:
    """Lower bound, estimate (the middle of the estimating brackets' range, clipped) and upper
    bound of KS D."""
    lo, hi = ks_bounds(bounding)
    mid = sum(ks_bounds(estimating)) / 2
    return lo, min(max(mid, lo), hi), hi
