"""Noise floors: how large an effect size sampling noise alone makes, at the sizes compared.

Two samples of one distribution never give an effect size of exactly 0; the smaller the samples,
the larger it comes out. A verdict fires only when the effect size reaches both its threshold
and its *noise floor*: the value that samples of these sizes from one distribution exceed at
most once in 10,000 comparisons (:data:`NOISE_LEVEL`). At large sizes the floor is far below the
threshold and changes nothing; at a few hundred rows it keeps noise from alarming.

Every floor is the upper ``1 - NOISE_LEVEL`` quantile of the effect size's limiting distribution
when nothing changed, with ``n_eff = n m / (n + m)``:

- Cohen's h of two proportions: ``z * sqrt(1/n + 1/m)``, ``z`` the two-sided normal quantile.
- Chi-squared-based sizes on ``k`` bins: the ``chi2(k - 1)`` quantile ``q`` read through each
  size's relation to chi-squared (Cramér's V = sqrt(q / N); PSI ~ q (1/n + 1/m), ...).
- KS D: the Kolmogorov distribution's quantile over ``sqrt(n_eff)``.
- Wasserstein-1: ``sqrt(n_eff) W1`` tends to ``X = integral |B(F(x))| dx`` (``B`` a Brownian
  bridge; Vallender / del Barrio, Giné and Matrán), whose law depends on the reference's
  distribution. On the reference's quantile grid (levels ``u_k``, gaps ``w_k``) it is
  ``X = sum w_k |B(u_k)|``, and its quantile is computed, not bounded (:func:`bridge_quantile`):
  split ``B`` into its component along ``Y = sum w_k B(u_k)`` (variance ``s**2``, the
  distribution's variance) and an independent remainder ``R``, so ``X = sum w_k |c_k Z / s + R_k|``
  with ``Z = Y / s`` standard normal and ``c = Cov(B, Y)``. ``X >= s |Z|`` always, so only ``Z``
  near the quantile matters: ``P(X > t)`` is integrated over a grid of ``Z`` values exactly and
  over :data:`BRIDGE_DRAWS` draws of ``R`` (fixed seed: the same reference always gets the same
  floor). Measured error: the grouped grid (at most about 60 levels, finer in the tails) puts the
  quantile within 0.5 % of the ungrouped one, on the high side; different seeds move it by about
  1 %; the limiting quantile is within a few per cent of simulated pairs of 200 rows
  (``tests/stats/test_noise.py``). For normal data it is ``3.94 s`` where the earlier bound
  below gave ``5.0 s``. It is cached per reference grid and takes about 10 ms to compute.
  Two proven upper bounds of the same quantile clamp it (:func:`bridge_bound`): by Jensen's
  inequality ``X / J`` is below ``|N(0, 1)|`` in convex order, ``J = sum w_k sqrt(u_k (1 - u_k))``,
  so the quantile is at most the tail mean (CVaR) of ``|N(0, 1)|`` times ``J``; by Gaussian
  concentration (Sudakov-Tsirelson-Borell; ``s`` is the largest standard deviation of a linear
  functional of ``X``'s process since the bridge's covariance is never negative) it is at most
  the mean ``sqrt(2 / pi) J`` plus ``z s``, ``z`` the one-sided normal quantile.

>>> round(h_floor(1000, 1000), 3), round(ks_floor(1000, 1000), 3)
(0.174, 0.1)
>>> round(ABS_NORMAL_TAIL_MEAN, 3)
4.121
>>> levels, weights = bridge_grid(np.sort(np.random.default_rng(0).normal(size=5000)))
>>> round(bridge_quantile(levels, weights), 1)  # in the column's units: about 3.94 sd
3.9
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy import stats

from smokejumper.stats.binning import Floats

#: Chance that samples of one distribution reach the noise floor (per column and test). One in
#: 10,000, so that with several columns, each judged by floors some of which are exact quantiles
#: (Cohen's h, Cramér's V, KS D), fewer than one column in 1,000 is flagged on unchanged data.
NOISE_LEVEL = 1e-4


def _abs_normal_tail_mean(level: float) -> float:
    """E[|Z| given |Z| >= its upper ``level`` quantile], Z standard normal."""
    c = float(stats.norm.isf(level / 2))
    return c + 2 * (float(stats.norm.pdf(c)) - c * level / 2) / level


#: CVaR of |N(0, 1)| at :data:`NOISE_LEVEL`: the multiplier of the Wasserstein floor.
ABS_NORMAL_TAIL_MEAN = _abs_normal_tail_mean(NOISE_LEVEL)
_Z = float(stats.norm.isf(NOISE_LEVEL / 2))
_KOLMOGOROV = float(stats.kstwobign.isf(NOISE_LEVEL))
_ONE_SIDED_Z = float(stats.norm.isf(NOISE_LEVEL))


def effective_size(n: float, m: float) -> float:
    """``n m / (n + m)``: the size that sets the noise of a two-sample comparison."""
    return n * m / (n + m) if n > 0 and m > 0 else 0.0


def h_floor(n: float, m: float) -> float:
    """Noise floor of Cohen's h between two proportions on ``n`` and ``m`` rows."""
    if n <= 0 or m <= 0:
        return math.inf
    return _Z * math.sqrt(1 / n + 1 / m)


