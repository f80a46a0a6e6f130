"""Performance: a quality metric of the predictions once their labels arrive."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field
from scipy import stats

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

    With ``alpha``, a share metric (accuracy, precision, recall) under ``min`` is unhealthy
    only when significantly so: the exact one-sided binomial test of "the metric is at least
    ``min``" on the window's counts rejects at ``alpha`` (as ``scipy.stats.binomtest(k, n,
    min, alternative="less")``). A window of a hundred labels misses an accuracy of 0.8 by 0.08
    about once in two hundred by chance alone; the test keeps that from paging.

    >>> import pyarrow as pa
    >>> from datetime import UTC, datetime
    >>> rows = pa.table({"id": ["a", "b", "c", "d"], "prediction": [0.9, 0.8, 0.3, 0.1]})
    >>> labels = pa.table({"id": ["a", "b", "c"], "label": ["1", "0", "0"]})
    >>> window = WindowData(datetime(2026, 1, 1, tzinfo=UTC), rows, labels=labels)
    >>> spec = Performance(name="acc", model="churn", type="performance", metric="accuracy")
    >>> spec.measure(window)
    (0.6666666666666666, {'labelled': 3, 'rows': 4, 'successes': 2, 'trials': 3})
    """

    type: Literal["performance"]
    metric: Literal["accuracy", "precision", "recall", "f1", "roc_auc", "rmse", "mae"]
    threshold: float = Field(default=0.5, description="score cut-off for class metrics")
    positive: str = Field(default="1", description="the positive label, as text")
    alpha: float | None = Field(
        default=None,
        gt=0.0,
        lt=1.0,
        description="share metrics under min page only when a binomial test rejects at alpha",
    )

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
            shares = counts.counts(self.metric)
            if shares is not None:
                details["successes"], details["trials"] = shares
            return counts.metric(self.metric), details
        if scores is not None:
            finite = np.isfinite(scores)
            truth, scores = truth[finite], scores[finite]
            details["scored"] = int(finite.sum())
        if scores is None or len(set(truth.tolist())) < 2:
            return no_value("ROC AUC needs numeric scores and both classes among the labels")
        return roc_auc(truth, scores), details

    def judge(self, value: float | None, details: Mapping[str, Any]) -> bool | None:
        """Under ``min`` is unhealthy, with ``alpha`` only when significant (see the class).

        >>> spec = Performance(name="acc", model="m", type="performance", metric="accuracy",
        ...                    min=0.72, alpha=0.05)
        >>> spec.judge(0.709, {"successes": 117, "trials": 165})  # 2 points under, by chance
        True
        >>> spec.judge(0.6, {"successes": 99, "trials": 165})
        False
        """
        healthy = self.healthy(value)
        if healthy is not False or self.alpha is None or self.min is None:
            return healthy
        successes, trials = details.get("successes"), details.get("trials")
        if not isinstance(successes, int) or not isinstance(trials, int) or trials <= 0:
            return healthy
        return binomial_shortfall_p(successes, trials, self.min) >= self.alpha


def binomial_shortfall_p(successes: int, trials: int, share: float) -> float:
    """The exact one-sided p-value of ``successes`` in ``trials`` under a share of at least
    ``share``: ``P(X <= successes)``, ``X ~ Binomial(trials, share)``.

    >>> round(binomial_shortfall_p(117, 165, 0.72), 3)
    0.406
    """
    return float(stats.binom.cdf(successes, trials, share))
