"""Jensen-Shannon distance (base 2, in [0, 1]); agrees with ``scipy.spatial.distance``.

>>> import numpy as np
>>> JensenShannon().divergence(np.array([1.0, 0.0]), np.array([0.0, 1.0]))
1.0
"""

import numpy as np
from scipy.special import rel_entr

from smokejumper.stats.binning import Floats
from smokejumper.stats.methods.base import register
from smokejumper.stats.methods.binned import BinnedDivergence


@register
class JensenShannon(BinnedDivergence):
    name = "jensenshannon"
    title = "Jensen-Shannon distance"
    effect = "Jensen-Shannon distance (base 2)"
    threshold = 0.1

    def divergence(self, p: Floats, q: Floats) -> float:
        m = (p + q) / 2
        js = (np.sum(rel_entr(p, m)) + np.sum(rel_entr(q, m))) / (2 * np.log(2))
        return float(np.sqrt(max(js, 0.0)))

    def from_chi_squared(self, scaled: float) -> float:
        return float(np.sqrt(scaled / (8 * np.log(2))))  # JS divergence ~ chi-squared / 8 nats
