"""Fairness: the difference between segments in what the model predicts (fairlearn's
demographic parity and equalized odds) or in how often it is right (the accuracy gap)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import numpy as np
import pyarrow as pa
from pydantic import Field

from smokejumper.monitoring.monitors.base import (
    Example,
    Measurement,
    MonitorType,
    no_value,
    register,
)
from smokejumper.monitoring.monitors.labels import classes, joined
from smokejumper.monitoring.monitors.window import WindowData


@register
class Fairness(MonitorType):
    """Difference between segments: demographic parity or equalized odds (fairlearn), or the
    accuracy gap (the most any group's accuracy falls short of the rest's: every other
    labelled row).

    The accuracy gap reads the labelled rows, compares only groups with ``min_group_rows`` of
    them or more (smaller groups stay in the rest), and is unhealthy only when the gap is over
    ``max`` *and* the
    worst group is significantly worse than the rest: a one-sided two-proportion z-test,
    Bonferroni-corrected over the groups compared, under ``alpha``. A handful of labels per
    group makes wide gaps by chance; the test keeps them from paging.

    >>> import pyarrow as pa
    >>> from datetime import UTC, datetime
    >>> rows = pa.table({"plan": ["basic", "basic", "pro", "pro"],
    ...                  "prediction": [0.9, 0.8, 0.7, 0.1]})
    >>> window = WindowData(datetime(2026, 1, 1, tzinfo=UTC), rows)
    >>> Fairness(name="parity", model="churn", type="fairness", segment="plan",
    ...          metric="demographic_parity_difference").measure(window)
    (0.5, {'segment': 'plan', 'groups': ['basic', 'pro']})
    """

    type: Literal["fairness"]
    metric: Literal["demographic_parity_difference", "equalized_odds_difference", "accuracy_gap"]
    segment: str
    threshold: float = 0.5
    positive: str = "1"
    max: float | None = 0.1
    #: The accuracy gap: labelled rows a group needs to be compared, and the test's level.
    min_group_rows: int = Field(default=30, ge=1, le=1_000_000)
    alpha: float = Field(default=0.01, gt=0.0, lt=1.0)

    needs_rows = True
    reads = frozenset({"rows", "labels"})
    example: ClassVar[Example] = {"metric": "equalized_odds_difference", "segment": "plan"}

    def measure(self, window: WindowData) -> Measurement:
        """The metric's largest difference between the segment's groups."""
        if self.metric == "accuracy_gap":
            return self._accuracy_gap(window)
        try:
            from fairlearn import metrics as fair
        except ImportError:
            return no_value("fairness monitors need fairlearn: pip install 'smokejumper[fairness]'")
        by_rows = self.metric == "demographic_parity_difference"
        table = window.predictions if by_rows else joined(window)
        if table is None or table.num_rows == 0:
            return no_value("no labels joined yet" if window.predictions.num_rows else "no rows")
        groups = self._groups(table)
        if "label" in table.column_names:
            truth, predicted, _ = classes(table, self.threshold, self.positive)
        else:
            unlabelled = table.append_column("label", pa.nulls(table.num_rows, pa.string()))
            _, predicted, _ = classes(unlabelled, self.threshold, self.positive)
            truth = predicted
        score = getattr(fair, self.metric)(truth, predicted, sensitive_features=groups)
        return float(score), {"segment": self.segment, "groups": sorted(set(groups.tolist()))}

    def _groups(self, table: pa.Table) -> np.ndarray:
        return np.asarray(table.column(self.segment).cast(pa.string()).fill_null("(null)"))

    def _accuracy_gap(self, window: WindowData) -> Measurement:
        """The worst group's shortfall against the rest, with its test (see the class)."""
        table = joined(window)
        if table is None:
            return no_value("no labels joined yet" if window.predictions.num_rows else "no rows")
        truth, predicted, _ = classes(table, self.threshold, self.positive)
        right = truth == predicted
        groups = self._groups(table)
        names, counts = np.unique(groups, return_counts=True)
        compared = [str(g) for g, n in zip(names, counts, strict=True) if n >= self.min_group_rows]
        if len(compared) < 2:
            return no_value(
                f"fewer than 2 groups of {self.segment} with {self.min_group_rows} labelled rows"
            )
        accuracy: dict[str, float] = {}
        sizes: dict[str, int] = {}
        rights: dict[str, int] = {}
        gaps: list[tuple[float, float, str]] = []
        for group in compared:
            inside = groups == group
            n1, n0 = int(inside.sum()), int((~inside).sum())
            x1, x0 = int(right[inside].sum()), int(right[~inside].sum())
            accuracy[group] = round(x1 / n1, 6)
            sizes[group], rights[group] = n1, x1
            p = min(1.0, shortfall_p(x1, n1, x0, n0) * len(compared))
            gaps.append((x0 / n0 - x1 / n1, p, group))
        gap, p_value, worst = max(gaps)
        return round(gap, 6), {
            "segment": self.segment,
            "groups": compared,
            "worst": worst,
            "accuracy": accuracy,
            "counts": sizes,
            "right": rights,
            "labelled": len(right),
            "labelled_right": int(right.sum()),
            "p_value": p_value,
        }

    def judge(self, value: float | None, details: Mapping[str, Any]) -> bool | None:
        """The accuracy gap is unhealthy only when over ``max`` and significant (see the
        class); the other metrics by their limits alone.

        >>> spec = Fairness(name="gap", model="m", type="fairness", segment="region",
        ...                 metric="accuracy_gap", max=0.15)
        >>> spec.judge(0.3, {"p_value": 0.2}), spec.judge(0.3, {"p_value": 0.001})
        (True, False)
        """
        healthy = self.healthy(value)
        if self.metric == "accuracy_gap" and healthy is False:
            p_value = details.get("p_value")
            if p_value is None or float(p_value) >= self.alpha:
                return True
        return healthy


def shortfall_p(x1: int, n1: int, x0: int, n0: int) -> float:
    """The one-sided p-value that a group right ``x1`` times in ``n1`` is less accurate than the
    rest, right ``x0`` times in ``n0`` (two-proportion z-test, pooled variance).

    >>> round(shortfall_p(30, 60, 200, 240), 6), round(shortfall_p(50, 60, 200, 240), 6)
    (0.0, 0.5)
    """
    pooled = (x1 + x0) / (n1 + n0)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    if se == 0:
        return 1.0
    z = (x0 / n0 - x1 / n1) / se
    return 0.5 * math.erfc(z / math.sqrt(2))
