"""Histogram bins fixed by the reference, shared by every profile compared with it.

Fine bins sit at the reference's 2 % quantiles (for the KS and Wasserstein bounds); coarse bins,
a subset of them, at its deciles (for PSI, Jensen-Shannon, Hellinger, KL and total variation,
whose values on few rows would otherwise be inflated by empty fine bins). Bin ``i`` holds values
in ``(edges[i-1], edges[i]]``; bin 0 holds values at or below the reference minimum and the last
bin values above the reference maximum.

>>> import numpy as np
>>> b = Binning.from_sorted(np.arange(1000, dtype=float))
>>> len(b.edges), len(b.coarse), bool(np.isin(b.coarse, b.edges).all())
(51, 11, True)
"""

from __future__ import annotations

import hashlib
import itertools
import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

FINE_BINS = 50
COARSE_BINS = 10

Floats = npt.NDArray[np.float64]
Counts = npt.NDArray[np.int64]


def _order_statistics(sorted_values: Floats, levels: int) -> Floats:
    n = sorted_values.size
    index = np.floor(np.linspace(0.0, 1.0, levels + 1) * (n - 1)).astype(np.intp)
    return np.unique(sorted_values[index])


@dataclass(frozen=True, eq=False)
class Binning:
    """Bin edges derived from a reference sample."""

    edges: Floats
    coarse: Floats

    @classmethod
    def from_sorted(cls, sorted_values: Floats) -> Binning:
        """Bins at the quantiles of a sorted, finite, non-empty sample."""
        if sorted_values.size == 0:
            return cls(np.empty(0), np.empty(0))
        return cls(
            _order_statistics(sorted_values, FINE_BINS),
            _order_statistics(sorted_values, COARSE_BINS),
        )

    @property
    def fingerprint(self) -> str:
        """Short content hash: equal fingerprints mean identical bins."""
        digest = hashlib.blake2b(digest_size=8)
        digest.update(self.edges.tobytes())
        digest.update(self.coarse.tobytes())
        return digest.hexdigest()

    def same_as(self, other: Binning) -> bool:
        """Whether both bin the line identically."""
        return np.array_equal(self.edges, other.edges) and np.array_equal(self.coarse, other.coarse)

    def counts(self, sorted_values: Floats) -> Counts:
        """Counts per fine bin (``len(edges) + 1`` bins) of a sorted sample."""
        at_or_below = np.searchsorted(sorted_values, self.edges, side="right")
        return np.diff(at_or_below, prepend=0, append=sorted_values.size).astype(np.int64)

    def at_edges(self, sorted_values: Floats) -> Counts:
        """How many values of a sorted sample equal each edge exactly."""
        right = np.searchsorted(sorted_values, self.edges, side="right")
        left = np.searchsorted(sorted_values, self.edges, side="left")
        return (right - left).astype(np.int64)

    @cached_property
    def coarse_labels(self) -> list[str]:
        """A label per coarse bin, for people (computed once per binning)."""
        edges = [edge_label(float(e)) for e in self.coarse]
        if not edges:
            return []
        inner = [f"({a}, {b}]" for a, b in itertools.pairwise(edges)]
        return [f"<= {edges[0]}", *inner, f"> {edges[-1]}"]

    def coarsen(self, fine_counts: npt.NDArray[np.floating] | Counts) -> Floats:
        """Counts per coarse bin from counts per fine bin."""
        cumulative = np.cumsum(fine_counts, dtype=np.float64)
        # cumulative[i] = count at or below edges[i]; coarse edges are a subset of edges.
        picked = cumulative[self._coarse_at]
        out = np.empty(picked.size + 1)
        out[0] = picked[0]
        np.subtract(picked[1:], picked[:-1], out=out[1:-1])
        out[-1] = cumulative[-1] - picked[-1]
        return out

    @cached_property
    def _coarse_at(self) -> npt.NDArray[np.intp]:
        """Index of each coarse edge among the fine edges."""
        return np.searchsorted(self.edges, self.coarse)


def edge_label(x: float) -> str:
    """A bin edge for people: four significant digits, no exponent for everyday magnitudes.

    >>> edge_label(22351.7), edge_label(0.012345), edge_label(-3.0), edge_label(1.5e9)
    ('22350', '0.01235', '-3', '1.5e+09')
    """
    if x == 0 or not 1e-3 <= abs(x) < 1e7:
        return f"{x:.4g}"
    decimals = max(0, 3 - math.floor(math.log10(abs(x))))
    text = f"{round(x, 3 - math.floor(math.log10(abs(x)))):.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
