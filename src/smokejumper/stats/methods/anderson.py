"""k-sample Anderson-Darling test (midrank variant, as ``scipy.stats.anderson_ksamp``).

Needs raw data. SciPy interpolates the p-value from a table and caps it to [0.001, 0.25]; a
capped value carries a note. AD weighs the tails more than KS; its statistic has no readable
scale, so the effect size shown is KS D, the largest gap between the two CDFs.
"""

from __future__ import annotations

import warnings

from scipy import stats

from smokejumper.stats.methods.base import NUMERIC, ColumnPair, DriftMethod, MethodResult, register
from smokejumper.stats.methods.ks import ks_statistic
from smokejumper.stats.noise import ks_floor


@register
class AndersonDarling(DriftMethod):
    name = "anderson"
    title = "Anderson-Darling k-sample test"
    kinds = NUMERIC
    effect = "KS D (largest CDF gap)"
    threshold = 0.1
    has_p_value = True
    needs_raw = True

    def compute(self, pair: ColumnPair) -> MethodResult:
        a, b = pair.raw()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = stats.anderson_ksamp([a, b], variant="midrank")
        note = None
        if caught:
            note = "p-value " + str(caught[0].message).split(":")[0].removeprefix("p-value ")
        return MethodResult(
            statistic=float(res.statistic),
            p_value=float(res.pvalue),
            effect_size=ks_statistic(a, b),
            note=note,
        )

    def noise_floor(self, pair: ColumnPair) -> float | None:
        return ks_floor(pair.reference.usable, pair.current.usable)
