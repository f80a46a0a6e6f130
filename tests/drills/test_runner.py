"""Drills replayed through a real server (one ``smokejumper serve`` for the module): the
pipeline failure opens an incident labelled data quality with the broken run on record, the
bad version's alias move is in the incident's changes, bias in one region is caught by the
fairness monitor and named by the diagnosis, and a seasonal pattern opens nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from smokejumper.drills import changes
from smokejumper.drills.registry import get_scenario
from smokejumper.drills.runner import DrillServer
from smokejumper.drills.scenario import Size

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def drills() -> Iterator[DrillServer]:
    with DrillServer() as server:
        yield server


def test_a_silent_pipeline_failure_opens_a_data_quality_incident(drills: DrillServer) -> None:
    result = drills.run(get_scenario("pipeline_failure"), seed=2, size=Size.SMALL)
    score = result.score
    assert score.detected is True
    assert score.detection_windows == 0
    assert score.incident_opened
    assert score.incident_right
    assert "data_quality" in score.labels
    assert score.label_right is True
    assert {"nulls", "quality"} <= set(score.alerts)
    assert score.clean_windows == 12
    assert score.rank is None or score.rank >= 1  # None until diagnosis answers
    assert result.incident is not None
    assert result.incident["id"] == score.incident_id
    assert result.postmortem is not None
    assert result.postmortem["incident_id"] == score.incident_id
    assert result.postmortem["summary"]["generated"] is True
    # the broken run reached the lineage graph, flagged, at the onset's dataset version
    with drills.server.admin() as admin:
        namespace, name = changes.pipeline_dataset(score.model)
        dataset = admin.dataset(namespace, name)
    assert dataset["latest"]["version"] == changes.dataset_version(score.model, 23)
    broken = [
        p for p in dataset["producers"] if p["version"] == changes.dataset_version(score.model, 12)
    ]
    assert [f["kind"] for f in broken[0]["flags"]] == ["row_count_low"]


def test_a_bad_version_after_an_alias_move_is_a_model_regression(drills: DrillServer) -> None:
    result = drills.run(get_scenario("bad_version"), seed=2, size=Size.SMALL)
    score = result.score
    assert score.detected
    assert score.detection_windows == 0
    assert score.label_right is True
    assert "accuracy" in score.alerts
    assert result.incident is not None
    moves = [c for c in result.incident["changes"] if c["kind"] == "alias_move"]
    assert [m["summary"] for m in moves] == ["alias champion moved from v1 to v2"]


def test_a_seasonal_pattern_in_the_reference_opens_no_incident(drills: DrillServer) -> None:
    result = drills.run(get_scenario("seasonal"), seed=2, size=Size.SMALL)
    score = result.score
    assert score.detected is None
    assert score.detection_windows is None
    assert not score.incident_opened
    assert score.incident_right
    assert score.label_right is None
    assert score.clean_windows == Size.SMALL.windows
    assert result.incident is None
    assert result.postmortem is None
    # the reference holds the daily pattern hour by hour and drift is judged by the hour of the
    # day, so the pattern raises no drift warning either (it raised one most hours before)
    assert dict(score.false_alarm_monitors).get("drift", 0) == 0


def test_bias_in_one_region_pages_the_fairness_monitor_and_the_diagnosis_names_it(
    drills: DrillServer,
) -> None:
    result = drills.run(get_scenario("segment_bias"), seed=2, size=Size.SMALL)
    score = result.score
    assert score.detected is True
    assert score.false_alarms == 0
    assert "fairness" in score.alerts
    assert score.incident_opened
    assert score.label_right is True
    assert "fairness_bias" in score.labels
    assert score.rank == 1  # the top hypothesis: fairness_bias naming region=south
