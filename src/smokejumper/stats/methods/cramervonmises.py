"""Two-sample Cramér-von Mises test (``scipy.stats.cramervonmises_2samp``).

Needs raw data. The effect size is the root-mean-square gap between the two CDFs over the
pooled sample, sqrt(T * (n + m) / (n * m)), which is on the same scale as KS D.
"""

from __future__ import annotations

import math

from scipy import stats

from smokejumper.stats.methods.base import NUMERIC, ColumnPair, DriftMethod, MethodResult, register
from smokejumper.stats.noise import effective_size

#: Upper 1e-4 quantile (:data:`~smokejumper.stats.noise.NOISE_LEVEL`) of the limiting
#: Cramér-von Mises distribution (Anderson and Darling, 1952; solved on SciPy's series for it,
#: which gives 1.16786 at 1e-3 as their table does); T's noise floor, the effect size being
#: sqrt(T / n_eff).
CVM_LIMIT_QUANTILE = 1.60430


@register
class CramerVonMises(DriftMethod):
    name = "cramervonmises"
    title = "Cramér-von Mises test"
    kinds = NUMERIC
    effect = "root-mean-square CDF gap"
    threshold = 0.05
    has_p_value = True
    needs_raw = True

    def compute(self, pair: ColumnPair) -> MethodResult:
        a, b = pair.raw()
        res = stats.cramervonmises_2samp(a, b)
        t = float(res.statistic)
        n, m = a.size, b.size
        return MethodResult(
            statistic=t,
            p_value=float(res.pvalue),
            effect_size=math.sqrt(max(t, 0.0) * (n + m) / (n * m)),
        )

    def noise_floor(self, pair: ColumnPair) -> float | None:
        size = effective_size(pair.reference.usable, pair.current.usable)
        return math.sqrt(CVM_LIMIT_QUANTILE / size) if size > 0 else None
