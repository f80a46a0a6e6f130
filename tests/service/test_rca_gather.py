"""What a diagnosis reads (SQLite and PostgreSQL): which datasets other models declare they
read, so a pipeline run feeding only them is left out of this incident's causes; and the
labels of the logged rows around the onset, bounded, for the prior-shift check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from smokejumper.monitoring.schema import DatasetInput, Feature, ModelSchema
from smokejumper.service.incidents.actions import declare
from smokejumper.service.ingest import ingest
from smokejumper.service.rca import gather as gather_module
from smokejumper.service.rca.gather import gather
from smokejumper.service.setup import open_store
from smokejumper.store.database import unit_of_work
from smokejumper.store.labels import store_labels
from smokejumper.store.models import get_model, register_model
from smokejumper.store.rawlog import RawLog

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


def _logged(hours_before: int, hours_after: int, per_hour: int, onset: datetime) -> pa.Table:
    """``per_hour`` predictions an hour around ``onset``; ids say their hour and place."""
    stamps, ids = [], []
    for h in range(-hours_before, hours_after):
        for i in range(per_hour):
            stamps.append(onset + timedelta(hours=h, seconds=10 * i))
            ids.append(f"h{h}-{i}")
    n = len(ids)
    columns = {
        "id": pa.array(ids),
        "timestamp": pa.array(stamps, pa.timestamp("us", tz="UTC")),
        "x": pa.array(np.linspace(0, 1, n)),
        "prediction": pa.array(np.linspace(0.1, 0.9, n)),
    }
    target = LABELLED.arrow_schema()
    return pa.table([columns.get(f.name, pa.nulls(n, f.type)) for f in target], schema=target)


LABELLED = ModelSchema(features=[Feature(name="x")], prediction_kind="numeric")


def test_gather_reads_the_labels_of_the_rows_around_the_onset(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, sessions = open_store(database_url)
    raw_log = RawLog(tmp_path / "raw")
    try:
        table = _logged(3, 2, 40, NOW)
        with unit_of_work(sessions) as session:
            register_model(session, "loans", LABELLED, 3600)
        with sessions() as session:  # ingest commits
            model = get_model(session, "loans")
            ingest(session, raw_log, model, LABELLED, None, table, "b1")
        with unit_of_work(sessions) as session:
            model = get_model(session, "loans")
            # every other row gets its outcome; one label for an id never logged
            pairs = [(i, str(k % 3 == 0)) for k, i in enumerate(table.column("id").to_pylist())]
            store_labels(session, model, [*pairs[::2], ("elsewhere", "True")])
        made = declare(sessions, "loans degraded", "SEV2", NOW, actor="ana", models=["loans"])
        later = NOW + timedelta(hours=2)
        with sessions() as session:
            facts = gather(session, raw_log, made["id"], later).models["loans"]
        assert facts.rows is not None
        assert "id" not in facts.rows.column_names
        labelled = facts.labelled
        assert labelled is not None
        assert labelled.column_names == ["timestamp", "prediction", "label"]
        expected = dict(pairs[::2])
        stamps = table.column("timestamp").to_pylist()
        by_time = dict(zip(stamps, table.column("id").to_pylist(), strict=True))
        found = labelled.column("timestamp").to_pylist()
        got = zip(found, labelled.column("label").to_pylist(), strict=True)
        assert {by_time[t]: label for t, label in got} == expected  # all 100, each its own
        # at most MAX_LABELLED rows looked up each side, spread over the side's hours
        monkeypatch.setattr(gather_module, "MAX_LABELLED", 30)
        with sessions() as session:
            bounded = gather(session, raw_log, made["id"], later).models["loans"].labelled
        assert bounded is not None
        stamps = bounded.column("timestamp").to_pylist()
        before = [t for t in stamps if t < NOW]
        after = [t for t in stamps if t >= NOW]
        assert 10 <= len(before) <= 30
        assert 10 <= len(after) <= 30
        assert {t.hour for t in before} == {(NOW - timedelta(hours=h)).hour for h in (1, 2, 3)}
        # a model without labels reads none
        with unit_of_work(sessions) as session:
            register_model(session, "quiet", LABELLED, 3600)
        with sessions() as session:
            ingest(session, raw_log, get_model(session, "quiet"), LABELLED, None, table, "b2")
        other = declare(sessions, "quiet degraded", "SEV2", NOW, actor="ana", models=["quiet"])
        with sessions() as session:
            assert gather(session, raw_log, other["id"], later).models["quiet"].labelled is None
    finally:
        raw_log.close()
        engine.dispose()
