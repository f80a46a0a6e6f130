"""Unseen categories: the share of a categorical column's values new to the reference."""

from __future__ import annotations

from typing import ClassVar, Literal

import pyarrow as pa
import pyarrow.compute as pc

from smokejumper.monitoring.monitors.base import (
    Example,
    Measurement,
    MonitorType,
    no_value,
    register,
    share,
)
from smokejumper.monitoring.monitors.window import WindowData
from smokejumper.stats.categorical import CategoricalProfile


@register
class UnseenCategories(MonitorType):
    """Share of a categorical column's values never seen in the reference.

    >>> import pyarrow as pa
    >>> from datetime import UTC, datetime
    >>> from smokejumper.stats.dataset import profile
    >>> reference = profile(pa.table({"plan": ["basic", "pro"] * 10}))
    >>> rows = pa.table({"plan": ["basic", "pro", "enterprise", "basic"]})
    >>> window = WindowData(datetime(2026, 1, 1, tzinfo=UTC), rows, reference=reference)
    >>> UnseenCategories(name="new-plans", model="churn", type="unseen_categories",
    ...                  column="plan").measure(window)
    (0.25, {'examples': ['enterprise']})
    """

    type: Literal["unseen_categories"]
    column: str
    max: float | None = 0.01

    needs_rows = True
    reads = frozenset({"rows", "reference"})
    example: ClassVar[Example] = {"column": "plan"}

    def measure(self, window: WindowData) -> Measurement:
        """The share of the column's values the reference never saw, with some of them."""
        ref = window.reference.columns.get(self.column) if window.reference else None
        if not isinstance(ref, CategoricalProfile):
            return no_value(f"no categorical reference for {self.column!r}")
        known = pa.array(list(ref.frequencies()), pa.string())
        values = window.predictions.column(self.column).drop_null().cast(pa.string())
        new = pc.invert(pc.is_in(values, value_set=known))
        unseen = sorted(set(pc.filter(values, new).to_pylist()))[:20]
        return share(int(pc.sum(new).as_py() or 0), len(values)), {"examples": unseen}
