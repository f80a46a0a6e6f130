"""Chi-squared test of homogeneity on category counts (or reference deciles for numbers).

Agrees with ``scipy.stats.chi2_contingency(table, correction=False)`` on the 2 x k table of
counts (bins empty on both sides dropped). Effect size: Cramér's V = sqrt(chi2 / N).

>>> import numpy as np
>>> stat, p, v = chi_squared(np.array([50.0, 50.0]), np.array([30.0, 70.0]))
>>> round(stat, 3), round(v, 3)
(8.333, 0.204)
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from smokejumper.stats.binning import Floats
from smokejumper.stats.methods.base import (
    ALL_KINDS,
    ColumnPair,
    DriftMethod,
    MethodResult,
    register,
)
from smokejumper.stats.noise import chi2_quantile


def chi_squared(ref: Floats, cur: Floats) -> tuple[float, float, float]:
    """Statistic, p-value and Cramér's V of the 2 x k table ``[ref, cur]``."""
    table = np.vstack([ref, cur])
    table = table[:, table.sum(axis=0) > 0]
    total = table.sum()
    if table.shape[1] < 2 or total == 0:
        return 0.0, 1.0, 0.0
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / total
    stat = float(np.sum((table - expected) ** 2 / expected))
    p = float(stats.chi2.sf(stat, table.shape[1] - 1))
    return stat, p, math.sqrt(stat / total)


@register
class ChiSquared(DriftMethod):
    name = "chisquare"
    title = "Chi-squared test"
    kinds = ALL_KINDS
    effect = "Cramér's V"
    threshold = 0.1
    has_p_value = True

    def compute(self, pair: ColumnPair) -> MethodResult:
        ref, cur, _, share_error = pair.binned()
        stat, p, v = chi_squared(ref, cur)
        note = None
        if share_error > 0:
            note = f"approximate: each bin's current share is within +/-{share_error:.3g}"
        return MethodResult(statistic=stat, p_value=p, effect_size=v, note=note)

    def noise_floor(self, pair: ColumnPair) -> float | None:
        ref, cur, _, _ = pair.binned()
        total = float(ref.sum() + cur.sum())
        bins = int(np.count_nonzero(ref + cur))
        return math.sqrt(chi2_quantile(bins) / total) if total > 0 else None
