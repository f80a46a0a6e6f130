"""The gap between two empirical CDFs, from one linear merge of two sorted samples.

Both the Kolmogorov-Smirnov statistic (the largest gap) and the Wasserstein-1 distance (the
area of the gap) come from the same merge, so the default numeric method pays for it once.

>>> import numpy as np
>>> gap = EcdfGap.of(np.array([0.0, 1.0]), np.array([1.0, 2.0]))
>>> gap.ks(), gap.wasserstein()
(0.5, 1.0)
"""

from __future__ import annotations

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
        """Wasserstein-1 distance: the area between the two CDFs."""
        area = np.dot(np.abs(self.steps[:-1]).astype(np.float64), np.diff(self.values))
        return float(area) / self.scale
