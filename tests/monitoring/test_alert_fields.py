"""What a monitor declares about its alert: severity, for_windows, labels, runbook_url, team."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from smokejumper.alerting.sources import RESERVED
from smokejumper.errors import MonitorConfigError
from smokejumper.monitoring.monitors import MonitorConfig, monitor_types, parse_monitor
from smokejumper.monitoring.monitors.base import RESERVED_LABELS
from smokejumper.monitoring.schema import Feature, ModelSchema
from smokejumper.store import monitors
from smokejumper.store.database import make_engine, session_factory, upgrade
from smokejumper.store.models import register_model
from smokejumper.store.tables import Monitor

BASE = {"name": "churn-drift", "model": "churn", "type": "feature_drift", "max": 0}


def _spec(**more: Any) -> dict[str, Any]:
    return {**BASE, **more}


def test_the_reserved_names_are_those_the_alerting_side_sets() -> None:
    assert RESERVED_LABELS == RESERVED


def test_a_monitor_without_alert_fields_gets_the_defaults() -> None:
    spec = parse_monitor(BASE)
    assert (spec.severity, spec.for_windows, spec.labels, spec.runbook_url, spec.team) == (
        "warning",
        1,
        {},
        None,
        None,
    )


def test_every_type_takes_the_alert_fields() -> None:
    fields = {
        "severity": "page",
        "for_windows": 3,
        "labels": {"tier": "gold", "owner_slack": "@ana"},
        "runbook_url": "https://runbooks.example.com/churn#drift",
        "team": "ml-platform",
    }
    for kind, cls in monitor_types().items():
        spec = parse_monitor({"name": "m", "model": "churn", "type": kind, **cls.example, **fields})
        assert {k: getattr(spec, k) for k in fields} == fields, kind
        assert {k: spec.model_dump()[k] for k in fields} == fields, kind


@pytest.mark.parametrize(
    ("more", "says"),
    [
        ({"severity": ""}, "severity: String should have at least 1 character"),
        ({"severity": "very bad"}, "severity: String should match pattern"),
        ({"for_windows": 0}, "for_windows: Input should be greater than or equal to 1"),
        ({"for_windows": 1.5}, "for_windows: Input should be a valid integer"),
        ({"for_windows": "2"}, "for_windows: Input should be a valid integer"),
        ({"for_windows": True}, "for_windows: Input should be a valid integer"),
        ({"labels": {"model": "x"}}, "label 'model' is set by Smokejumper"),
        ({"labels": {"team": "x"}}, "or use the monitor's own field 'team'"),
        ({"labels": {"1tier": "x"}}, "label name '1tier' is not valid"),
        ({"labels": {"__name__": "x"}}, "label name '__name__' is not valid"),
        ({"labels": {"tier": ""}}, "label 'tier' must have a value of 1 to 1000 characters"),
        ({"labels": {"tier": 3}}, "labels.tier: Input should be a valid string"),
        ({"labels": ["tier"]}, "labels: Input should be a valid dictionary"),
        ({"runbook_url": "runbooks/churn"}, "runbook_url 'runbooks/churn' is not a link"),
        ({"runbook_url": "https://"}, "is not a link"),
        ({"runbook_url": "https://x.example/a b"}, "is not a link"),
        ({"team": ""}, "team: String should have at least 1 character"),
        ({"team": "ml\x00"}, "team: Value error, holds the NUL character"),
    ],
)
def test_bad_alert_fields_are_refused_with_the_reason(more: dict[str, Any], says: str) -> None:
    with pytest.raises(MonitorConfigError, match="invalid monitor") as refused:
        parse_monitor(_spec(**more))
    assert says in str(refused.value)


def test_a_monitors_file_with_alert_fields_round_trips_as_json() -> None:
    config = MonitorConfig.model_validate(
        {"monitors": [_spec(severity="critical", for_windows=2, labels={"tier": "gold"})]}
    )
    again = MonitorConfig.model_validate_json(config.model_dump_json())
    assert again == config
    assert again.monitors[0].labels == {"tier": "gold"}


def test_a_spec_stored_before_the_alert_fields_still_loads(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade(engine)
    try:
        with session_factory(engine)() as session:
            register_model(session, "churn", ModelSchema(features=[Feature(name="age")]))
            monitors.save_monitor(session, parse_monitor(BASE))
            old = json.dumps({**BASE, "min": None})  # as written before the alert fields
            session.execute(update(Monitor).values(spec_json=old))
            session.commit()
            [(row, spec)] = monitors.monitors_of(session)
            assert row.spec_json == old
            assert (spec.severity, spec.for_windows, spec.labels) == ("warning", 1, {})
    finally:
        engine.dispose()
