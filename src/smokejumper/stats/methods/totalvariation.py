"""Total variation distance between bin shares: half the sum of absolute differences.

>>> import numpy as np
>>> TotalVariation().divergence(np.array([0.5, 0.5]), np.array([0.3, 0.7]))
0.2
"""

import numpy as np

from smokejumper.stats.binning import Floats
from smokejumper.stats.methods.base import register
from smokejumper.stats.methods.binned import BinnedDivergence


@register
class TotalVariation(BinnedDivergence):
    name = "tv"
    title = "Total variation distance"
    effect = "total variation distance"
    threshold = 0.1

    def divergence(self, p: Floats, q: Floats) -> float:
        return round(float(np.sum(np.abs(p - q))) / 2, 15)

    def from_chi_squared(self, scaled: float) -> float:
        return float(np.sqrt(scaled)) / 2  # Cauchy-Schwarz: sum|q - p| <= sqrt(chi-squared)
