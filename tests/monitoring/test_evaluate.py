"""Each monitor type on a window, against values computed independently."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pytest
from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference
from sklearn import metrics

from smokejumper.errors import InputError
from smokejumper.monitoring.monitors import (
    MonitorConfig,
    WindowData,
    evaluate,
    load_config,
    parse_monitor,
)
from smokejumper.stats.dataset import profile

START = datetime(2026, 11, 1, tzinfo=UTC)


def _window(rng: np.random.Generator, n: int = 2000, *, shift: float = 0.0) -> WindowData:
    age = rng.normal(40 + shift, 10, n)
    age[:50] = np.nan
    plan = rng.choice(["basic", "pro"], n).astype(object)
    plan[:10] = "enterprise"  # unseen in the reference
    score = rng.random(n)
    table = pa.table(
        {
            "id": [f"p{i}" for i in range(n)],
            "age": age,
            "plan": plan,
            "prediction": score,
            "confidence": np.abs(score - 0.5) * 2,
            "latency_ms": rng.gamma(2.0, 20.0, n),
            "error": rng.random(n) < 0.02,
        }
    )
    ref_table = pa.table(
        {"age": rng.normal(40, 10, 5000), "plan": rng.choice(["basic", "pro"], 5000)}
    )
    reference = profile(ref_table)
    labels = pa.table(
        {
            "id": [f"p{i}" for i in range(0, n, 2)],  # half the predictions are labelled
            "label": ["1" if s > 0.4 else "0" for s in score[::2]],
        }
    )
    return WindowData(
        START,
        table,
        profile(table.select(["age", "plan"]), reference=reference),
        reference,
        labels,
        baseline=table,
        custom={"revenue": 12.5},
    )


def _spec(**kw):  # type: ignore[no-untyped-def]
    return parse_monitor({"name": "m", "model": "churn", **kw})


def test_data_quality_monitors(rng: np.random.Generator) -> None:
    w = _window(rng)
    nulls = evaluate(_spec(type="null_rate", column="age"), w)
    assert nulls.value == pytest.approx(50 / 2000)
    assert nulls.healthy is True  # 2.5 % <= 5 %
    worst = evaluate(_spec(type="null_rate"), w)
    assert worst.details["column"] == "age"
    unseen = evaluate(_spec(type="unseen_categories", column="plan"), w)
    assert unseen.value == pytest.approx(10 / 2000)
    assert unseen.details["examples"] == ["enterprise"]
    age = w.predictions.column("age").to_numpy()
    ref_age = w.reference.columns["age"]  # type: ignore[union-attr]
    outside = np.count_nonzero((age < ref_age.min) | (age > ref_age.max))  # type: ignore[union-attr]
    oor = evaluate(_spec(type="out_of_range", column="age"), w)
    assert oor.value == pytest.approx(outside / np.count_nonzero(~np.isnan(age)))
    assert evaluate(_spec(type="volume", min=3000), w).healthy is False


def test_serving_monitors(rng: np.random.Generator) -> None:
    w = _window(rng)
    latency = w.predictions.column("latency_ms").to_numpy()
    p99 = evaluate(_spec(type="latency", quantile=0.99, max=1e9), w)
    assert p99.value == pytest.approx(np.quantile(latency, 0.99))
    errors = w.predictions.column("error").to_numpy(zero_copy_only=False)
    assert evaluate(_spec(type="error_rate"), w).value == pytest.approx(errors.mean())
    conf = w.predictions.column("confidence").to_numpy()
    low = evaluate(_spec(type="confidence", statistic="low_share", below=0.2), w)
    assert low.value == pytest.approx(np.mean(conf < 0.2))
    assert evaluate(_spec(type="custom", metric="revenue", min=10), w).value == 12.5
    missing = evaluate(_spec(type="custom", metric="clicks"), w)
    assert missing.value is None
    assert missing.healthy is None
    assert "clicks" in missing.details["reason"]


@pytest.mark.parametrize("metric", ["accuracy", "precision", "recall", "f1", "roc_auc"])
def test_performance_on_joined_labels(metric: str, rng: np.random.Generator) -> None:
    w = _window(rng)
    obs = evaluate(_spec(type="performance", metric=metric), w)
    score = w.predictions.column("prediction").to_numpy()[::2]
    truth = np.asarray(w.labels.column("label").to_pylist()) == "1"  # type: ignore[union-attr]
    expected = (
        metrics.roc_auc_score(truth, score)
        if metric == "roc_auc"
        else getattr(metrics, f"{metric}_score")(truth, score >= 0.5)
    )
    assert obs.value == pytest.approx(expected)
    assert obs.details["labelled"] == 1000


def test_regression_metrics_and_no_labels(rng: np.random.Generator) -> None:
    w = _window(rng)
    labels = pa.table({"id": ["p0", "p1"], "label": ["0.5", "1.0"]})
    w2 = WindowData(START, w.predictions, labels=labels)
    pred = w.predictions.column("prediction").to_numpy()[:2]
    rmse = evaluate(_spec(type="performance", metric="rmse"), w2).value
    assert rmse == pytest.approx(np.sqrt(np.mean((pred - [0.5, 1.0]) ** 2)))
    none = evaluate(_spec(type="performance", metric="mae"), WindowData(START, w.predictions))
    assert none.value is None


def test_fairness_agrees_with_fairlearn(rng: np.random.Generator) -> None:
    w = _window(rng)
    dp = evaluate(_spec(type="fairness", metric="demographic_parity_difference", segment="plan"), w)
    pred = w.predictions.column("prediction").to_numpy() >= 0.5
    groups = np.asarray(w.predictions.column("plan").to_pylist())
    assert dp.value == pytest.approx(
        demographic_parity_difference(pred, pred, sensitive_features=groups)
    )
    eo = evaluate(_spec(type="fairness", metric="equalized_odds_difference", segment="plan"), w)
    truth = np.asarray(w.labels.column("label").to_pylist()) == "1"  # type: ignore[union-attr]
    expected = equalized_odds_difference(truth, pred[::2], sensitive_features=groups[::2])
    assert eo.value == pytest.approx(expected)


def test_drift_monitors(rng: np.random.Generator) -> None:
    calm = _window(rng)
    moved = _window(rng, shift=8.0)
    spec = _spec(type="feature_drift")
    assert evaluate(spec, calm).value == 0.0
    drifted = evaluate(spec, moved)
    assert drifted.value == 0.5  # age of [age, plan]
    assert drifted.healthy is False
    assert drifted.details["columns"]["age"]["drift"] is True
    pred = evaluate(_spec(type="prediction_drift"), calm)
    assert pred.value == pytest.approx(0.0)
    assert (
        evaluate(spec, WindowData(START, calm.predictions))
        .details["reason"]
        .startswith("the model")
    )


def test_config_files_and_their_errors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "monitors.yaml"
    good.write_text(
        "monitors:\n"
        "  - {name: p99, model: churn, type: latency, quantile: 0.99, max: 250}\n"
        "  - {name: drift, model: churn, type: feature_drift}\n"
        "slos:\n"
        "  - {name: fast, monitor: p99, objective: 0.99}\n"
    )
    config = load_config(good)
    assert isinstance(config, MonitorConfig)
    assert [m.type for m in config.monitors] == ["latency", "feature_drift"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("monitors:\n  - {name: x, model: churn, type: latency, quantile: 2}\n")
    with pytest.raises(InputError, match="quantile"):
        load_config(bad)
    orphan = tmp_path / "orphan.yaml"
    orphan.write_text("slos:\n  - {name: s, monitor: nope, objective: 0.9}\n")
    with pytest.raises(InputError, match="unknown monitor 'nope'"):
        load_config(orphan)
    with pytest.raises(InputError, match="type"):
        parse_monitor({"name": "x", "model": "m", "type": "vibes"})


def test_confidence_distribution_shift(rng: np.random.Generator) -> None:
    calm = _window(rng)
    baseline = calm.predictions.select(["prediction", "confidence"])
    shifted = calm.predictions.set_column(
        calm.predictions.column_names.index("confidence"),
        "confidence",
        pa.array(np.clip(calm.predictions.column("confidence").to_numpy() * 0.5, 0, 1)),
    )
    spec = _spec(type="confidence", statistic="drift", max=0.1)
    same = evaluate(spec, WindowData(START, calm.predictions, baseline=baseline))
    moved = evaluate(spec, WindowData(START, shifted, baseline=baseline))
    assert same.value == pytest.approx(0.0)
    assert moved.value is not None
    assert moved.value > 0.1
    assert moved.healthy is False


def test_roc_auc_skips_missing_scores(rng: np.random.Generator) -> None:
    w = _window(rng)
    scores = w.predictions.column("prediction").to_numpy().copy()
    scores[0] = np.nan
    table = w.predictions.set_column(
        w.predictions.column_names.index("prediction"), "prediction", pa.array(scores)
    )
    obs = evaluate(
        _spec(type="performance", metric="roc_auc"), WindowData(START, table, labels=w.labels)
    )
    assert obs.value is not None
    assert obs.details["scored"] == 999
