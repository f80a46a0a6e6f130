"""One suite, run against every registered drill scenario (found automatically): each declares
a valid truth, builds its traffic deterministically per seed, and its fault starts at onset."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import numpy as np
import pyarrow.compute as pc
import pytest

from smokejumper.drills import faults
from smokejumper.drills.base_data import default_probability, loans_pool
from smokejumper.drills.model import train_model
from smokejumper.drills.monitors import short_names
from smokejumper.drills.registry import available_scenarios, get_scenario, register
from smokejumper.drills.scenario import Component, Fault, Scenario, Size, Truth
from smokejumper.drills.traffic import build_traffic
from smokejumper.errors import RegistrationError, ScenarioError, UnknownScenarioError
from smokejumper.incidents.taxonomy import TAXONOMY

SCENARIOS = available_scenarios()
END = datetime(2026, 11, 2, tzinfo=UTC)
MODEL = train_model(loans_pool(), 3)
BAD = train_model(loans_pool(), 3, shuffle_labels=True)


def _traffic(scenario: Scenario, seed: int = 3):  # type: ignore[no-untyped-def]
    return build_traffic(scenario, Size.SMALL, seed, MODEL, BAD, END)


def test_the_issue_scenarios_are_all_there() -> None:
    names = {s.name for s in SCENARIOS}
    assert {
        "sudden_drift", "gradual_drift", "pipeline_failure", "unit_change", "unseen_categories",
        "stale_features", "volume_drop", "concept_drift", "bad_version", "seasonal",
        "drift_without_harm", "serving_spike", "confidence_collapse", "prior_shift",
        "segment_bias",
    } <= names  # fmt: skip
    assert [s for s in SCENARIOS if not s.truth.incident] == [
        get_scenario("drift_without_harm"),
        get_scenario("seasonal"),
    ]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_truth_is_valid(scenario: Scenario) -> None:
    truth = scenario.truth
    assert truth.label is None or truth.label in {t.slug for t in TAXONOMY}
    assert set(truth.monitors) <= set(short_names(loans_pool()))
    if scenario.fault is not None:
        assert truth.monitors, "a fault must name the monitors that should catch it"
        assert set(scenario.fault.columns) <= set(loans_pool().features)
    if truth.component.kind == "feature":
        assert truth.component.name in loans_pool().features
    assert scenario.title
    assert scenario.story


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_traffic_is_deterministic_per_seed(scenario: Scenario) -> None:
    first, again, other = _traffic(scenario), _traffic(scenario), _traffic(scenario, seed=4)
    assert [w.predictions for w in first] == [w.predictions for w in again]
    assert [w.labels for w in first] == [w.labels for w in again]
    assert [w.predictions for w in first] != [w.predictions for w in other]
    assert len(first) == Size.SMALL.windows
    assert all(w.end == n.start for w, n in itertools.pairwise(first))
    assert first[-1].end == END


def _signature(scenario: Scenario, windows) -> np.ndarray:  # type: ignore[no-untyped-def]
    """One number per window that the scenario's fault moves."""
    fault = scenario.fault
    assert fault is not None
    out = []
    for w in windows:
        t = w.predictions
        if fault.kind in ("covariate_shift",):
            out.append(pc.mean(t.column(fault.columns[0])).as_py())
        elif fault.kind == "pipeline_nulls":
            out.append(t.column(fault.columns[0]).null_count / t.num_rows)
        elif fault.kind == "rescale":
            out.append(pc.max(t.column(fault.columns[0])).as_py())
        elif fault.kind == "new_category":
            out.append(float(pc.sum(pc.equal(t.column(fault.columns[0]), "central")).as_py() or 0))
        elif fault.kind == "frozen":
            out.append(-len(pc.unique(t.column(fault.columns[0]))))
        elif fault.kind == "volume_drop":
            out.append(-t.num_rows)
        elif fault.kind in ("concept_drift", "bad_version"):
            predicted = np.asarray(t.column("prediction").to_pylist()) > 0.5
            ids = t.column("id").to_pylist()
            by_id = dict(zip(ids, predicted, strict=True))
            pairs = zip(w.label_ids, w.labels, strict=True)
            out.append(-np.mean([by_id[i] == bool(y) for i, y in pairs]))
        elif fault.kind == "segment_concept":  # the segment's accuracy, labelled rows
            column = t.column(fault.columns[0]).to_pylist()
            predicted = np.asarray(t.column("prediction").to_pylist()) > 0.5
            ids = t.column("id").to_pylist()
            by_id = {i: (p, c) for i, p, c in zip(ids, predicted, column, strict=True)}
            pairs = zip(w.label_ids, w.labels, strict=True)
            hits = [by_id[i][0] == bool(y) for i, y in pairs if by_id[i][1] == fault.value]
            out.append(-np.mean(hits))
        elif fault.kind == "serving_spike":
            out.append(pc.quantile(t.column("latency_ms"), 0.99)[0].as_py())
        elif fault.kind == "confidence_collapse":
            out.append(-pc.mean(t.column("confidence")).as_py())
        elif fault.kind == "label_shift":
            out.append(float(np.mean(w.labels)))
        else:  # pragma: no cover - a new fault kind needs a signature here
            raise AssertionError(f"no signature for {fault.kind}")
    return np.asarray(out, dtype=np.float64)


