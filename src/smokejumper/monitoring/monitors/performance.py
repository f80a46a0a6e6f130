"""Performance: a quality metric of the predictions once their labels arrive."""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
from pydantic import Field

from smokejumper.monitoring.classification import METRICS, Confusion, roc_auc
from smokejumper.monitoring.monitors.base import (
    Example,
    Measurement,
    MonitorType,
    no_value,
    register,
)
from smokejumper.monitoring.monitors.labels import joined, labelled_classes
from smokejumper.monitoring.monitors.window import WindowData


@register
class Performance(MonitorType):
    """A quality metric once labels arrive (joined by prediction id).

    >>> import pyarrow as pa
    >>> from datetime import UTC, datetime
    >>> rows = pa.table({"id": ["a", "b", "c", "d"], "prediction": [0.9, 0.8, 0.3, 0.1]})
    >>> labels = pa.table({"id": ["a", "b", "c"], "label": ["1", "0", "0"]})
    >>> window = WindowData(datetime(2026, 1, 1, tzinfo=UTC), rows, labels=labels)
    >>> spec = Performance(name="acc", model="churn", type="performance", metric="accuracy")
    >>> spec.measure(window)
    (0.6666666666666666, {'labelled': 3, 'rows': 4})
    """

    type: Literal["performance"]
    metric: Literal["accuracy", "precision", "recall", "f1", "roc_auc", "rmse", "mae"]
    threshold: float = Field(default=0.5, description="score cut-off for class metrics")
    positive: str = Field(default="1", description="the positive label, as text")

    needs_rows = True
    reads = frozenset({"rows", "labels"})
    example: ClassVar[Example] = {"metric": "roc_auc", "min": 0.7}

    def measure(self, window: WindowData) -> Measurement:
        """The metric over the labelled rows of the window."""
        table = joined(window)
        if table is None:
            return no_value("no labels joined yet")
        details = {"labelled": table.num_rows, "rows": window.predictions.num_rows}
        if self.metric in ("rmse", "mae"):
            truth = np.asarray(table.column("label").to_pylist(), dtype=np.float64)
            pred = table.column("prediction").to_numpy(zero_copy_only=False).astype(np.float64)
            error = pred - truth
            squared = self.metric == "rmse"
            value = np.sqrt(np.mean(error**2)) if squared else np.mean(np.abs(error))
            return float(value), details
        truth, predicted, scores = labelled_classes(window, table, self.threshold, self.positive)
        if self.metric in METRICS:
            key = ("confusion", self.threshold, self.positive)
            counts: Confusion = window.shared(key, lambda: Confusion.of(truth, predicted))
            return counts.metric(self.metric), details
        if scores is not None:
            finite = np.isfinite(scores)
            truth, scores = truth[finite], scores[finite]
            details["scored"] = int(finite.sum())
        if scores is None or len(set(truth.tolist())) < 2:
            return no_value("ROC AUC needs numeric scores and both classes among the labels")
        return roc_auc(truth, scores), details
