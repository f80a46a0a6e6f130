"""Evidence combined into ranked hypotheses: the known root cause of each scenario comes
first, the score says which evidence moved it, the confidence follows the points, symptoms
are capped per collector, and a failing collector is named without hiding the others."""

from __future__ import annotations

from datetime import timedelta

from tests.rca.support import (
    HOUR,
    LOW,
    ONSET,
    alias_move,
    drift_obs,
    feature_run,
    hours,
    infra_alert,
    inputs,
    model,
    null_obs,
    obs,
    perf_obs,
    profiles,
    rows,
    traffic,
)

from smokejumper.rca import Cause, Evidence, combine, confidence, diagnose
from smokejumper.rca.collectors import collectors
from smokejumper.rca.hypotheses import MIDPOINT, SYMPTOM_CAP


def test_silent_pipeline_names_the_job_and_the_dataset_version() -> None:
    broken = feature_run("r-bad", ONSET - 2 * HOUR, 950, "snap-4")
    healthy = feature_run("r-ok", ONSET - 26 * HOUR, 10_000, "snap-3")
    found = diagnose(
        inputs(
            model(
                observations=tuple(null_obs()),
                profiles=profiles(null_age=True),
                rows=rows(nulls_in="basic"),
            ),
            runs=((healthy, ()), (broken, (LOW,))),
            changes=(alias_move(ONSET - 20 * HOUR),),  # a distractor, long before
        )
    )
    top = found.hypotheses[0]
    assert top.cause.key == "run:r-bad"
    assert (top.cause.label, top.cause.category) == ("data_quality", "data")
    assert top.cause.subject["job"] == "etl/churn_features"
    assert top.cause.subject["dataset_version"] == "snap-4"
    assert "snap-4" in top.cause.mitigation
    moved = {(c["collector"], c["how"]) for c in top.contributions}
    assert ("lineage", "names this cause") in moved
    assert ("changes", "names this cause") in moved
    assert ("data_quality", "supports data_quality") in moved
    assert top.points == round(sum(c["points"] for c in top.contributions), 6)
    assert top.confidence > 0.85
    assert not found.failed


def test_bad_version_names_the_alias_move() -> None:
    found = diagnose(
        inputs(
            model(observations=(*drift_obs([]), *perf_obs()), traffic=traffic(("v1", "v2"))),
            changes=(alias_move(),),
        )
    )
    top = found.hypotheses[0]
    assert top.cause.key == "change:mlflow:move-1"
    assert top.cause.label == "model_regression"
    assert top.cause.subject["new_version"] == "2"
    assert "roll back" in top.cause.mitigation
    kinds = {e.kind for e in top.evidence}
    assert {"alias_move", "new_version_serving", "quality_down_inputs_steady"} <= kinds
    assert "concept:churn" not in [h.cause.key for h in found.hypotheses]


def test_quality_down_without_a_model_change_is_concept_drift() -> None:
    found = diagnose(inputs(model(observations=(*drift_obs([]), *perf_obs()))))
    assert found.hypotheses[0].cause.label == "concept_drift"
    assert "retrain" in found.hypotheses[0].cause.mitigation


def test_broad_drift_with_no_change_is_external() -> None:
    found = diagnose(inputs(model(observations=tuple(drift_obs(["age", "income", "tenure"])))))
    top = found.hypotheses[0]
    assert top.cause.key == "external:churn"
    assert (top.cause.label, top.cause.category) == ("external_change", "external")
    assert found.hypotheses[1].cause.key == "drift:churn"


def test_infrastructure_alert_is_the_serving_cause() -> None:
    slow = tuple(
        obs("p99", "latency", at, 900.0 if at >= ONSET else 80.0, at < ONSET) for at in hours(-6, 3)
    )
    found = diagnose(inputs(model(observations=slow), alerts=(infra_alert(),)))
    top = found.hypotheses[0]
    assert (top.cause.key, top.cause.category) == ("infra:NodeMemoryHigh", "infrastructure")
    assert {c["kind"] for c in top.contributions} == {"infrastructure_alert", "latency_spike"}
    alone = diagnose(inputs(model(observations=slow)))
    assert alone.hypotheses[0].cause.key == "serving:churn"


def test_symptoms_count_at_most_their_cap_per_collector() -> None:
    cause = Cause("drift:m", "data_drift", "data", "drift")
    many = [
        Evidence("drift", "feature_drift", f"f{i}", 1.0, 0.5, supports=("data_drift",))
        for i in range(20)
    ]
    [h] = combine("INC-1", [Evidence("drift", "x", "x", 1.0, 1.0, cause=cause), *many])
    assert h.points == 1.0 + SYMPTOM_CAP


def test_refuting_symptoms_lower_the_score() -> None:
    cause = Cause("drift:m", "data_drift", "data", "drift")
    steady = Evidence("model", "steady", "inputs steady", 1.0, 1.0, refutes=("data_drift",))
    [h] = combine("INC-1", [Evidence("drift", "x", "x", 1.0, 2.0, cause=cause), steady])
    assert h.points == 1.0
    assert [c["how"] for c in h.contributions] == ["names this cause", "refutes data_drift"]


def test_confidence_rises_with_the_points() -> None:
    values = [confidence(p) for p in (-1.0, 0.0, 1.0, MIDPOINT, 3.0, 5.0)]
    assert values == sorted(values)
    assert values[3] == 0.5
    assert 0 <= values[0] < 0.05  # rounded to four places
    assert values[-1] > 0.97


def test_a_failing_collector_is_named_and_the_others_still_count() -> None:
    class Broken:
        """Always fails."""

        name = "broken"

        def collect(self, inputs: object) -> list[Evidence]:
            raise ValueError("boom")

    chosen = {**collectors(), "broken": Broken()}
    found = diagnose(inputs(alerts=(infra_alert(),)), chosen)
    assert found.failed == {"broken": "ValueError: boom"}
    assert found.hypotheses
    assert "diagnosis: 1." in found.summary


def test_a_change_after_the_onset_window_is_no_candidate() -> None:
    late = alias_move(ONSET + 3 * HOUR)
    found = diagnose(inputs(changes=(late,)))
    assert found.hypotheses == ()
    early = alias_move(ONSET - timedelta(minutes=30))
    assert diagnose(inputs(changes=(early,))).hypotheses[0].cause.key == "change:mlflow:move-1"
