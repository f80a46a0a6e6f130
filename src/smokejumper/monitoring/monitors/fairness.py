"""Fairness: the difference between segments in what the model predicts (fairlearn)."""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
import pyarrow as pa

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
    """Difference between segments (fairlearn): demographic parity or equalized odds.

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
    metric: Literal["demographic_parity_difference", "equalized_odds_difference"]
    segment: str
    threshold: float = 0.5
    positive: str = "1"
    max: float | None = 0.1

    needs_rows = True
    reads = frozenset({"rows", "labels"})
    example: ClassVar[Example] = {"metric": "equalized_odds_difference", "segment": "plan"}

    def measure(self, window: WindowData) -> Measurement:
        """The metric's largest difference between the segment's groups."""
        try:
            from fairlearn import metrics as fair
        except ImportError:
            return no_value("fairness monitors need fairlearn: pip install 'smokejumper[fairness]'")
        by_rows = self.metric == "demographic_parity_difference"
        table = window.predictions if by_rows else joined(window)
        if table is None or table.num_rows == 0:
            return no_value("no labels joined yet" if window.predictions.num_rows else "no rows")
        segment = table.column(self.segment).cast(pa.string()).fill_null("(null)")
        groups = np.asarray(segment)
        if "label" in table.column_names:
            truth, predicted, _ = classes(table, self.threshold, self.positive)
        else:
            unlabelled = table.append_column("label", pa.nulls(table.num_rows, pa.string()))
            _, predicted, _ = classes(unlabelled, self.threshold, self.positive)
            truth = predicted
        score = getattr(fair, self.metric)(truth, predicted, sensitive_features=groups)
        return float(score), {"segment": self.segment, "groups": sorted(set(groups.tolist()))}
