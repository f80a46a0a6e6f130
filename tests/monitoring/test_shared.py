"""Monitors of one window share work: the result must be what each monitor computes alone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from sklearn import metrics

from smokejumper.monitoring.classification import METRICS, Confusion, roc_auc
from smokejumper.monitoring.drift_share import subset
from smokejumper.monitoring.monitors import (
    MonitorSpec,
    Observation,
    WindowData,
    evaluate,
    evaluate_all,
    parse_monitor,
)
from smokejumper.service.evaluation.loading import Needs
from smokejumper.stats.compare import compare
from smokejumper.stats.corrections import adjust
from smokejumper.stats.dataset import DatasetProfile, profile

START = datetime(2026, 11, 1, tzinfo=UTC)
NUMERIC = ("a", "b", "c", "d")


def _window(rng: np.random.Generator, n: int = 3000, *, shift: float = 0.3) -> WindowData:
    ref_cols: dict[str, Any] = {c: rng.normal(size=5000) for c in NUMERIC}
    ref_cols["plan"] = rng.choice(["basic", "pro", "team"], 5000)
    ref_cols["note"] = [f"n{i}" for i in range(5000)]  # text: compared only when named
    reference = profile(pa.table(ref_cols))
    cols: dict[str, Any] = {"id": [f"p{i}" for i in range(n)]}
    for k, c in enumerate(NUMERIC):
        values = rng.normal(shift * k, 1.0 + 0.2 * k, n)
        values[rng.random(n) < 0.02] = np.nan
        cols[c] = values
    cols["plan"] = rng.choice(["basic", "pro", "team", "enterprise"], n, p=[0.4, 0.3, 0.2, 0.1])
    cols["note"] = [f"m{i}" for i in range(n)]
    score = rng.random(n)
    cols.update(prediction=score, confidence=rng.random(n), latency_ms=rng.gamma(2, 10, n))
    cols["error"] = rng.random(n) < 0.01
    table = pa.table(cols)
    labelled = rng.permutation(n)[: n // 3]
    labels = pa.table(
        {
            "id": [f"p{i}" for i in labelled],
            "label": ["1" if rng.random() < score[i] else "0" for i in labelled],
        }
    )
    features = table.select([*NUMERIC, "plan", "note"])
    return WindowData(
        START,
        table,
        profile(features, reference=reference),
        reference,
        labels,
        baseline=table.select(["prediction", "confidence"]).slice(0, n // 2),
    )


def _specs(*fields: dict[str, Any]) -> list[MonitorSpec]:
    return [parse_monitor({"name": f"m{i}", "model": "x", **f}) for i, f in enumerate(fields)]


def _alone(specs: list[MonitorSpec], w: WindowData) -> list[Observation]:
    """Each monitor on a copy of the window that shares nothing with the others."""
    out = []
    for spec in specs:
        try:
            out.append(evaluate(spec, replace(w, memo={})))
        except Exception as err:
            out.append(Observation(None, None, {"error": f"{type(err).__name__}: {err}"}))
    return out


DRIFT = [
    {"type": "feature_drift"},
    {"type": "feature_drift", "columns": ["a", "b"]},
    {"type": "feature_drift", "columns": ["d", "plan", "a"]},
    {"type": "feature_drift", "columns": ["c"], "max": 0.5},
]


UNKNOWN = {"type": "feature_drift", "columns": ["a", "nope"]}


@pytest.mark.parametrize(
    ("fields", "reports"),
    [
        (DRIFT, 1),  # one report over every column, subsets taken from it
        (DRIFT[::-1], 1),  # the same, whatever order the monitors come in
        (DRIFT[1:], 1),  # one report over the columns named between them
        ([*DRIFT, {"type": "feature_drift", "columns": ["note", "a"]}], 2),  # text: only named
        ([*DRIFT[1:], UNKNOWN], 3),  # the shared report fails: each monitor makes its own
        ([DRIFT[0], UNKNOWN], 1),
    ],
)
def test_shared_drift_report_gives_each_monitor_its_own_result(
    fields: list[dict[str, Any]], reports: int, rng: np.random.Generator
) -> None:
    w = _window(rng)
    specs = _specs(*fields)
    shared = evaluate_all(specs, w)
    assert shared == _alone(specs, w)
    assert sum(isinstance(key, tuple) and key[0] == "drift" for key in w.memo) == reports
    if UNKNOWN in fields:
        assert shared[-1].details["error"].startswith("UnknownColumnError")


def test_a_subset_is_corrected_as_a_family_of_its_own(rng: np.random.Generator) -> None:
    w = _window(rng, shift=0.05)
    full = compare(w.reference, w.profile)
    for columns in (["a", "b"], ["d", "plan"], ["c"], ["a", "a"]):
        alone = compare(w.reference, w.profile, columns=columns)
        taken = subset(full, columns, named=False)
        assert taken is not None
        assert taken.columns == alone.columns
        assert (taken.share_drifted, taken.dataset_drift) == (
            alone.share_drifted,
            alone.dataset_drift,
        )
        raw = [c.p_value for c in taken.columns if c.p_value is not None]
        assert [c.p_value_adjusted for c in taken.columns if c.p_value is not None] == adjust(raw)
    # adjusted among the 5 columns tested in the full report, b's p-value is larger
    one = subset(full, ["b"], named=False)
    assert one is not None
    assert one.columns[0].p_value_adjusted == adjust([full.column("b").p_value or 1.0])[0]
    assert one.columns[0].p_value_adjusted != full.column("b").p_value_adjusted
    assert subset(full, ["note"], named=False) is None  # skipped unnamed, tested when named
    assert subset(full, ["nope"], named=False) is None


def test_every_monitor_type_shares_without_changing_results(rng: np.random.Generator) -> None:
    w = _window(rng)
    specs = _specs(
        *DRIFT,
        *({"type": "performance", "metric": m} for m in (*METRICS, "roc_auc", "mae", "rmse")),
        {"type": "performance", "metric": "precision", "threshold": 0.8},
        {"type": "performance", "metric": "recall", "positive": "0"},
        {"type": "null_rate"},
        *({"type": "null_rate", "column": c} for c in NUMERIC),
        *({"type": "out_of_range", "column": c} for c in NUMERIC),
        {"type": "unseen_categories", "column": "plan"},
        {"type": "prediction_drift"},
        {"type": "confidence", "statistic": "drift"},
        {"type": "confidence", "statistic": "mean"},
        {"type": "latency", "quantile": 0.9},
        {"type": "error_rate"},
        {"type": "volume"},
        {"type": "fairness", "metric": "equalized_odds_difference", "segment": "plan"},
        {"type": "out_of_range", "column": "missing"},  # fails alone too: an error observation
    )
    shared = evaluate_all(specs, w)
    assert shared == _alone(specs, w)
    assert "error" not in shared[-2].details
    assert shared[-1].details["reason"].startswith("no numeric reference")


def test_a_failing_monitor_records_its_error_and_the_others_go_on(
    rng: np.random.Generator,
) -> None:
    w = _window(rng)
    specs = _specs({"type": "null_rate", "column": "nope"}, {"type": "volume"})
    broken, volume = evaluate_all(specs, w)
    assert broken.value is None
    assert broken.details["error"].startswith("KeyError")
    assert volume.value == 3000.0


def test_labels_join_in_row_order(rng: np.random.Generator) -> None:
    w = _window(rng, n=500)
    [mae] = _specs({"type": "performance", "metric": "mae"})
    obs = evaluate(mae, w)
    joined = w.memo["joined"]
    ids = joined.column("id").to_pylist()
    assert ids == sorted(ids, key=lambda i: int(i[1:]))  # the order of the window's rows
    assert w.labels is not None
    labels = dict(zip(*w.labels.to_pydict().values(), strict=True))
    assert joined.column("label").to_pylist() == [labels[i] for i in ids]
    pred = joined.column("prediction").to_numpy()
    truth = np.array([float(labels[i]) for i in ids])
    assert obs.value == float(np.mean(np.abs(pred - truth)))


def _cases(rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray]]:
    out = []
    for i in range(400):
        n = int(rng.integers(2, 2000))
        truth = rng.random(n) < rng.uniform(0.02, 0.98)
        scores = rng.random(n)
        if i % 4 == 1:
            scores = np.round(scores, int(rng.integers(0, 3)))  # ties
        elif i % 4 == 2:
            scores = rng.integers(0, 4, n).astype(np.float64)  # few distinct scores
        elif i % 4 == 3:
            scores = np.where(truth, scores + 0.5, scores)
        out.append((truth, scores))
    out.append((np.array([True, True]), np.array([0.2, 0.9])))
    out.append((np.array([False, False, False]), np.array([0.7, 0.1, 0.6])))
    return out


@pytest.mark.slow
def test_class_metrics_are_scikit_learns_to_the_last_bit(rng: np.random.Generator) -> None:
    scorers = {
        "accuracy": (metrics.accuracy_score, {}),
        "precision": (metrics.precision_score, {"zero_division": 0}),
        "recall": (metrics.recall_score, {"zero_division": 0}),
        "f1": (metrics.f1_score, {"zero_division": 0}),
    }
    for truth, scores in _cases(rng):
        for threshold in (0.5, 0.95, 2.0):
            predicted = scores >= threshold
            counts = Confusion.of(truth, predicted)
            for name, (scorer, kwargs) in scorers.items():
                assert counts.metric(name) == float(scorer(truth, predicted, **kwargs)), name
        if len(set(truth.tolist())) == 2:
            assert roc_auc(truth, scores) == float(metrics.roc_auc_score(truth, scores))


def test_needs_follow_the_monitors() -> None:
    drift_only = Needs.of(_specs({"type": "feature_drift"}))
    assert (drift_only.rows, drift_only.profile, drift_only.labels) == (False, True, False)
    assert drift_only.reference
    rows = Needs.of(_specs({"type": "latency"}, {"type": "confidence", "statistic": "drift"}))
    assert (rows.rows, rows.profile, rows.reference, rows.baseline) == (True, False, False, True)
    labelled = Needs.of(_specs({"type": "performance", "metric": "f1"}))
    assert (labelled.labels, labelled.baseline, labelled.custom) == (True, False, False)
    other = Needs.of(_specs({"type": "custom", "metric": "x"}, {"type": "rejected_batches"}))
    assert (other.rows, other.custom, other.rejections) == (False, True, True)


def test_a_shared_report_keeps_only_the_named_columns_breakage(
    rng: np.random.Generator,
) -> None:
    w = _window(rng)
    assert w.reference is not None
    gone = profile(pa.table({"gone": rng.normal(size=w.reference.rows)}))
    reference = DatasetProfile(  # a feature the window's data no longer has
        rows=w.reference.rows,
        kinds={**w.reference.kinds, **gone.kinds},
        columns={**w.reference.columns, **gone.columns},
    )
    broken = replace(w, reference=reference)
    specs = _specs(
        {"type": "feature_drift"},
        {"type": "feature_drift", "columns": ["a", "b"]},
        {"type": "data_quality", "columns": ["a", "b"]},
        {"type": "data_quality"},
    )
    shared = evaluate_all(specs, broken)
    assert shared == _alone(specs, broken)
    assert shared[2].details["broken_columns"] == []  # not "gone": it was not named
    assert "gone" in shared[3].details["broken_columns"]
    assert shared[0].details["broken_columns"] == shared[3].details["broken_columns"]
