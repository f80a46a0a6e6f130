"""The slices tell errors confined to one segment (bias emerging there: a fairness_bias cause
naming the segment, ranked above concept drift) from errors grown in all traffic alike
(concept drift, no segment named)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pyarrow as pa
import pytest
from scipy import stats
from tests.rca.support import ONSET, drift_obs, hours, inputs, model, obs, perf_obs

from smokejumper.rca import Observed, diagnose
from smokejumper.rca.collectors import collectors
from smokejumper.rca.slicing import segment_shifts, with_labels

SLICES = collectors()["slices"]
PLANS = ("basic", "pro", "team", "trial")


def labelled_rows(worse: tuple[str, ...], error_after: float = 0.45) -> pa.Table:
    """Raw rows of 6 windows each side of the onset, 400 a window, plans in turn, labels for 60%
    of them; the model is wrong for 15% of the labelled rows, and from the onset for
    ``error_after`` of those of the ``worse`` plans."""
    rng = np.random.default_rng(11)
    stamps, plans, predictions, ids = [], [], [], []
    labels: dict[str, str] = {}
    for at in hours(-6, 5):
        for i in range(400):
            plan = PLANS[i % len(PLANS)]
            rid = f"{at:%d%H}-{i}"
            score = float(rng.random())
            stamps.append(at + timedelta(seconds=9 * i))
            plans.append(plan)
            predictions.append(score)
            ids.append(rid)
            if rng.random() < 0.6:
                error = error_after if at >= ONSET and plan in worse else 0.15
                right = (score >= 0.5) != (rng.random() < error)
                labels[rid] = "1" if right else "0"
    n = len(ids)
    table = pa.table(
        {
            "id": ids,
            "timestamp": pa.array(stamps, pa.timestamp("us", tz="UTC")),
            "version": ["v1"] * n,
            "plan": plans,
            "error": [False] * n,
            "prediction": pa.array(predictions, pa.float64()),
        }
    )
    return with_labels(table, labels)


def test_errors_in_one_plan_only_name_bias_in_that_plan() -> None:
    shifts = segment_shifts(labelled_rows(("basic",)), ("plan",), ONSET)
    by_value = {s["value"]: s for s in shifts}
    assert by_value["basic"]["errors_alone"] is True
    assert by_value["basic"]["errors_after"] > 0.35 > 0.2 > by_value["basic"]["errors_before"]
    assert [v for v, s in by_value.items() if s["errors_rose"]] == ["basic"]
    found = SLICES.collect(inputs(model(rows=labelled_rows(("basic",)))))
    causes = [e.cause for e in found if e.cause is not None]
    assert [(c.label, c.subject["segment"]) for c in causes] == [("fairness_bias", "plan=basic")]
    confined = [e for e in found if e.kind == "errors_confined"]
    assert confined[0].refutes == ("concept_drift",)


def test_bias_in_one_plan_ranks_above_concept_drift_even_when_accuracy_pages() -> None:
    facts = model(rows=labelled_rows(("basic",)), observations=(*perf_obs(), *drift_obs([])))
    diagnosis = diagnose(inputs(facts))
    labels = [h.cause.label for h in diagnosis.hypotheses]
    assert labels[0] == "fairness_bias"
    assert "concept_drift" in labels  # still a hypothesis, below
    assert "plan=basic" in diagnosis.hypotheses[0].cause.title


def test_errors_grown_everywhere_are_all_traffic_and_stay_concept_drift() -> None:
    rows = labelled_rows(PLANS)
    shifts = segment_shifts(rows, ("plan",), ONSET)
    assert all(s["errors_rose"] for s in shifts)
    assert not any(s["errors_alone"] for s in shifts)
    found = SLICES.collect(inputs(model(rows=rows)))
    assert [e.kind for e in found] == ["errors_all_traffic"]
    assert found[0].points == 0
    facts = model(rows=rows, observations=(*perf_obs(), *drift_obs([])))
    top = diagnose(inputs(facts)).hypotheses[0]
    assert top.cause.label == "concept_drift"


def test_two_plans_of_four_worse_are_each_named() -> None:
    found = SLICES.collect(inputs(model(rows=labelled_rows(("basic", "pro")))))
    named = sorted(e.cause.subject["segment"] for e in found if e.cause is not None)
    assert named == ["plan=basic", "plan=pro"]


def test_without_labels_errors_are_not_judged() -> None:
    rows = labelled_rows(("basic",)).drop_columns(["label"])
    shifts = segment_shifts(rows, ("plan",), ONSET)
    assert not any("errors_alone" in s for s in shifts)
    assert SLICES.collect(inputs(model(rows=rows))) == []


def test_the_error_rise_test_agrees_with_scipy() -> None:
    rows = labelled_rows(("basic",), error_after=0.2)
    basic = next(s for s in segment_shifts(rows, ("plan",), ONSET) if s["value"] == "basic")
    n0, n1 = basic["labelled_before"], basic["labelled_after"]
    x0 = round(basic["errors_before"] * n0)
    x1 = round(basic["errors_after"] * n1)
    pooled = (x0 + x1) / (n0 + n1)
    z = (x1 / n1 - x0 / n0) / np.sqrt(pooled * (1 - pooled) * (1 / n0 + 1 / n1))
    tests = len(PLANS)
    assert basic["p_errors"] == pytest.approx(min(1.0, stats.norm.sf(z) * tests), rel=1e-9)


def fairness_obs(worse: str | None, first_bad: int = -4) -> list[Observed]:
    """An accuracy-gap monitor on ``plan``, 75 labelled rows a plan a window: right 80% of the
    time, and from ``ONSET + first_bad`` h 45% for the ``worse`` plan (unhealthy then, but for
    one healthy window by chance at the onset, so its latest episode starts late)."""
    out = []
    for at in hours(-12, 3):
        bad = worse is not None and at >= ONSET + first_bad * timedelta(hours=1)
        right = {p: 34 if bad and p == worse else 60 for p in PLANS}
        details = {
            "segment": "plan",
            "worst": worse or "basic",
            "counts": dict.fromkeys(PLANS, 75),
            "right": right,
            "labelled": 300,
            "labelled_right": sum(right.values()),
        }
        out.append(
            obs("fair", "fairness", at, 0.3 if bad else 0.0, not bad or at == ONSET, details)
        )
    return out


def test_a_flapping_fairness_monitor_still_names_the_segment_from_its_own_onset() -> None:
    # the rows read around the incident's (late) onset hold no clean window: only the
    # fairness monitor's observations, from its first unhealthy window, tell before from after
    facts = model(observations=tuple(fairness_obs("basic")))
    found = SLICES.collect(inputs(facts))
    causes = [e for e in found if e.cause is not None]
    assert [e.cause.subject["segment"] for e in causes] == ["plan=basic"]  # type: ignore[union-attr]
    assert "from its fairness monitor" in causes[0].summary
    assert causes[0].at == ONSET - 4 * timedelta(hours=1)


def test_a_quiet_fairness_monitor_names_nothing() -> None:
    assert SLICES.collect(inputs(model(observations=tuple(fairness_obs(None))))) == []
