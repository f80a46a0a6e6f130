"""Shared base of the methods that compare bin shares (PSI, JS, Hellinger, KL, TV, L-inf).

Numbers are binned on the reference's deciles, categories are their own bins. On raw data and on
profiles made with the reference the bin counts are exact, so these statistics are exact on their
bins; when the current profile had other bins, its counts are read off its quantile sketch and
the note gives the largest error of any bin's share.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import ClassVar

import numpy as np

from smokejumper.stats.binning import Floats
from smokejumper.stats.methods.base import ALL_KINDS, ColumnPair, DriftMethod, MethodResult, shares
from smokejumper.stats.noise import chi2_quantile

#: Share given to empty bins by PSI and KL, whose logarithms would otherwise be infinite.
EMPTY_BIN_SHARE = 1e-4


class BinnedDivergence(DriftMethod):
    """A distance between the reference's and the current bin shares (no p-value)."""

    kinds = ALL_KINDS
    has_p_value = False
    floor: ClassVar[float] = 0.0

    def compute(self, pair: ColumnPair) -> MethodResult:
        ref, cur, _, share_error = pair.binned()
        value = self.divergence(shares(ref, self.floor), shares(cur, self.floor))
        note = None
        if share_error > 0:
            note = f"approximate: each bin's current share is within +/-{share_error:.3g}"
        return MethodResult(statistic=value, p_value=None, effect_size=value, note=note)

    @abstractmethod
    def divergence(self, p: Floats, q: Floats) -> float:
        """Distance between reference shares ``p`` and current shares ``q``."""

    @abstractmethod
    def from_chi_squared(self, scaled: float) -> float:
        """The distance that shares differing by ``sum((q - p)**2 / p) = scaled`` give, to
        first order (how the noise floor carries over from chi-squared)."""

    def noise_floor(self, pair: ColumnPair) -> float | None:
        """``from_chi_squared(q (1/n + 1/m))``: under no change ``sum((q - p)**2 / p)`` is about
        chi-squared(k - 1) times ``1/n + 1/m``."""
        ref, cur, _, _ = pair.binned()
        n, m = float(ref.sum()), float(cur.sum())
        if n <= 0 or m <= 0:
            return None
        bins = int(np.count_nonzero(ref + cur))
        return self.from_chi_squared(chi2_quantile(bins) * (1 / n + 1 / m))