def chi2_quantile(bins: int) -> float:
    """Upper :data:`NOISE_LEVEL` quantile of chi-squared on ``bins - 1`` degrees of freedom."""
    return float(stats.chi2.isf(NOISE_LEVEL, max(bins - 1, 1)))


def ks_floor(n: float, m: float) -> float:
    """Noise floor of the KS statistic D."""
    size = effective_size(n, m)
    return _KOLMOGOROV / math.sqrt(size) if size > 0 else math.inf


def spread_integral(sorted_values: Floats) -> float:
    """``J = integral sqrt(F (1 - F)) dx`` of a sorted sample's empirical CDF ``F``.

    >>> round(spread_integral(np.array([0.0, 1.0])), 3)  # F = 1/2 on [0, 1)
    0.5
    """
    levels, weights = _ungrouped(sorted_values)
    return float(np.dot(weights, np.sqrt(levels * (1 - levels))))


def _ungrouped(sorted_values: Floats) -> tuple[Floats, Floats]:
    n = sorted_values.size
    if n < 2:
        return np.zeros(0), np.zeros(0)
    with np.errstate(over="ignore", invalid="ignore"):
        gaps = np.diff(sorted_values)
    return np.arange(1, n) / n, gaps


#: Edges of the level groups of :func:`bridge_grid`: 40 equal steps, and halvings towards 0
#: and 1 (to 2**-12), where heavy tails put large gaps.
_GROUP_EDGES = np.unique(
    np.concatenate(
        [np.linspace(0.0, 1.0, 41), 2.0 ** -np.arange(1, 13), 1 - 2.0 ** -np.arange(1, 13)]
    )
)


def bridge_grid(sorted_values: Floats) -> tuple[Floats, Floats]:
    """Levels and weights of ``X = sum w_k |B(u_k)|`` for a sorted sample, grouped.

    The sample's gaps (``w``, at levels ``u = i / n``) are summed within groups of levels; a
    group sits at the mean level of its gaps, weighted by them, which leans high (the mean of
    ``|B(u)|`` is concave in ``u``).

    >>> levels, weights = bridge_grid(np.arange(5.0))
    >>> levels.tolist(), weights.tolist()
    ([0.2, 0.4, 0.6, 0.8], [1.0, 1.0, 1.0, 1.0])
    """
    levels, gaps = _ungrouped(sorted_values)
    if levels.size <= _GROUP_EDGES.size:
        keep = gaps > 0
        return levels[keep], gaps[keep]
    group = np.clip(np.searchsorted(_GROUP_EDGES, levels, side="right") - 1, 0, None)
    weights = np.bincount(group, gaps, _GROUP_EDGES.size).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.bincount(group, gaps * levels, _GROUP_EDGES.size).astype(np.float64) / weights
    keep = weights > 0
    return means[keep], weights[keep]


