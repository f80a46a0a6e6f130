"""Mergeable profile of a numeric (or datetime) column.

>>> import numpy as np
>>> values = np.arange(100, dtype=float)
>>> whole = NumericProfile.from_values(values)
>>> parts = NumericProfile.from_values(values[:30], whole.binning).merge(
...     NumericProfile.from_values(values[30:], whole.binning))
>>> parts.n, round(parts.mean, 6), bool((parts.counts == whole.counts).all())
(100, 49.5, True)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import datasketches
import numpy as np

from smokejumper.errors import IncompatibleProfilesError
from smokejumper.stats import hll, kll
from smokejumper.stats.binning import Binning, Counts, Floats


@dataclass(eq=False)
class NumericProfile:
    """Counts, moments, histogram, quantile and distinct-count sketches of numeric values.

    ``count`` is every row; ``nulls``, ``nans``, ``pos_inf`` and ``neg_inf`` are counted apart
    and ``n`` is the number of finite values, which alone enter moments and sketches. Moments are
    float64: with values beyond about 1e154 in magnitude their squares overflow to infinity.
    """

    count: int
    nulls: int
    nans: int
    pos_inf: int
    neg_inf: int
    n: int
    mean: float
    m2: float  # sum of squared deviations from the mean
    min: float
    max: float
    binning: Binning
    counts: Counts  # per fine bin of ``binning``
    at_edges: Counts  # values equal to each fine edge (tightens bounds on discrete data)
    quantiles: datasketches.kll_doubles_sketch | None = field(default=None, repr=False)
    distinct: hll.Registers | None = field(default=None, repr=False)
    #: Largest error of any rank the quantile sketch gives, in values (certain; ``None`` when
    #: unknown, e.g. a profile written before it was stored: see :func:`kll.rank_error`).
    quantile_error: int | None = None

    @classmethod
    def from_values(
        cls,
        values: Floats,
        binning: Binning | None = None,
        *,
        nulls: int = 0,
        sketches: bool = True,
        sorted_finite: Floats | None = None,
    ) -> NumericProfile:
        """Profile an array of floats (NaN and infinities allowed); ``nulls`` counts missing.

        Without ``binning`` the bins are fixed by these values (the profile is its own
        reference). ``sorted_finite`` may pass the already sorted finite values to save a sort.
        """
        if sorted_finite is None:
            finite = np.isfinite(values)
            all_finite = bool(finite.all())
            sorted_finite = np.sort(values if all_finite else values[finite])
        n = int(sorted_finite.size)
        if n == values.size:  # nothing to count apart
            nans = pos_inf = neg_inf = 0
        else:
            nans = int(np.count_nonzero(np.isnan(values)))
            pos_inf = int(np.count_nonzero(values == np.inf))
            neg_inf = int(np.count_nonzero(values == -np.inf))
        if binning is None:
            binning = Binning.from_sorted(sorted_finite)
        with np.errstate(over="ignore", invalid="ignore"):  # values near 1e308 overflow to inf
            mean = float(sorted_finite.mean()) if n else 0.0
            m2 = _squared_deviations(sorted_finite, mean)
        quantiles = distinct = quantile_error = None
        if sketches:
            quantiles, quantile_error = kll.build(sorted_finite)
            distinct = hll.sorted_float_registers(sorted_finite)
        return cls(
            count=int(values.size) + nulls,
            nulls=nulls,
            nans=nans,
            pos_inf=pos_inf,
            neg_inf=neg_inf,
            n=n,
            mean=mean,
            m2=m2,
            min=float(sorted_finite[0]) if n else math.nan,
            max=float(sorted_finite[-1]) if n else math.nan,
            binning=binning,
            counts=binning.counts(sorted_finite),
            at_edges=binning.at_edges(sorted_finite),
            quantiles=quantiles,
            distinct=distinct,
            quantile_error=quantile_error,
        )

    @property
    def usable(self) -> int:
        """Values the statistics can use: the finite ones."""
        return self.n

    @property
    def variance(self) -> float:
        """Sample variance (``ddof=1``); NaN with fewer than two values."""
        return self.m2 / (self.n - 1) if self.n > 1 else math.nan

    @property
    def std(self) -> float:
        """Sample standard deviation; NaN with fewer than two values."""
        return math.sqrt(self.variance) if self.n > 1 else math.nan

    @property
    def distinct_estimate(self) -> float | None:
        """Estimated number of distinct finite values (HyperLogLog), if sketched."""
        return hll.estimate(self.distinct) if self.distinct is not None else None

    @property
    def rank_error(self) -> float:
        """Normalised rank error bound of the quantile sketch (0 when it holds every value):
        certain when :attr:`quantile_error` is known, DataSketches' 99 % bound otherwise."""
        if self.quantiles is None:
            return 0.0
        return kll.rank_error(self.quantiles, self.quantile_error)

    def merge(self, other: NumericProfile) -> NumericProfile:
        """The profile of both batches together (Chan et al.'s pairwise moment update)."""
        return merge_all([self, other])

    def cdf_on(self, binning: Binning) -> tuple[Floats, Floats, float]:
        """Cumulative shares at another profile's edges, at and just below each edge.

        Returns ``F(e)`` (share of values <= e), ``F(e-)`` (share < e) and the largest error of
        any of them: 0 when the bins match, otherwise they are read off the quantile sketch, whose
        every cumulative share is within ``rank_error`` of the truth.
        """
        if self.binning.same_as(binning):
            at_or_below = np.cumsum(self.counts[:-1]) / max(self.n, 1)
            return at_or_below, at_or_below - self.at_edges / max(self.n, 1), 0.0
        if self.quantiles is None or self.n == 0:
            raise IncompatibleProfilesError(
                "this profile has other bins and no quantile sketch to re-bin from; profile the "
                "current data with the reference: smokejumper profile DATA --reference "
                "REFERENCE.profile, or profile(data, reference=...) in Python"
            )
        edges = list(binning.edges)
        at_or_below = np.asarray(self.quantiles.get_cdf(edges, True), dtype=np.float64)[:-1]
        below = np.asarray(self.quantiles.get_cdf(edges, False), dtype=np.float64)[:-1]
        return at_or_below, below, self.rank_error

    def counts_on(self, binning: Binning) -> tuple[Floats, float]:
        """Counts per bin of ``binning`` and the largest error of any cumulative share."""
        at_or_below, _, bound = self.cdf_on(binning)
        return np.diff(np.concatenate(([0.0], at_or_below * self.n, [float(self.n)]))), bound


