"""The registry diff, pure: what the MLflow poller records between two snapshots (new versions,
stage transitions, alias moves, deletions), for which models, dated how, and MLflow's REST
answers read into snapshots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from smokejumper.changes import Change
from smokejumper.changes.registry import (
    ModelState,
    RegistrySnapshot,
    VersionState,
    snapshot_from_rest,
)
from smokejumper.changes.registry_moves import ModelMapping, registry_changes
from smokejumper.errors import RegistryUnavailableError

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SINCE = NOW - timedelta(minutes=5)
UI = "http://mlflow.example.com:5000"


def ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def version(
    stage: str = "None",
    created: datetime = SINCE - timedelta(days=3),
    updated: datetime | None = None,
    run_id: str = "",
) -> VersionState:
    return VersionState(
        stage=stage, created_ms=ms(created), updated_ms=ms(updated or created), run_id=run_id
    )


def snap(**models: ModelState) -> RegistrySnapshot:
    return RegistrySnapshot(models)


def diff(
    old: RegistrySnapshot, new: RegistrySnapshot, mapping: ModelMapping | None = None
) -> list[Change]:
    return registry_changes(old, new, now=NOW, since=SINCE, ui_url=UI, mapping=mapping)


def test_a_new_version_is_dated_by_its_creation_and_links_to_its_page() -> None:
    created = NOW - timedelta(minutes=2)
    old = snap(churn=ModelState({"1": version()}))
    new = snap(churn=ModelState({"1": version(), "2": version(created=created, run_id="r9")}))
    [change] = diff(old, new)
    assert (change.kind, change.model, change.at, change.source) == (
        "model_version",
        "churn",
        created,
        "mlflow",
    )
    assert change.summary == "new version v2 of churn in MLflow"
    assert change.link == f"{UI}/#/models/churn/versions/2"
    assert change.details["event"] == "created"
    assert change.details["run_id"] == "r9"
    assert change.details["registered_model"] == "churn"


def test_an_alias_move_names_the_old_and_new_version_and_when_it_was_seen() -> None:
    old = snap(churn=ModelState({"3": version(), "4": version()}, {"champion": "3"}))
    new = snap(churn=ModelState({"3": version(), "4": version()}, {"champion": "4"}))
    [move] = diff(old, new)
    assert move.kind == "alias_move"
    assert move.summary == "alias champion moved from v3 to v4"
    assert move.at == NOW  # MLflow dates no alias move: when it was seen
    assert move.details["old_version"] == "3"
    assert move.details["new_version"] == "4"
    assert move.details["not_before"] == SINCE.isoformat()
    assert move.link == f"{UI}/#/models/churn/versions/4"


def test_aliases_set_and_removed_and_versions_deleted() -> None:
    old = snap(churn=ModelState({"1": version("Archived"), "2": version()}, {"old": "1"}))
    new = snap(churn=ModelState({"2": version()}, {"challenger": "2"}))
    found = {c.summary: c for c in diff(old, new)}
    assert set(found) == {
        "alias challenger set to v2",
        "alias old removed (was v1)",
        "version v1 of churn deleted from MLflow",
    }
    assert found["alias old removed (was v1)"].details["new_version"] is None
    assert found["version v1 of churn deleted from MLflow"].details["stage"] == "Archived"


def test_a_stage_transition_is_dated_by_the_versions_update_within_the_poll_interval() -> None:
    moved = NOW - timedelta(minutes=1)
    old = snap(churn=ModelState({"2": version("Staging")}))
    new = snap(churn=ModelState({"2": version("Production", updated=moved)}))
    [change] = diff(old, new)
    assert change.kind == "alias_move"
    assert change.summary == "v2 moved from stage Staging to Production"
    assert change.at == moved
    assert (change.details["old_stage"], change.details["new_stage"]) == ("Staging", "Production")
    # an update time from another machine's clock outside [since, now] is kept inside it
    late = snap(churn=ModelState({"2": version("Production", updated=NOW + timedelta(hours=1))}))
    early = snap(churn=ModelState({"2": version("Production", updated=SINCE - timedelta(days=1))}))
    assert diff(old, late)[0].at == NOW
    assert diff(old, early)[0].at == SINCE


def test_a_version_created_straight_into_a_stage_is_a_new_version_and_a_stage_move() -> None:
    created = NOW - timedelta(minutes=3)
    new = snap(churn=ModelState({"1": version("Production", created=created)}))
    kinds = [(c.kind, c.summary) for c in diff(snap(), new)]
    assert kinds == [
        ("model_version", "new version v1 of churn in MLflow"),
        ("alias_move", "v1 moved from stage None to Production"),
    ]


def test_nothing_changed_records_nothing_and_the_same_move_keeps_its_key() -> None:
    state = snap(churn=ModelState({"1": version()}, {"champion": "1"}))
    assert diff(state, state) == []
    moved = snap(churn=ModelState({"1": version(), "2": version()}, {"champion": "2"}))
    assert [c.key for c in diff(state, moved)] == [c.key for c in diff(state, moved)]


def test_the_mapping_watches_some_models_and_renames_them() -> None:
    old = snap(
        **{
            "churn-prod": ModelState({"1": version()}, {"champion": "1"}),
            "fraud": ModelState({"1": version()}),
        }
    )
    new = snap(
        **{
            "churn-prod": ModelState({"1": version(), "2": version()}, {"champion": "2"}),
            "fraud": ModelState({"1": version(), "2": version()}),
        }
    )
    mapping = ModelMapping(frozenset({"churn-prod"}), {"churn-prod": "churn"})
    found = diff(old, new, mapping=mapping)
    assert {c.model for c in found} == {"churn"}
    assert {c.details["registered_model"] for c in found} == {"churn-prod"}
    assert all("/models/churn-prod/versions/2" in (c.link or "") for c in found)
    assert {c.model for c in diff(old, new)} == {"churn-prod", "fraud"}


def test_rest_answers_of_another_shape_are_refused_naming_the_field() -> None:
    with pytest.raises(RegistryUnavailableError, match="registered model without 'name'"):
        snapshot_from_rest([{"aliases": []}], [])
    with pytest.raises(RegistryUnavailableError, match="'aliases' is not a list"):
        snapshot_from_rest([{"name": "churn", "aliases": {"champion": "1"}}], [])
    with pytest.raises(RegistryUnavailableError, match="'creation_timestamp' is not a number"):
        snapshot_from_rest([], [{"name": "churn", "version": "1", "creation_timestamp": "x"}])


def test_rest_answers_leave_out_empty_fields_and_may_write_int64_as_text() -> None:
    found = snapshot_from_rest(
        [{"name": "churn"}, {"name": "fraud", "aliases": [{"alias": "champion", "version": "2"}]}],
        [{"name": "fraud", "version": "2", "creation_timestamp": "1796000000000"}],
    )
    assert found.models["churn"] == ModelState({}, {})
    fraud = found.models["fraud"]
    assert fraud.aliases == {"champion": "2"}
    assert fraud.versions["2"] == VersionState("None", "READY", 1796000000000, 0, "", "")