def binned_bridge_grid(points: Floats, low: Floats, high: Floats) -> tuple[Floats, Floats]:
    """Levels and weights of ``X`` from a profile: ``F`` lies in ``[low[k], high[k]]`` on the
    interval ``points[k:k+2]`` (cumulative shares on its bins); each interval counts at the
    middle of its range."""
    weights = np.diff(points)
    keep = weights > 0
    return ((low + high) / 2)[keep], weights[keep]


#: Draws of the remainder ``R`` in :func:`bridge_quantile`, and their seed.
BRIDGE_DRAWS = 1000
_BRIDGE_SEED = 9
_Z_STEPS = 48


def _bridge_covariance(levels: Floats) -> Floats:
    return np.minimum.outer(levels, levels) - np.outer(levels, levels)


def bridge_bound(levels: Floats, weights: Floats) -> float:
    """A proven upper bound of the ``1 - NOISE_LEVEL`` quantile of ``sum w_k |B(u_k)|``: the
    smaller of the convex-order and Gaussian-concentration bounds (see the module)."""
    spread = float(np.dot(weights, np.sqrt(levels * (1 - levels))))
    sd = math.sqrt(max(float(weights @ _bridge_covariance(levels) @ weights), 0.0))
    return min(ABS_NORMAL_TAIL_MEAN * spread, math.sqrt(2 / math.pi) * spread + _ONE_SIDED_Z * sd)


def bridge_quantile(levels: Floats, weights: Floats, level: float = NOISE_LEVEL) -> float:
    """The upper ``level`` quantile of ``X = sum w_k |B(u_k)|``, ``B`` a Brownian bridge
    (the limit of ``sqrt(n_eff) W1``), by conditional Monte Carlo with a fixed seed; cached."""
    return _quantile_and_sd(levels, weights, level)[0]


def bridge_ratio(levels: Floats, weights: Floats, level: float = NOISE_LEVEL) -> float:
    """:func:`bridge_quantile` over the grid's standard deviation ``s`` (at least the normal
    quantile ``z``: ``X >= s |Z|``); ``z`` itself for a grid without spread.

    >>> levels, weights = bridge_grid(np.arange(1000.0))
    >>> round(bridge_ratio(levels, weights), 2)  # a uniform distribution
    3.93
    """
    quantile, sd = _quantile_and_sd(levels, weights, level)
    if not (sd > 0 and math.isfinite(quantile)):
        return float(stats.norm.isf(level / 2))
    return quantile / sd


def _quantile_and_sd(levels: Floats, weights: Floats, level: float) -> tuple[float, float]:
    if not levels.size:
        return 0.0, 0.0
    if not np.isfinite(weights).all():
        return math.inf, math.inf
    levels = np.ascontiguousarray(levels, dtype=np.float64)
    weights = np.ascontiguousarray(weights, dtype=np.float64)
    return _cached_quantile(levels.tobytes(), weights.tobytes(), level)


@lru_cache(maxsize=4096)
def _cached_quantile(
    levels_bytes: bytes, weights_bytes: bytes, level: float
) -> tuple[float, float]:
    levels = np.frombuffer(levels_bytes, dtype=np.float64)
    weights = np.frombuffer(weights_bytes, dtype=np.float64)
    cov = _bridge_covariance(levels)
    c = cov @ weights
    variance = float(weights @ c)
    if not variance > 0:
        return 0.0, 0.0
    sd = math.sqrt(variance)
    bound = bridge_bound(levels, weights)
    if level != NOISE_LEVEL:
        bound = math.inf
    # The remainder R = B - c Z / sd, independent of Z, drawn through its eigen-decomposition.
    eigen, vectors = np.linalg.eigh(cov - np.outer(c, c) / variance)
    root = vectors * np.sqrt(np.clip(eigen, 0.0, None))
    draws = np.random.default_rng(_BRIDGE_SEED).standard_normal((BRIDGE_DRAWS, levels.size))
    rest = draws @ root.T
    # X(z) <= X(0) + sd z and X >= sd |z|: only z between these matter.
    z_low_q = float(stats.norm.isf(level / 2))  # the quantile is at least sd * z_low_q
    floor_rest = float(np.max(np.abs(rest) @ weights)) / sd
    z_high = max(bound / sd, z_low_q + floor_rest) if math.isfinite(bound) else z_low_q + floor_rest
    z = np.linspace(max(z_low_q - floor_rest, 0.0), z_high, _Z_STEPS)
    x = _sums_at(rest, c / sd, weights, z)
    cell = 2 * -np.diff(stats.norm.sf(z))  # P(|Z| in each cell)
    beyond = 2 * float(stats.norm.sf(z[-1]))  # X > z_high sd >= every t searched

    def exceed(t: float) -> float:
        p = np.count_nonzero(x > t, axis=1) / x.shape[1]
        return float(np.dot(cell, (p[:-1] + p[1:]) / 2)) + beyond

    low, high = sd * z_low_q, sd * z_high
    for _ in range(50):
        middle = (low + high) / 2
        low, high = (middle, high) if exceed(middle) > level else (low, middle)
    return min(high, bound), sd