_CHUNK = 1 << 16


def _squared_deviations(values: Floats, mean: float) -> float:
    """Sum of squared deviations from ``mean``, in chunks that stay in the CPU cache."""
    total = 0.0
    for start in range(0, values.size, _CHUNK):
        deviations = values[start : start + _CHUNK] - mean
        total += float(np.einsum("i,i->", deviations, deviations))
    return total


def merge_all(parts: Sequence[NumericProfile]) -> NumericProfile:
    """The profile of all the batches together, in one step.

    Moments are folded in order with Chan et al.'s pairwise update; quantile sketches are pooled
    and compacted once with :func:`kll.merged_bounded` (the same parts give the same bytes, in
    any order, and the merged sketch's error bound is the parts' bounds plus the measured shift of
    the compaction); counts and registers are combined at once.
    """
    first = parts[0]
    for part in parts[1:]:
        if not first.binning.same_as(part.binning):
            raise IncompatibleProfilesError(
                "cannot merge numeric profiles whose bins differ; profile every part with the "
                "same reference: smokejumper profile DATA --reference REFERENCE.profile, or "
                "profile(data, reference=...) in Python"
            )
    n, mean, m2 = first.n, first.mean, first.m2
    for part in parts[1:]:
        n, mean, m2 = _chan(n, mean, m2, part)
    quantiles = distinct = quantile_error = None
    if all(p.quantiles is not None for p in parts):
        quantiles, quantile_error = kll.merged_bounded(
            [kll.Bounded(p.quantiles, p.quantile_error) for p in parts if p.quantiles is not None]
        )
    registers = [p.distinct for p in parts if p.distinct is not None]
    if len(registers) == len(parts):
        distinct = np.maximum.reduce(registers)
    return NumericProfile(
        count=sum(p.count for p in parts),
        nulls=sum(p.nulls for p in parts),
        nans=sum(p.nans for p in parts),
        pos_inf=sum(p.pos_inf for p in parts),
        neg_inf=sum(p.neg_inf for p in parts),
        n=n,
        mean=mean,
        m2=m2,
        min=float(np.fmin.reduce([p.min for p in parts])),
        max=float(np.fmax.reduce([p.max for p in parts])),
        binning=first.binning,
        counts=np.sum([p.counts for p in parts], axis=0),
        at_edges=np.sum([p.at_edges for p in parts], axis=0),
        quantiles=quantiles,
        distinct=distinct,
        quantile_error=quantile_error,
    )


def _chan(n: int, mean: float, m2: float, part: NumericProfile) -> tuple[int, float, float]:
    """Count, mean and squared deviations of a running total with one more part added."""
    total = n + part.n
    if not (n and part.n):  # one side is empty: keep the other's moments as they are
        return (total, mean, m2) if n else (total, part.mean, part.m2)
    with np.errstate(over="ignore", invalid="ignore"):  # |values| > 1e154 overflow
        delta = np.float64(part.mean) - np.float64(mean)
        return (
            total,
            float(mean + delta * part.n / total),
            float(m2 + part.m2 + delta * delta * n * part.n / total),
        )
