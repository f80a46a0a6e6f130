"""Population stability index on reference deciles (or categories).

PSI = sum((q - p) * ln(q / p)); empty bins get a share of 1e-4. Rule of thumb: < 0.1 stable,
0.1-0.25 moderate shift, > 0.25 major shift.

>>> import numpy as np
>>> round(PSI().divergence(np.array([0.5, 0.5]), np.array([0.4, 0.6])), 4)
0.0405
"""

import numpy as np

from smokejumper.stats.binning import Floats
from smokejumper.stats.methods.base import register
from smokejumper.stats.methods.binned import EMPTY_BIN_SHARE, BinnedDivergence


@register
class PSI(BinnedDivergence):
    name = "psi"
    title = "Population stability index"
    effect = "PSI"
    threshold = 0.1
    floor = EMPTY_BIN_SHARE

    def divergence(self, p: Floats, q: Floats) -> float:
        return float(np.sum((q - p) * np.log(q / p)))

    def from_chi_squared(self, scaled: float) -> float:
        return scaled  # (q - p) ln(q / p) ~ (q - p)**2 / p
