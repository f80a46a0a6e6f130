"""Two-sample Kolmogorov-Smirnov test; effect size is the statistic D itself.

On raw data D and the p-value agree with ``scipy.stats.ks_2samp`` (exact distribution up to
10,000 values per side, Smirnov's asymptotic one beyond, as SciPy does). From profiles D is
bracketed from the cumulative shares at the reference's fine bin edges: the gap at the edges is a
lower bound, the widest gap possible inside a bin (where each CDF lies between its values just
after the lower edge and just before the upper one) an upper bound; the report gives the midpoint
with the half-width as its bound (widened by the quantile sketch's rank error when the current
profile had other bins). The p-value is then the limiting Kolmogorov distribution's, at the
midpoint.

>>> import numpy as np
>>> round(ks_statistic(np.array([1.0, 2.0, 3.0]), np.array([2.5, 3.5, 4.5])), 4)
0.6667
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import special, stats

from smokejumper.stats.binning import Floats
from smokejumper.stats.brackets import estimates, ks_estimate
from smokejumper.stats.ecdf import EcdfGap
from smokejumper.stats.methods.base import NUMERIC, ColumnPair, DriftMethod, MethodResult, register
from smokejumper.stats.noise import ks_floor

#: Up to this many values per side the p-value is exact (as in SciPy's ``method="auto"``).
EXACT_MAX_N = 10_000


def ks_statistic(a: Floats, b: Floats) -> float:
    """Largest gap between the empirical CDFs of two sorted samples."""
    return EcdfGap.of(a, b).ks()


def ks_p_value(a: Floats, b: Floats, d: float) -> float:
    """Two-sided p-value of D as SciPy's ``ks_2samp(method="auto")`` computes it.

    When SciPy's exact computation fails for some sizes, it falls back to the asymptotic
    p-value with a RuntimeWarning; the value is the same here, without the warning.
    """
    if max(a.size, b.size) <= EXACT_MAX_N:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "ks_2samp: Exact calculation unsuccessful")
            return float(stats.ks_2samp(a, b).pvalue)
    return smirnov_p_value(d, a.size, b.size)


def smirnov_p_value(d: float, n: int, m: int) -> float:
    """Asymptotic two-sided p-value of D for samples of sizes n and m (as SciPy computes it)."""
    big, small = max(n, m), min(n, m)
    en = big * small / (big + small)
    return float(np.clip(stats.kstwo.sf(d, np.round(en)), 0.0, 1.0))


def kolmogorov_p_value(d: float, n: int, m: int) -> float:
    """The limiting Kolmogorov distribution's p-value of D, for statistics read off profiles.

    D from profiles is itself approximate (see the bound), so the exact finite-sample law that
    :func:`smirnov_p_value` evaluates (about 2 ms a call) buys nothing there; this one is a
    ufunc call, and differs from it by O(1/sqrt(n m / (n + m))).

    >>> n = 50_000
    >>> round(smirnov_p_value(0.01, n, n), 4), round(kolmogorov_p_value(0.01, n, n), 4)
    (0.0134, 0.0135)
    """
    en = n * m / (n + m)
    return float(np.clip(special.kolmogorov(np.sqrt(en) * d), 0.0, 1.0))


@register
class KolmogorovSmirnov(DriftMethod):
    name = "ks"
    title = "Kolmogorov-Smirnov test"
    kinds = NUMERIC
    effect = "KS D (largest CDF gap)"
    threshold = 0.1
    has_p_value = True

    def compute(self, pair: ColumnPair) -> MethodResult:
        if pair.has_raw:
            a, b = pair.raw()
            d = ks_statistic(a, b)
            return MethodResult(statistic=d, p_value=ks_p_value(a, b, d), effect_size=d)
        ref, cur = pair.numeric()
        lo, d, hi = ks_estimate(*estimates(ref, cur))
        return MethodResult(
            statistic=d,
            p_value=kolmogorov_p_value(d, ref.n, cur.n),
            effect_size=d,
            bound=max(d - lo, hi - d),
        )

    def noise_floor(self, pair: ColumnPair) -> float | None:
        return ks_floor(pair.reference.usable, pair.current.usable)
