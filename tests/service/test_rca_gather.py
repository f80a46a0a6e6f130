"""What a diagnosis reads tells it which datasets other models declare they read (SQLite and
PostgreSQL), so a pipeline run feeding only them is left out of this incident's causes."""

from __future__ import annotations

from datetime import UTC, datetime

from smokejumper.monitoring.schema import DatasetInput, Feature, ModelSchema
from smokejumper.service.incidents.actions import declare
from smokejumper.service.rca.gather import gather
from smokejumper.service.setup import open_store
from smokejumper.store.database import unit_of_work
from smokejumper.store.models import register_model

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_gather_names_the_datasets_other_models_read(database_url: str) -> None:
    engine, sessions = open_store(database_url)
    try:
        loans = DatasetInput(namespace="wh", name="features.loans")
        churn = DatasetInput(namespace="wh", name="features.churn")
        with unit_of_work(sessions) as session:
            register_model(
                session, "loans", ModelSchema(features=[Feature(name="x")], inputs=[loans])
            )
            register_model(
                session, "churn", ModelSchema(features=[Feature(name="x")], inputs=[churn])
            )
            register_model(session, "bare", ModelSchema(features=[Feature(name="x")]))
        made = declare(sessions, "bare degraded", "SEV2", NOW, actor="ana", models=["bare"])
        with sessions() as session:
            found = gather(session, None, made["id"], NOW)
        assert found.claimed == {("wh", "features.loans"), ("wh", "features.churn")}
        assert found.model_inputs == frozenset()
        both = declare(sessions, "churn too", "SEV2", NOW, actor="ana", models=["churn", "bare"])
        with sessions() as session:
            assert gather(session, None, both["id"], NOW).claimed == {("wh", "features.loans")}
    finally:
        engine.dispose()
