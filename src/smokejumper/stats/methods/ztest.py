"""Two-proportion z-test for boolean columns; effect size is Cohen's h.

The two-sided p-value equals that of the uncorrected chi-squared test on the 2 x 2 table
(z squared is that statistic). Cohen's h = |2 asin(sqrt(p2)) - 2 asin(sqrt(p1))| treats a move
from 1 % to 4 % as seriously as one from 50 % to 60 %.

>>> z, p, h = two_proportion_z(50, 100, 60, 100)
>>> round(z, 4), round(p, 4), round(h, 4)
(1.4213, 0.1552, 0.2014)
"""

from __future__ import annotations

import math

from smokejumper.errors import MethodNotApplicableError
from smokejumper.frames.kinds import ColumnKind
from smokejumper.stats.methods.base import ColumnPair, DriftMethod, MethodResult, register
from smokejumper.stats.noise import h_floor


def two_proportion_z(x1: float, n1: float, x2: float, n2: float) -> tuple[float, float, float]:
    """z statistic, two-sided p-value and Cohen's h for x1/n1 against x2/n2."""
    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    h = abs(2 * math.asin(math.sqrt(p2)) - 2 * math.asin(math.sqrt(p1)))
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 0.0, 1.0, h
    z = (p2 - p1) / se
    return z, math.erfc(abs(z) / math.sqrt(2)), h  # = 2 * norm.sf(|z|), without SciPy's overhead


@register
class TwoProportionZ(DriftMethod):
    name = "ztest"
    title = "Two-proportion z-test"
    kinds = frozenset({ColumnKind.BOOLEAN})
    effect = "Cohen's h"
    threshold = 0.1
    has_p_value = True

    def compute(self, pair: ColumnPair) -> MethodResult:
        ref, cur, labels, _ = pair.binned()
        if len(labels) > 2:
            raise MethodNotApplicableError(
                f"column {pair.name!r} has {len(labels)} distinct values; the z-test compares "
                f"two proportions. Use the chisquare method, or test it as categorical: "
                f"--kind {pair.name}=categorical on the command line, "
                f"kinds={{{pair.name!r}: 'categorical'}} in Python"
            )
        success = labels.index("true") if "true" in labels else 0
        z, p, h = two_proportion_z(ref[success], ref.sum(), cur[success], cur.sum())
        return MethodResult(statistic=z, p_value=p, effect_size=h)

    def noise_floor(self, pair: ColumnPair) -> float | None:
        ref, cur, _, _ = pair.binned()
        return h_floor(float(ref.sum()), float(cur.sum()))
