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

from smokejumper.stats.binning import Floats


@dataclass(frozen=True, eq=False)
class EcdfGap:
    """``gap[i]`` is F_a - F_b just after ``values[i]`` (the merged sorted samples)."""

    values: Floats
    gap: Floats

    @classmethod
    def of(cls, a: Floats, b: Floats) -> EcdfGap:
        """Merge two sorted, non-empty samples."""
        values = np.concatenate([a, b])
        # A stable argsort of two sorted runs is a linear merge (timsort finds the runs).
        order = np.argsort(values, kind="stable")
        from_a = order < a.size
        gap = np.cumsum(from_a) / a.size - np.cumsum(~from_a) / b.size
        return cls(values[order], gap)

    def ks(self) -> float:
        """Kolmogorov-Smirnov D: the largest absolute gap, read after the last of tied values."""
        last = np.r_[self.values[1:] != self.values[:-1], True]
        return float(np.abs(self.gap[last]).max())

    def wasserstein(self) -> float:
        """Wasserstein-1 distance: the area between the two CDFs."""
        return float(np.sum(np.abs(self.gap[:-1]) * np.diff(self.values)))
