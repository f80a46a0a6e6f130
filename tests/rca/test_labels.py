"""The labels collector: the labels' class mix before and after the onset (a chi-squared test
that agrees with SciPy), each class's predictions held or not, and a prior shift told from
concept drift and from a covariate shift in a whole diagnosis."""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np
import pyarrow as pa
import pytest
from scipy import stats
from tests.rca.support import (
    ONSET,
    drift_obs,
    inputs,
    labelled,
    model,
    perf_obs,
    steady_perf_obs,
)

from smokejumper.rca import diagnose
from smokejumper.rca.collectors.labels import LabelShift, explained_strength
from smokejumper.rca.labelling import MIN_LABELS, compare_labels

COLLECTOR = LabelShift()


def _table(labels_before: list[str], labels_after: list[str], scores: list[float] | None = None):
    stamps = [ONSET - timedelta(seconds=1 + i) for i in range(len(labels_before))]
    stamps += [ONSET + timedelta(seconds=i) for i in range(len(labels_after))]
    n = len(stamps)
    return pa.table(
        {
            "timestamp": pa.array(stamps, pa.timestamp("us", tz="UTC")),
            "prediction": pa.array(scores if scores is not None else [0.5] * n, pa.float64()),
            "label": pa.array(labels_before + labels_after, pa.string()),
        }
    )


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ({"0": 700, "1": 300}, {"0": 420, "1": 580}),
        ({"0": 150, "1": 50}, {"0": 140, "1": 62}),
        ({"a": 300, "b": 200, "c": 100}, {"a": 250, "b": 150, "c": 210}),
        ({"a": 400, "b": 100, "c": 100}, {"a": 390, "b": 110, "c": 95}),
    ],
)
def test_the_class_mix_test_agrees_with_scipy(
    before: dict[str, int], after: dict[str, int]
) -> None:
    def labels(counts: dict[str, int]) -> list[str]:
        return [c for c, k in counts.items() for _ in range(k)]

    found = compare_labels(_table(labels(before), labels(after)), ONSET)
    assert found is not None
    table = np.array([[before[c] for c in found.classes], [after[c] for c in found.classes]])
    expected = stats.chi2_contingency(table, correction=False)
    assert found.statistic == pytest.approx(expected.statistic, rel=1e-9)
    assert found.p_value == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-300)
    assert found.cramers_v == pytest.approx(
        math.sqrt(expected.statistic / table.sum() / (min(table.shape) - 1)), rel=1e-9
    )
    assert found.counts_before == tuple(int(x) for x in table[0])
    if len(found.classes) == 2:  # the two-proportion z-test, squared
        x1, n1, x2, n2 = table[0, 1], table[0].sum(), table[1, 1], table[1].sum()
        pooled = (x1 + x2) / (n1 + n2)
        z = (x2 / n2 - x1 / n1) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        assert found.statistic == pytest.approx(z * z, rel=1e-9)
        assert found.p_value == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-9)


def test_each_class_shift_and_the_implied_move_are_computed_as_stated() -> None:
    table = labelled(0.6)
    found = compare_labels(table, ONSET)
    assert found is not None
    stamps = np.array(table.column("timestamp").to_pylist())
    after = stamps >= ONSET
    y = np.array(table.column("label").to_pylist())
    p = np.array(table.column("prediction").to_pylist())
    for shift in found.per_class:
        b, a = p[(y == shift.label) & ~after], p[(y == shift.label) & after]
        pooled = math.sqrt((b.var(ddof=1) + a.var(ddof=1)) / 2)
        assert shift.shift == pytest.approx((a.mean() - b.mean()) / pooled)
        assert (shift.before, shift.after) == (len(b), len(a))
    share_after = np.mean(y[after] == "1")
    implied = share_after * p[(y == "1") & ~after].mean()
    implied += (1 - share_after) * p[(y == "0") & ~after].mean()
    assert found.mean_implied == pytest.approx(implied)
    moved = p[after].mean() - p[~after].mean()
    assert found.explained == pytest.approx(moved / (implied - p[~after].mean()))
    assert found.worst_shift < 0.1
    assert found.held == 1.0
    assert 0.9 < found.explained < 1.1


