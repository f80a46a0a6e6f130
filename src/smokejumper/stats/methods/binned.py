"""Shared base of the methods that compare bin shares (PSI, JS, Hellinger, KL, TV, L-inf).

Numbers are binned on the reference's deciles, categories are their own bins. On raw data and on
profiles made with the reference the bin counts are exact, so these statistics are exact on their
bins; when the current profile had other bins, its counts are read off its quantile sketch and
the note gives the largest error of any bin's share.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import ClassVar

from smokejumper.stats.binning import Floats
from smokejumper.stats.methods.base import ALL_KINDS, ColumnPair, DriftMethod, MethodResult, shares

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