def _sums_at(rest: Floats, slope: Floats, weights: Floats, z: Floats) -> Floats:
    """``sum_k w_k |rest[d, k] + z_j slope[k]|`` for every ``z_j`` (rows) and draw ``d``
    (columns), computed in one reused buffer (a fresh array per ``z_j`` was most of the
    time of a floor)."""
    x = np.empty((z.size, rest.shape[0]))
    buffer = np.empty_like(rest)
    shift = np.empty_like(slope)
    for j, zj in enumerate(z):
        np.multiply(slope, zj, out=shift)
        np.add(rest, shift, out=buffer)
        np.abs(buffer, out=buffer)
        np.dot(buffer, weights, out=x[j])
    return x


def squared_spread_integral(sorted_values: Floats) -> float:
    """``K = integral F (1 - F) dx`` of a sorted sample's empirical CDF (for energy distance)."""
    n = sorted_values.size
    if n < 2:
        return 0.0
    share = np.arange(1, n) / n
    with np.errstate(over="ignore", invalid="ignore"):
        gaps = np.diff(sorted_values)
    return float(np.dot(gaps, share * (1 - share)))


#: CVaR of chi-squared(1) at :data:`NOISE_LEVEL` (E[X 1{X > c}] = P(chi2(3) > c) for it).
CHI2_1_TAIL_MEAN = float(stats.chi2.sf(stats.chi2.isf(NOISE_LEVEL, 1), 3)) / NOISE_LEVEL


def energy_floor(squared_spread: float, n: float, m: float) -> float:
    """Noise floor of the energy distance ``sqrt(2 integral (F - G)**2 dx)``: ``n_eff`` times
    the integral tends to ``integral B(F(x))**2 dx``, below chi-squared(1) in convex order once
    divided by ``K`` (as for Wasserstein)."""
    size = effective_size(n, m)
    return math.sqrt(2 * CHI2_1_TAIL_MEAN * squared_spread / size) if size > 0 else math.inf


def pooled_sd(
    n: float, mean: float, m2: float, m: float, other_mean: float, other_m2: float
) -> float:
    """Standard deviation (``ddof=0``) of two samples pooled, from their sizes, means and sums
    of squared deviations.

    >>> pooled_sd(2, 0.0, 2.0, 2, 0.0, 2.0)  # -1, 1, -1, 1
    1.0
    """
    total = n + m
    if total <= 0:
        return 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        delta = np.float64(other_mean) - np.float64(mean)
        squares = m2 + other_m2 + delta * delta * n * m / total
    return math.sqrt(max(float(squares), 0.0) / total)


def wasserstein_floor(ratio: float, sd: float, n: float, m: float) -> float:
    """Noise floor of W1 (in the column's units): the limit's quantile over ``sqrt(n_eff)``,
    the quantile being ``ratio`` (:func:`bridge_ratio` on the reference) times ``sd``, the
    standard deviation of both samples pooled (under no change the best estimate of the
    common distribution's; it carries the current sample's extremes into the floor, which the
    reference alone misses on heavy tails at a few hundred rows).

    >>> round(wasserstein_floor(4.0, 1.0, 100, 100), 3)
    0.566
    """
    size = effective_size(n, m)
    return ratio * sd / math.sqrt(size) if size > 0 else math.inf
