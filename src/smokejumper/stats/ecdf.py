"""The gap between two empirical CDFs, from one linear merge of two sorted samples.

Both the Kolmogorov-Smirnov statistic (the largest gap) and the Wasserstein-1 distance (the
area of the gap) come from the same merge, so the default numeric method pays for it once.

>>> import numpy as np
>>> gap = EcdfGap.of(np.array([0.0, 1.0]), np.array([1.0, 2.0]))
>>> gap.ks(), gap.wasserstein()
(0.5, 1.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from smokejumper.stats.binning import Floats


@dataclass(frozen=True, eq=False)
class EcdfGap:
    """``steps[i] / (n * m)`` is F_a - F_b just after ``values[i]`` (the merged samples).

    The gap is kept in integers (n * m times the gap), so it is exact and one division away
    from the CDF values SciPy compares.
    """

    values: Floats
    steps: npt.NDArray[np.int64]
    scale: int  # n * m

    @classmethod
    def of(cls, a: Floats, b: Floats) -> EcdfGap:
        """Merge two sorted, non-empty samples."""
        n, m = a.size, b.size
        values = np.concatenate([a, b])
        # A stable argsort of two sorted runs is a linear merge (timsort finds the runs).
        order = np.argsort(values, kind="stable")
        # Each value of a raises F_a by 1/n, each of b raises F_b by 1/m: in units of
        # 1/(n*m), +m and -n.
        steps = np.cumsum(np.where(order < n, m, -n))
        return cls(values[order], steps, n * m)

    def ks(self) -> float:
        """Kolmogorov-Smirnov D: the largest absolute gap, read after the last of tied values."""
        last = np.r_[self.values[1:] != self.values[:-1], True]
        return float(np.abs(self.steps[last]).max()) / self.scale

    def wasserstein(self) -> float:
        """Wasserstein-1 distance: the area between the two CDFs.

        Values are rescaled by a power of two (exact) when their gaps could overflow, so
        samples reaching 1e308 give the true distance, or infinity when it is beyond the
        largest double, and never a NumPy overflow warning.
        """
        scale = unit_scale(self.values)
        weights = np.abs(self.steps[:-1]).astype(np.float64)
        area = float(np.dot(weights, np.diff(self.values * scale))) / self.scale
        with np.errstate(over="ignore"):
            return float(np.float64(area) / scale)


#: Values up to this magnitude square and subtract without overflow.
SAFE_MAGNITUDE = 2.0**500


def unit_scale(*sorted_samples: Floats) -> float:
    """A power of two that brings sorted finite samples within [-1, 1] when their squares
    or gaps could overflow, else 1 (distances scale with it; ratios do not change).

    >>> unit_scale(np.array([-1e308, 1e308])) < 1e-307, unit_scale(np.array([1.0, 5.0]))
    (True, 1.0)
    """
    largest = max((max(abs(s[0]), abs(s[-1])) for s in sorted_samples if s.size), default=0.0)
    if largest <= SAFE_MAGNITUDE:
        return 1.0
    return float(2.0 ** -np.ceil(np.log2(largest)))


def scaled_samples(std: float, a: Floats, b: Floats) -> tuple[Floats, Floats, float]:
    """Both samples times :func:`unit_scale`, and the first one's standard deviation on that
    scale (``std`` as it is when no scaling was needed). Distances in standard deviations
    come out the same, without overflow."""
    scale = unit_scale(a, b)
    if scale == 1.0:
        return a, b, std
    a, b = a * scale, b * scale
    return a, b, float(np.std(a, ddof=1)) if a.size > 1 else math.nan
