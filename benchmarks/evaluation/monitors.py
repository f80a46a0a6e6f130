"""The 50 monitors of the benchmark: every built-in type except fairness and custom."""

from __future__ import annotations

from typing import Any

from evaluation.settings import CATEGORY, MODEL, NUMERIC, TARGET_MONITORS, Json


def monitor_specs() -> list[Json]:
    """The 50 monitors, as a monitors file would declare them."""
    specs: list[Json] = []

    def add(name: str, kind: str, **fields: Any) -> None:
        specs.append({"name": name, "model": MODEL, "type": kind, **fields})

    for q, limit in ((0.5, 30.0), (0.9, 60.0), (0.99, 120.0)):
        add(f"latency-p{round(q * 100)}", "latency", quantile=q, max=limit)
    add("volume", "volume", min=4_000)
    add("errors", "error_rate", max=0.02)
    add("confidence-mean", "confidence", statistic="mean", min=0.6)
    add("confidence-low", "confidence", statistic="low_share", below=0.55, max=0.2)
    add("nulls-any", "null_rate", max=0.05)
    for name in NUMERIC[:9]:
        add(f"nulls-{name}", "null_rate", column=name, max=0.02)
    add(f"nulls-{CATEGORY}", "null_rate", column=CATEGORY, max=0.02)
    for name in NUMERIC:
        add(f"range-{name}", "out_of_range", column=name, max=0.01)
    add("drift-all", "feature_drift", max=0.0)
    add("drift-first-five", "feature_drift", columns=list(NUMERIC[:5]), max=0.2)
    add("drift-plan", "feature_drift", columns=[CATEGORY], max=0.0)
    add("drift-last-five", "feature_drift", columns=list(NUMERIC[-5:]), max=0.2)
    add("prediction-drift", "prediction_drift", max=0.1)
    add("unseen-plan", "unseen_categories", column=CATEGORY, max=0.01)
    for metric, limit in (
        ("accuracy", 0.6),
        ("precision", 0.5),
        ("recall", 0.5),
        ("f1", 0.5),
        ("roc_auc", 0.6),
        ("mae", None),
    ):
        bounds = {"max": 0.5} if limit is None else {"min": limit}
        add(f"perf-{metric}", "performance", metric=metric, **bounds)
    assert len(specs) == TARGET_MONITORS, len(specs)
    return specs
