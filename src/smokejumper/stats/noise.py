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
- Wasserstein-1: ``sqrt(n_eff) W1`` tends to ``integral |B(F(x))| dx`` (``B`` a Brownian
  bridge), an average of ``|N(0, 1)|`` variables weighted by ``sqrt(F (1 - F)) dx``. By Jensen's
  inequality such an average is below ``|N(0, 1)|`` in convex order, so its upper quantile is at
  most the conditional tail mean (CVaR) of ``|N(0, 1)|`` at the same level: ``CVaR * J`` with
  ``J = integral sqrt(F (1 - F)) dx`` taken on the reference. The same limit is also the L1
  norm of a Gaussian process whose largest linear variance is ``Var(integral B(F(x)) dx)``,
  the variance ``s**2`` of the distribution itself (Hoeffding's identity; the bridge's
  covariance is never negative), so Gaussian concentration (the Sudakov-Tsirelson-Borell
  inequality: P(X > median + s t) <= P(N(0, 1) > t)) bounds its upper quantile by its median
  plus ``z s``, ``z`` the one-sided normal quantile; the median of a convex function of a
  Gaussian is at most its mean, ``sqrt(2 / pi) J``. The floor is the smaller of the two bounds
  over ``sqrt(n_eff)``; both hold for every shape of distribution, ties included.

>>> round(h_floor(1000, 1000), 3), round(ks_floor(1000, 1000), 3)
(0.174, 0.1)
>>> round(ABS_NORMAL_TAIL_MEAN, 3)
4.121
"""

from __future__ import annotations

import math

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
    n = sorted_values.size
    if n < 2:
        return 0.0
    share = np.arange(1, n) / n
    with np.errstate(over="ignore", invalid="ignore"):
        gaps = np.diff(sorted_values)
    return float(np.dot(gaps, np.sqrt(share * (1 - share))))


def binned_spread_integral(points: Floats, low: Floats, high: Floats) -> float:
    """An upper bound of ``J`` when ``F`` is only known to lie in ``[low[k], high[k]]`` on the
    interval ``points[k:k+2]`` (cumulative shares on a profile's bins)."""
    nearest_half = np.clip(0.5, low, high)
    return float(np.dot(np.diff(points), np.sqrt(nearest_half * (1 - nearest_half))))


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


def wasserstein_floor(spread: float, std: float, n: float, m: float) -> float:
    """Noise floor of W1 (in the column's units) for a reference with spread integral
    ``spread`` and standard deviation ``std``."""
    size = effective_size(n, m)
    if size <= 0:
        return math.inf
    by_order = ABS_NORMAL_TAIL_MEAN * spread
    if math.isfinite(std):
        by_norm = math.sqrt(2 / math.pi) * spread + _ONE_SIDED_Z * std
        by_order = min(by_order, by_norm)
    return by_order / math.sqrt(size)