def test_too_few_labels_or_no_classes_say_nothing() -> None:
    few = _table(["0", "1"] * (MIN_LABELS // 2), ["1"] * (MIN_LABELS - 1))
    assert compare_labels(few, ONSET) is None
    amounts = [str(v) for v in range(200)]  # a regression target, not classes
    assert compare_labels(_table(amounts, amounts), ONSET) is None
    assert compare_labels(_table(["0"] * 200, ["0"] * 200), ONSET) is None


def test_class_predictions_are_judged_by_the_share_predicted_right() -> None:
    before = ["cat"] * 300 + ["dog"] * 300
    after = ["cat"] * 150 + ["dog"] * 450
    held = pa.table(
        {
            "timestamp": _table(before, after).column("timestamp"),
            "prediction": pa.array(
                (["cat"] * 270 + ["dog"] * 30 + ["dog"] * 240 + ["cat"] * 60)
                + (["cat"] * 135 + ["dog"] * 15 + ["dog"] * 360 + ["cat"] * 90)
            ),
            "label": pa.array(before + after),
        }
    )
    found = compare_labels(held, ONSET)
    assert found is not None
    assert found.explained is None
    assert [(c.label, round(c.shift, 9)) for c in found.per_class] == [("cat", 0), ("dog", 0)]
    assert [e.kind for e in COLLECTOR.collect(inputs(model(labelled=held)))] == [
        "labels_moved",
        "prior_shift",
        "drift_explained_by_labels",
    ]


def test_predictions_that_cannot_be_read_per_class_make_no_candidate() -> None:
    table = labelled(0.6)
    flags = pa.array([p > 0.5 for p in table.column("prediction").to_pylist()])
    other_words = table.set_column(1, "prediction", flags)  # true/false against labels 0/1
    found = compare_labels(other_words, ONSET)
    assert found is not None
    assert found.per_class == ()
    assert found.held == 0.0
    assert [e.kind for e in COLLECTOR.collect(inputs(model(labelled=other_words)))] == [
        "labels_moved"
    ]
    missing = table.set_column(1, "prediction", pa.nulls(table.num_rows, pa.float64()))
    found = compare_labels(missing, ONSET)
    assert found is not None
    assert found.per_class == ()
    assert found.mean_before is None
    assert found.p_value < 1e-9  # the labels still moved


def test_a_prior_shift_is_a_candidate_and_concept_drift_is_not() -> None:
    shift = COLLECTOR.collect(inputs(model(labelled=labelled(0.6))))
    assert [e.kind for e in shift] == ["labels_moved", "prior_shift", "drift_explained_by_labels"]
    cause = shift[1].cause
    assert cause is not None
    assert (cause.key, cause.label, cause.category) == (
        "label_shift:churn",
        "label_shift",
        "external",
    )
    assert cause.subject["label"] == "1"
    assert shift[1].strength > 0.8
    assert set(shift[2].refutes) == {"data_drift", "training_serving_skew", "external_change"}
    concept = COLLECTOR.collect(inputs(model(labelled=labelled(0.22, concept=True))))
    assert [e.kind for e in concept] == ["labels_moved"]
    assert set(concept[0].supports) == {"label_shift", "concept_drift"}
    assert COLLECTOR.collect(inputs(model(labelled=labelled(0.3)))) == []


def test_a_covariate_shift_within_a_class_is_no_prior_shift() -> None:
    table = labelled(0.6)
    stamps = np.array(table.column("timestamp").to_pylist())
    y = np.array(table.column("label").to_pylist())
    p = np.array(table.column("prediction").to_pylist())
    p = np.where((stamps >= ONSET) & (y == "0"), p + 0.05, p)  # d about 0.4 within class 0
    moved = table.set_column(1, "prediction", pa.array(p))
    assert [e.kind for e in COLLECTOR.collect(inputs(model(labelled=moved)))] == ["labels_moved"]


def test_explained_strength_is_one_near_a_ratio_of_one() -> None:
    assert explained_strength(1 / 1.25) == pytest.approx(1.0)
    assert explained_strength(1.6) == pytest.approx(0.0, abs=1e-12)
    assert 0 < explained_strength(1.4) < 1


def test_in_a_diagnosis_a_prior_shift_ranks_first_over_the_drift_it_causes() -> None:
    # the outcome mix moved three features together: drift and an external change are
    # candidates too, and accuracy fell
    observed = (*drift_obs(["age", "income", "tenure"]), *perf_obs())
    found = diagnose(inputs(model(observations=observed, labelled=labelled(0.6))))
    top = found.hypotheses[0]
    assert (top.cause.key, top.cause.label) == ("label_shift:churn", "label_shift")
    assert top.confidence >= 0.5
    keys = [h.cause.key for h in found.hypotheses]
    assert "drift:churn" in keys
    assert "external:churn" in keys
    # without the labels the same facts rank the drift first, as before
    without = diagnose(inputs(model(observations=observed)))
    assert without.hypotheses[0].cause.label != "label_shift"


def test_in_a_diagnosis_concept_drift_stays_first() -> None:
    observed = (*drift_obs([]), *perf_obs())
    found = diagnose(inputs(model(observations=observed, labelled=labelled(0.22, concept=True))))
    assert found.hypotheses[0].cause.label == "concept_drift"
    assert "label_shift" not in [h.cause.label for h in found.hypotheses]


def test_steady_quality_and_labels_give_nothing() -> None:
    observed = (*drift_obs([]), *steady_perf_obs())
    assert diagnose(inputs(model(observations=observed, labelled=labelled(0.3)))).hypotheses == ()
