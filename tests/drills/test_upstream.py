"""What a drill announces upstream of its model (pure, no server): the volume drop's gateway
landing job reports each hour's applications through OpenLineage and the model declares that
dataset; the truth names the gateway's run at the onset, and the scoring matches only a
hypothesis that names that run."""

from __future__ import annotations

from datetime import UTC, datetime

from smokejumper.changes.health import row_count_flag
from smokejumper.changes.openlineage import RunEvent, parse_event
from smokejumper.drills import changes
from smokejumper.drills.registry import get_scenario
from smokejumper.drills.scoring import rank_of

STARTS = [datetime(2026, 11, 1, h, tzinfo=UTC) for h in range(24)]
LANDED = [500] * 12 + [48, 51, 50, 47, 52, 49, 50, 51, 50, 48, 53, 50]


def test_the_volume_drop_announces_its_gateway_and_declares_it() -> None:
    scenario = get_scenario("volume_drop")
    assert changes.declared_inputs(scenario, "m1") == [
        {"namespace": "drills", "name": "applications.loans.m1"}
    ]
    events = changes.lineage_events(scenario, "m1", STARTS, LANDED, onset=12, rows=500, seed=3)
    parsed = [parse_event(e) for e in events]  # valid OpenLineage RunEvents
    assert all(isinstance(p, RunEvent) for p in parsed)
    completes = [e for e in events if e["eventType"] == "COMPLETE"]
    assert {e["job"]["name"] for e in completes} == {"gateway.loan_applications.m1"}
    counts = [e["outputs"][0]["outputFacets"]["outputStatistics"]["rowCount"] for e in completes]
    assert counts == LANDED
    # each run ends before the window whose applications it landed
    ended = [datetime.fromisoformat(e["eventTime"]) for e in completes]
    assert all(end < start for end, start in zip(ended, STARTS, strict=True))
    # the onset's run is the first a row-count check flags
    flags = [row_count_flag("applications", counts[i], counts[:i][::-1]) for i in range(1, 24)]
    assert next(i + 1 for i, f in enumerate(flags) if f is not None) == 12
    # the same drill run sends the same run ids; another seed others
    again = changes.lineage_events(scenario, "m1", STARTS, LANDED, onset=12, rows=500, seed=3)
    other = changes.lineage_events(scenario, "m1", STARTS, LANDED, onset=12, rows=500, seed=4)
    assert [e["run"]["runId"] for e in again] == [e["run"]["runId"] for e in events]
    assert not {e["run"]["runId"] for e in other} & {e["run"]["runId"] for e in events}


def test_other_scenarios_announce_what_they_did() -> None:
    pipeline = get_scenario("pipeline_failure")
    assert changes.declared_inputs(pipeline, "m1") == [
        {"namespace": "drills", "name": "features.loans.m1"}
    ]
    events = changes.lineage_events(pipeline, "m1", STARTS, LANDED, onset=12, rows=500, seed=3)
    assert events == changes.pipeline_runs("m1", STARTS, onset=12, rows=500, seed=3)
    drift = get_scenario("concept_drift")
    assert changes.declared_inputs(drift, "m1") is None
    assert changes.lineage_events(drift, "m1", STARTS, LANDED, onset=12, rows=500, seed=3) == []
    assert changes.truth_component(drift, "m1", 12) == drift.truth.component


def test_the_scoring_matches_the_gateway_run_at_the_onset_only() -> None:
    truth = changes.truth_component(get_scenario("volume_drop"), "m1", 12)
    assert (truth.name, truth.version) == ("gateway.loan_applications.m1", "m1-snap-0012")

    def run(version: str) -> dict[str, object]:
        return {
            "key": "run:0193",
            "title": f"pipeline job gateway.loan_applications.m1 (COMPLETE) wrote "
            f"applications.loans.m1 version {version} with 48 rows",
            "subject": {"job": "gateway.loan_applications.m1", "dataset_version": version},
        }

    volume = {"key": "data_quality:m1", "title": "a data-quality break: volume down 90%"}
    assert rank_of([volume, run("m1-snap-0012")], truth) == 2
    assert rank_of([volume, run("m1-snap-0011")], truth) is None  # an earlier run is not it
    other = dict(run("m2-snap-0012"), subject={"job": "gateway.loan_applications.m2"})
    other["title"] = "pipeline job gateway.loan_applications.m2 wrote version m2-snap-0012"
    assert rank_of([other], truth) is None  # another model's gateway is not it
