"""A diagnosis run as an incident opens labels it with the top hypothesis's taxonomy label
when that is confident enough (SQLite and PostgreSQL): one ``labels_changed`` event from
``rca``; a doubtful top hypothesis, or a label already there, adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from smokejumper.service.incidents.actions import declare
from smokejumper.service.rca.runs import LABEL_CONFIDENCE, label_from_diagnosis
from smokejumper.service.setup import open_store
from smokejumper.store.database import unit_of_work
from smokejumper.store.incidents import load_incident, timeline_of

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_a_confident_diagnosis_labels_the_incident_once(database_url: str) -> None:
    engine, sessions = open_store(database_url)
    try:
        made = declare(sessions, "accuracy down", "SEV2", NOW, actor="ana", models=["churn"])
        doubtful = [{"label": "label_shift", "confidence": LABEL_CONFIDENCE - 0.01}]
        confident = [{"label": "concept_drift", "confidence": 0.81}, *doubtful]
        for hypotheses in (doubtful, confident, confident):
            with unit_of_work(sessions) as session:
                label_from_diagnosis(session, made["id"], hypotheses, NOW)
        with sessions() as session:
            assert load_incident(session, made["id"]).labels == ("concept_drift",)
            changes = [
                e for e in timeline_of(session, made["id"]) if e.kind.value == "labels_changed"
            ]
        assert [(e.source, e.details["added"]) for e in changes] == [("rca", ["concept_drift"])]
    finally:
        engine.dispose()
