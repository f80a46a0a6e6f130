"""Mergeable profile of a categorical, boolean or text column.

Counts are exact up to :data:`EXACT_CAP` distinct values; beyond it the profile keeps a
frequent-items sketch (Apache DataSketches) whose per-item error bound it reports.

>>> a = CategoricalProfile.from_counts({"a": 3, "b": 1})
>>> b = CategoricalProfile.from_counts({"a": 1, "c": 2}, nulls=1)
>>> m = a.merge(b)
>>> m.frequencies(), m.nulls, m.count
({'a': 4, 'b': 1, 'c': 2}, 1, 8)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import datasketches

from smokejumper.stats import hll

#: Distinct values counted exactly before switching to the frequent-items sketch.
EXACT_CAP = 1000
#: log2 of the frequent-items sketch's map size (tracks about 0.75 * 2**11 items).
ITEMS_LG_MAX_MAP = 11


@dataclass(eq=False)
class CategoricalProfile:
    """Non-null value counts, null count and a distinct-count sketch."""

    count: int
    nulls: int
    exact: dict[str, int] | None  # None once the sketch has taken over
    items: datasketches.frequent_strings_sketch | None = field(default=None, repr=False)
    distinct: hll.Registers = field(default_factory=hll.empty, repr=False)

    @classmethod
    def from_counts(cls, counts: Mapping[str, int], nulls: int = 0) -> CategoricalProfile:
        """Profile from value counts of one batch."""
        exact = {str(k): int(v) for k, v in counts.items() if v}
        regs = hll.registers(hll.hash_strings(exact))
        total = sum(exact.values()) + nulls
        return cls(total, nulls, exact, None, regs)._capped()

    def _capped(self) -> CategoricalProfile:
        if self.exact is not None and len(self.exact) > EXACT_CAP:
            sketch = datasketches.frequent_strings_sketch(ITEMS_LG_MAX_MAP)
            for value, weight in self.exact.items():
                sketch.update(value, weight)
            self.exact, self.items = None, sketch
        return self

    @property
    def non_null(self) -> int:
        """Number of values that are not null."""
        return self.count - self.nulls

    @property
    def usable(self) -> int:
        """Values the statistics can use: the non-null ones."""
        return self.non_null

    @property
    def is_exact(self) -> bool:
        """Whether every count is exact."""
        return self.exact is not None

    @property
    def count_error(self) -> float:
        """Largest possible error of any single count (0 when exact)."""
        return 0.0 if self.items is None else float(self.items.epsilon * self.items.total_weight)

    @property
    def distinct_estimate(self) -> float:
        """Estimated number of distinct values (exact when counts are exact)."""
        return float(len(self.exact)) if self.exact is not None else hll.estimate(self.distinct)

    def frequencies(self) -> dict[str, int]:
        """Value -> count; with the sketch, only values it can name, with estimated counts."""
        if self.exact is not None:
            return dict(sorted(self.exact.items()))
        assert self.items is not None
        rows = self.items.get_frequent_items(
            datasketches.frequent_items_error_type.NO_FALSE_NEGATIVES
        )
        return {str(row[0]): int(row[1]) for row in rows}

    def merge(self, other: CategoricalProfile) -> CategoricalProfile:
        """The profile of both batches together."""
        regs = hll.merge(self.distinct, other.distinct)
        count, nulls = self.count + other.count, self.nulls + other.nulls
        if self.exact is not None and other.exact is not None:
            merged = dict(self.exact)
            for value, weight in other.exact.items():
                merged[value] = merged.get(value, 0) + weight
            return CategoricalProfile(count, nulls, merged, None, regs)._capped()
        sketch = datasketches.frequent_strings_sketch(ITEMS_LG_MAX_MAP)
        for part in (self, other):
            if part.items is not None:
                sketch.merge(part.items)
            else:
                for value, weight in (part.exact or {}).items():
                    sketch.update(value, weight)
        return CategoricalProfile(count, nulls, None, sketch, regs)