@pytest.mark.parametrize(
    "scenario", [s for s in SCENARIOS if s.fault is not None], ids=lambda s: s.name
)
def test_fault_starts_at_onset(scenario: Scenario) -> None:
    windows = _traffic(scenario)
    onset = scenario.onset_window(Size.SMALL)
    assert onset is not None
    assert 0 < onset < len(windows)
    signature = _signature(scenario, windows)
    fault = scenario.fault
    assert fault is not None
    before, after = signature[:onset], signature[onset + fault.ramp_windows :]
    # the clean windows are alike; every window after the fault is in full is far from them
    spread = before.max() - before.min()
    distance = np.abs(after - before.mean()).min()
    assert distance > spread / 2 + 1e-9, (scenario.name, before, after)


def test_scenarios_and_truth_refuse_nonsense() -> None:
    with pytest.raises(ScenarioError, match=r"fault.kind 'fire'"):
        Fault("fire", 1.0)  # type: ignore[arg-type]
    with pytest.raises(ScenarioError, match=r"fault.onset"):
        Fault("volume_drop", 0.9, onset=0.95)
    with pytest.raises(ScenarioError, match=r"truth.label is required"):
        Truth(None, Component("none", ""), incident=True, monitors=())
    with pytest.raises(ScenarioError, match=r"component.kind 'person'"):
        Component("person", "ana")  # type: ignore[arg-type]
    truth = Truth("data_drift", Component("feature", "age"), incident=True, monitors=("drift",))
    with pytest.raises(ScenarioError, match="no fault, yet its truth wants an incident"):
        Scenario("quiet", "t", "s", None, truth)
    with pytest.raises(ScenarioError, match="scenario name"):
        Scenario("Bad Name", "t", "s", Fault("volume_drop", 0.9), truth)
    with pytest.raises(ScenarioError, match="window_seconds 700"):
        Scenario("odd", "t", "s", Fault("volume_drop", 0.9), truth, window_seconds=700)


def test_a_segment_fault_moves_the_world_of_its_segment_only() -> None:
    pool = loans_pool().table
    fault = get_scenario("segment_bias").fault
    assert fault is not None
    assert fault.value in pool.column("region").to_pylist()
    concept = faults.concept(fault, 1.0, pool)
    south = np.asarray(pool.column("region").to_pylist()) == fault.value
    assert isinstance(concept, np.ndarray)
    assert set(concept[south]) == {fault.magnitude}
    assert set(concept[~south]) == {0.0}
    moved = default_probability(pool, concept=concept)
    assert np.array_equal(moved[~south], default_probability(pool)[~south])
    everywhere = default_probability(pool, concept=fault.magnitude)
    assert np.allclose(moved[south], everywhere[south])
    # the default rate barely moves: the world changed, not the base rate
    assert abs(moved.mean() - default_probability(pool).mean()) < 0.03
    assert faults.concept(fault, 0.0, pool) == 0.0
    with pytest.raises(ScenarioError, match="needs one column and its value"):
        Fault("segment_concept", 1.0, ("region",))


def test_the_registry_refuses_a_second_scenario_of_a_name() -> None:
    known = get_scenario("volume_drop")
    assert register(known) is known  # the same one again is no error
    other = Scenario("volume_drop", "other", "s", known.fault, known.truth)
    with pytest.raises(RegistrationError, match="volume_drop"):
        register(other)
    with pytest.raises(UnknownScenarioError, match="smokejumper drill list"):
        get_scenario("fire")
