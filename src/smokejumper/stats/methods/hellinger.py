"""Hellinger distance between bin shares, in [0, 1]: sqrt(1 - sum(sqrt(p * q))).

>>> import numpy as np
>>> Hellinger().divergence(np.array([0.5, 0.5]), np.array([0.5, 0.5]))
0.0
"""

import numpy as np

from smokejumper.stats.binning import Floats
from smokejumper.stats.methods.base import register
from smokejumper.stats.methods.binned import BinnedDivergence


@register
class Hellinger(BinnedDivergence):
    name = "hellinger"
    title = "Hellinger distance"
    effect = "Hellinger distance"
    threshold = 0.1

    def divergence(self, p: Floats, q: Floats) -> float:
        return float(np.sqrt(max(1.0 - float(np.sum(np.sqrt(p * q))), 0.0)))

    def from_chi_squared(self, scaled: float) -> float:
        return float(np.sqrt(scaled / 8))  # 1 - sum(sqrt(p q)) ~ sum((q - p)**2 / p) / 8
