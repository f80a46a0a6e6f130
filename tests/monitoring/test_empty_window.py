"""Every monitor type on a window without rows (a silent window, or one with refused batches
only), as the runner loads it: an empty table of the model's layout, no profile, no labels.

No monitor fails: ``volume`` is 0, ``rejected_batches`` counts, ``custom`` takes what was
posted, and every monitor that needs rows has no value and no verdict, with the reason.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from smokejumper.monitoring.monitors import (
    NO_ROWS,
    READ_ROWS,
    MonitorSpec,
    Observation,
    WindowData,
    evaluate,
    evaluate_all,
    parse_monitor,
)
from smokejumper.monitoring.schema import Feature, ModelSchema
from smokejumper.stats.dataset import profile

START = datetime(2026, 11, 1, tzinfo=UTC)
SCHEMA = ModelSchema(
    features=[Feature(name="age"), Feature(name="plan", kind="categorical")],
    segments=["plan"],
)
#: At least one monitor of every type, with every variant that reads something else.
MONITORS: list[dict[str, Any]] = [
    {"type": "feature_drift"},
    {"type": "feature_drift", "columns": ["age"]},
    {"type": "data_quality"},
    {"type": "prediction_drift"},
    {"type": "null_rate"},
    {"type": "null_rate", "column": "plan"},
    {"type": "out_of_range", "column": "age"},
    {"type": "unseen_categories", "column": "plan"},
    {"type": "confidence", "statistic": "mean"},
    {"type": "confidence", "statistic": "low_share"},
    {"type": "confidence", "statistic": "drift"},
    {"type": "latency"},
    {"type": "error_rate"},
    *(
        {"type": "performance", "metric": metric}
        for metric in ("accuracy", "precision", "recall", "f1", "roc_auc", "rmse", "mae")
    ),
    {"type": "fairness", "metric": "demographic_parity_difference", "segment": "plan"},
    {"type": "fairness", "metric": "equalized_odds_difference", "segment": "plan"},
    {"type": "volume", "min": 1},
    {"type": "rejected_batches"},
    {"type": "custom", "metric": "revenue", "min": 10},
    {"type": "custom", "metric": "clicks"},
]


def _specs() -> list[MonitorSpec]:
    return [
        parse_monitor({"name": f"mon{i:02d}", "model": "m", **fields})
        for i, fields in enumerate(MONITORS)
    ]


def _empty_window(rejected: int) -> WindowData:
    rng = np.random.default_rng(3)
    reference = profile(
        pa.table({"age": rng.normal(40, 10, 2000), "plan": rng.choice(["basic", "pro"], 2000)})
    )
    earlier = pa.table({"prediction": rng.random(500), "confidence": rng.random(500)})
    return WindowData(
        start=START,
        predictions=SCHEMA.arrow_schema().empty_table(),
        profile=None,
        reference=reference,
        labels=pa.table({"id": pa.array([], pa.string()), "label": pa.array([], pa.string())}),
        baseline=earlier,  # an earlier window with rows: the empty one is still not compared
        custom={"revenue": 12.5},
        rejected_batches=rejected,
    )


def _expected(spec: MonitorSpec, rejected: int) -> Observation:
    if spec.type == "volume":
        return Observation(0.0, False, {})
    if spec.type == "rejected_batches":
        return Observation(float(rejected), rejected == 0, {})
    if spec.type == "custom" and spec.metric == "revenue":
        return Observation(12.5, True, {})
    if spec.type == "custom":
        reason = "no value of 'clicks' was posted for this window"
        return Observation(None, None, {"reason": reason})
    return Observation(None, None, {"reason": NO_ROWS})


def test_the_monitors_cover_every_type() -> None:
    types = {spec.type for spec in _specs()}
    assert types == READ_ROWS | {
        "feature_drift",
        "data_quality",
        "volume",
        "rejected_batches",
        "custom",
    }


@pytest.mark.parametrize("rejected", [0, 2])
def test_every_monitor_type_on_a_window_without_rows(rejected: int) -> None:
    specs = _specs()
    window = _empty_window(rejected)
    expected = [_expected(spec, rejected) for spec in specs]
    assert evaluate_all(specs, window) == expected
    alone = [evaluate(spec, _empty_window(rejected)) for spec in specs]
    assert alone == expected


def test_feature_drift_without_a_reference_says_so_before_the_missing_rows() -> None:
    spec = parse_monitor({"name": "drift", "model": "m", "type": "feature_drift"})
    window = WindowData(START, SCHEMA.arrow_schema().empty_table())
    assert evaluate(spec, window).details == {"reason": "the model has no reference yet"}
