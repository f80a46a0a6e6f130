"""The diagnosis names the cause itself: the column that changed units, the broken columns,
the feature that drifted most, the model server, a broken calibration layer; and it leaves
out what it has reason to leave out (another model's pipeline runs, a quality fall within
sampling noise)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pyarrow as pa
from tests.rca.support import (
    HOUR,
    LOW,
    ONSET,
    alias_move,
    confidence_obs,
    drift_obs,
    feature_run,
    hours,
    inputs,
    model,
    obs,
    perf_obs,
    steady_perf_obs,
)

from smokejumper.rca import diagnose
from smokejumper.rca.collectors import collectors
from smokejumper.rca.profile_checks import profile_findings
from smokejumper.stats.dataset import profile

COLLECTORS = collectors()


def _amounts(scale: float, seed: int, name: str = "loan_amount") -> pa.Table:
    rng = np.random.default_rng(seed)
    return pa.table({name: rng.lognormal(9.5, 0.6, 300) * scale})


def _rescaled_profiles(name: str = "loan_amount") -> tuple[tuple[object, ...], ...]:
    ref = profile(_amounts(1.0, 0, name))
    return tuple(
        (at, profile(_amounts(100.0 if at >= ONSET else 1.0, i, name), reference=ref))
        for i, at in enumerate(hours(-3, 2))
    )


def test_a_column_in_other_units_is_a_unit_change_naming_it() -> None:
    ref = profile(_amounts(1.0, 0))
    m = model(profiles=_rescaled_profiles(), reference=ref)
    found = diagnose(inputs(m))
    top = found.hypotheses[0]
    assert top.cause.key == "schema:churn"
    assert top.cause.label == "schema_change"
    assert top.cause.subject["column"] == "loan_amount"
    assert "loan_amount" in top.cause.title
    assert "unit change" in top.cause.title
    assert any(c["kind"] == "unit_change" for c in top.contributions)


def test_a_rescale_refutes_drift_and_a_shift_is_no_rescale() -> None:
    ref = profile(_amounts(1.0, 0))
    shifted = profile(pa.table({"loan_amount": _amounts(1.0, 1)["loan_amount"].to_numpy() + 5e4}))
    assert [f[1] for f in profile_findings([ref], [shifted], ref)] == ["out_of_range"]
    m = model(
        profiles=_rescaled_profiles("income"),
        reference=profile(_amounts(1.0, 0, "income")),
        observations=tuple(drift_obs(["income"])),
    )
    drift = next(h for h in diagnose(inputs(m)).hypotheses if h.cause.key == "drift:churn")
    refuted = [c for c in drift.contributions if c["how"] == "refutes data_drift"]
    assert refuted
    assert refuted[0]["kind"] == "rescaled"
    assert refuted[0]["points"] < 0


def test_the_data_quality_cause_names_the_broken_columns() -> None:
    quality = [
        obs(
            "quality",
            "data_quality",
            at,
            2.0 if at >= ONSET else 0.0,
            at < ONSET,
            {"broken_columns": ["income", "score"] if at >= ONSET else []},
        )
        for at in hours(-6, 3)
    ]
    found = COLLECTORS["data_quality"].collect(inputs(model(observations=tuple(quality))))
    cause = next(e.cause for e in found if e.cause is not None)
    assert cause.key == "data_quality:churn"
    assert cause.subject["columns"] == ["income", "score"]
    assert "(income, score)" in cause.title


def _categories(values: list[str]) -> pa.Table:
    return pa.table({"region": values})


def test_new_categories_beside_the_known_ones_are_drift_renamed_ones_a_schema_change() -> None:
    ref = profile(_categories(["north"] * 150 + ["south"] * 150))
    new = profile(_categories(["north"] * 100 + ["south"] * 100 + ["central"] * 100), reference=ref)
    renamed = profile(_categories(["NORTH"] * 150 + ["south"] * 150), reference=ref)
    before = profile(_categories(["north"] * 150 + ["south"] * 150), reference=ref)

    def causes(after: object) -> dict[str, list[str]]:
        m = model(profiles=((ONSET - HOUR, before), (ONSET, after)), reference=ref)
        found = COLLECTORS["data_quality"].collect(inputs(m))
        return {e.kind: list(e.supports) for e in found} | {
            e.cause.key: [] for e in found if e.cause is not None
        }

    added, recoded = causes(new), causes(renamed)
    assert "data_drift" in added["unseen_categories"]
    assert "schema:churn" not in added
    assert "recoded" in recoded
    assert "schema:churn" in recoded


def test_runs_of_another_models_pipeline_are_left_out() -> None:
    broken = feature_run("r-bad", ONSET - HOUR, 950, "snap-4")
    bare = replace(model(), inputs=frozenset())
    theirs = inputs(bare, runs=((broken, (LOW,)),), claimed=frozenset({("wh", "features.churn")}))
    unknown = inputs(bare, runs=((broken, (LOW,)),))
    for name in ("changes", "lineage"):
        assert COLLECTORS[name].collect(theirs) == []
        assert [e.cause.key for e in COLLECTORS[name].collect(unknown) if e.cause] == ["run:r-bad"]
    # a run feeding a dataset both this model and another read is still this model's
    shared = inputs(runs=((broken, (LOW,)),), claimed=frozenset({("wh", "features.churn")}))
    assert COLLECTORS["lineage"].collect(shared)


def test_a_confidence_collapse_with_nothing_upstream_moved_is_the_calibration_layer() -> None:
    steady = (*confidence_obs(), *drift_obs([]), *steady_perf_obs())
    found = diagnose(inputs(model(observations=steady)))
    top = found.hypotheses[0]
    assert top.cause.key == "calibration:churn"
    assert top.cause.label == "model_regression"
    assert "calibration layer" in top.cause.title
    assert "quality held" in top.cause.title
    assert all(top.confidence > h.confidence for h in found.hypotheses[1:])
    assert {c["collector"] for c in top.contributions} >= {"calibration", "model"}
    # a model change right before it is the candidate instead
    moved = inputs(model(observations=steady), changes=(alias_move(),))
    assert COLLECTORS["calibration"].collect(moved) == []
    # quality falling too leaves the calibration a weaker candidate
    fell = (*confidence_obs(), *drift_obs([]), *perf_obs())
    (weaker,) = COLLECTORS["calibration"].collect(inputs(model(observations=fell)))
    assert weaker.strength < 1.0
    assert "quality fell" in weaker.summary


def test_a_quality_fall_within_sampling_noise_is_no_concept_drift() -> None:
    noisy = [
        obs(
            "accuracy",
            "performance",
            at,
            0.72 if at == ONSET + 2 * HOUR else 0.8,
            at != ONSET + 2 * HOUR,
            {"labelled": 18, "rows": 30},
        )
        for at in hours(-12, 3)
    ]
    m = model(observations=(*noisy, *drift_obs([])))
    assert COLLECTORS["model"].collect(inputs(m)) == []
    clear = model(observations=(*perf_obs(), *drift_obs([])))
    kinds = [e.kind for e in COLLECTORS["model"].collect(inputs(clear))]
    assert kinds == ["quality_down_inputs_steady", "concept_drift"]


def test_the_drift_cause_leads_with_the_largest_effect_and_serving_names_the_server() -> None:
    drifted = drift_obs(["age", "income"])
    bigger = [
        replace(
            o,
            details={
                "columns": {
                    **o.details["columns"],
                    "income": {**o.details["columns"]["income"], "effect_size": 0.9},
                }
            },
        )
        if o.details["columns"]["income"]["drift"]
        else o
        for o in drifted
    ]
    found = COLLECTORS["drift"].collect(inputs(model(observations=tuple(bigger))))
    cause = next(e.cause for e in found if e.cause is not None)
    assert cause.subject["feature"] == "income"
    assert "largest in income" in cause.title
    latency = [
        obs("latency", "latency", at, 900.0 if at >= ONSET else 40.0, at < ONSET)
        for at in hours(-6, 3)
    ]
    served = COLLECTORS["serving"].collect(inputs(model(observations=tuple(latency))))
    server = next(e.cause for e in served if e.cause is not None)
    assert server.subject["component"] == "model server"
    assert "model server" in server.title
    assert "latency at 900" in server.title
