"""Kullback-Leibler divergence KL(reference || current) in nats; empty bins get 1e-4.

Agrees with ``scipy.stats.entropy(p, q)`` on the floored shares.

>>> import numpy as np
>>> KullbackLeibler().divergence(np.array([0.5, 0.5]), np.array([0.5, 0.5]))
0.0
"""

import numpy as np
from scipy.special import rel_entr

from smokejumper.stats.binning import Floats
from smokejumper.stats.methods.base import register
from smokejumper.stats.methods.binned import EMPTY_BIN_SHARE, BinnedDivergence


@register
class KullbackLeibler(BinnedDivergence):
    name = "kl"
    title = "Kullback-Leibler divergence"
    effect = "KL divergence (nats)"
    threshold = 0.1
    floor = EMPTY_BIN_SHARE

    def divergence(self, p: Floats, q: Floats) -> float:
        return float(np.sum(rel_entr(p, q)))

    def from_chi_squared(self, scaled: float) -> float:
        return scaled / 2
