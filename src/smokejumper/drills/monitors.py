"""The monitor policy of the drills: the one suite of monitors every drill model gets, whatever
its fault, as a team would declare it once for a model (so a drill measures the product, not
monitors picked for the fault).

Who pages and who warns:

* **Page** (opens an incident): what is broken whether or not accuracy suffers yet: data
  quality (``quality``: missing shares, one value taking over), nulls (``nulls``: the worst
  feature over 5%), values outside the reference's range (``range_<column>``, per numeric
  feature), categories never seen (``unseen_<column>``, per categorical feature), traffic under
  30% of the usual for two windows in a row (``volume``), accuracy under the model's holdout
  accuracy minus 8 points (``accuracy``), p99 latency over 250 ms (``latency``), more than 2%
  errors (``errors``), mean confidence under half the holdout's (``confidence``), and one
  segment's accuracy falling :data:`FAIRNESS_GAP` or more short of the other segments' with
  significance for two windows in a row (``fairness``: the accuracy gap over the model's
  declared segment).
* **Warn** (no incident on its own; joins one that is open): drift of the inputs (``drift``)
  and of the predictions (``prediction_drift``). Drift alone is a sign, not a failure: an
  incident opens when something that matters breaks. Input drift compares each window with
  the reference's same hours of the day (``seasonality: daily``), so a daily pattern the
  reference already holds is no drift.

>>> from smokejumper.drills.base_data import loans_pool
>>> from smokejumper.drills.model import train_model
>>> suite = monitor_suite("m", loans_pool(), train_model(loans_pool(), 1), rows=500)
>>> [(m["name"], m["severity"]) for m in suite][:3]
[('m-quality', 'page'), ('m-nulls', 'page'), ('m-range_age', 'page')]
>>> sorted(short_names(loans_pool())) == sorted(m["name"][2:] for m in suite)
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from smokejumper.drills.base_data import BasePool
from smokejumper.drills.model import DrillModel

#: Points of accuracy under the holdout's at which the accuracy monitor pages.
ACCURACY_MARGIN = 0.08
#: The accuracy monitor pages only when its window is significantly under its minimum (an
#: exact binomial test at this level): a quiet night window of 100 labels otherwise paged on
#: chance about once in ten small seasonal runs.
ACCURACY_ALPHA = 0.05
#: The share of the usual rows under which the volume monitor pages.
VOLUME_FLOOR = 0.3
#: Points of accuracy one segment may fall short of the others before the fairness monitor
#: pages (when the shortfall is significant at :data:`FAIRNESS_ALPHA`, Bonferroni over the
#: segment's values).
FAIRNESS_GAP = 0.15
FAIRNESS_ALPHA = 0.001


def short_names(pool: BasePool) -> list[str]:
    """The suite's monitor names without the model prefix."""
    return [
        "quality",
        "nulls",
        *(f"range_{c}" for c in pool.numeric),
        *(f"unseen_{c}" for c in pool.categorical),
        "volume",
        "accuracy",
        "latency",
        "errors",
        "confidence",
        "fairness",
        "drift",
        "prediction_drift",
    ]


def monitor_suite(
    model: str, pool: BasePool, trained: DrillModel, *, rows: int
) -> list[dict[str, Any]]:
    """The monitors of ``model`` (its full monitor names are ``<model>-<short name>``), with
    thresholds from the model's holdout (accuracy, confidence) and the usual ``rows``."""
    scores = trained.score(pool.table)
    confidence = float(np.mean(np.abs(scores - 0.5) * 2))

    def page(short: str, kind: str, **options: Any) -> dict[str, Any]:
        return {
            "name": f"{model}-{short}",
            "model": model,
            "type": kind,
            "severity": "page",
        } | options

    def warn(short: str, kind: str, **options: Any) -> dict[str, Any]:
        return page(short, kind, **options) | {"severity": "warning"}

    return [
        page("quality", "data_quality"),
        page("nulls", "null_rate", max=0.05),
        *(page(f"range_{c}", "out_of_range", column=c, max=0.01) for c in pool.numeric),
        *(page(f"unseen_{c}", "unseen_categories", column=c, max=0.01) for c in pool.categorical),
        page("volume", "volume", min=round(VOLUME_FLOOR * rows), for_windows=2),
        page(
            "accuracy",
            "performance",
            metric="accuracy",
            min=round(trained.holdout_accuracy - ACCURACY_MARGIN, 4),
            alpha=ACCURACY_ALPHA,
        ),
        page("latency", "latency", quantile=0.99, max=250),
        page("errors", "error_rate", max=0.02),
        page("confidence", "confidence", statistic="mean", min=round(confidence / 2, 4)),
        page(
            "fairness",
            "fairness",
            metric="accuracy_gap",
            segment=pool.segment,
            max=FAIRNESS_GAP,
            alpha=FAIRNESS_ALPHA,
            for_windows=2,
        ),
        warn("drift", "feature_drift", max=0, seasonality="daily"),
        warn("prediction_drift", "prediction_drift", max=0.1),
    ]
