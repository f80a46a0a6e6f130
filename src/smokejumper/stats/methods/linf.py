"""L-infinity distance between bin shares: the largest change of any one category's share.

>>> import numpy as np
>>> LInfinity().divergence(np.array([0.5, 0.3, 0.2]), np.array([0.4, 0.3, 0.3]))
0.1
"""

import numpy as np

from smokejumper.stats.binning import Floats
from smokejumper.stats.methods.base import register
from smokejumper.stats.methods.binned import BinnedDivergence


@register
class LInfinity(BinnedDivergence):
    name = "linf"
    title = "L-infinity distance"
    effect = "largest change of one bin's share"
    threshold = 0.1

    def divergence(self, p: Floats, q: Floats) -> float:
        return round(float(np.max(np.abs(p - q))), 15)

    def from_chi_squared(self, scaled: float) -> float:
        return float(np.sqrt(scaled)) / 2  # one share moves at most the total variation
