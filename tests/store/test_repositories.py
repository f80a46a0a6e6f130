"""Labels, window parts, observations and window evaluations in the store (SQLite and
PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from smokejumper.monitoring.monitors import parse_monitor
from smokejumper.monitoring.schema import Feature, ModelSchema
from smokejumper.store import labels, monitors, observations, windows
from smokejumper.store.database import as_utc, make_engine, session_factory, upgrade
from smokejumper.store.models import register_model
from smokejumper.store.tables import (
    IngestBatch,
    Model,
    ObservationRow,
    WindowEvaluation,
    WindowPart,
)

SCHEMA = ModelSchema(features=[Feature(name="x")])
HOUR = datetime(2026, 11, 1, 6, tzinfo=UTC)


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    engine = make_engine(database_url)
    upgrade(engine)
    try:
        with session_factory(engine)() as s:
            yield s
    finally:
        engine.dispose()


def _models(session: Session) -> tuple[Model, Model]:
    return register_model(session, "a", SCHEMA), register_model(session, "b", SCHEMA)


def test_labels_for_many_ids_in_one_query(session: Session) -> None:
    a, b = _models(session)
    labels.store_labels(session, a, [(f"p{i}", str(i % 2)) for i in range(0, 5000, 2)])
    labels.store_labels(session, b, [(f"p{i}", "other model") for i in range(5000)])
    wanted = [f"p{i}" for i in range(4999, -1, -1)] + ["p2", "unknown"]  # repeats, unknown
    found = labels.labels_for(session, a, wanted)
    assert found == {f"p{i}": str(i % 2) for i in range(0, 5000, 2)}
    assert labels.labels_for(session, a, []) == {}
    labels.store_labels(session, a, [("p2", "changed")])
    assert labels.labels_for(session, a, ["p2", "p3"]) == {"p2": "changed"}


def _batch(session: Session, model: Model, key: str, path: str) -> IngestBatch:
    batch = IngestBatch(model_id=model.id, batch_key=key, rows=1, raw_path=path, received_at=HOUR)
    session.add(batch)
    session.flush()
    return batch


def test_window_batches_and_profiles(session: Session) -> None:
    a, b = _models(session)
    first, second = _batch(session, a, "k1", "/one"), _batch(session, a, "k2", "/two")
    other = _batch(session, b, "k1", "/other")
    for batch, start, version, blob in (
        (second, HOUR, "v1", b"second"),
        (first, HOUR, "v1", b"first-v1"),
        (first, HOUR, "v2", b"first-v2"),
        (first, HOUR + timedelta(hours=1), "v1", None),
        (other, HOUR, "v1", b"other"),
    ):
        session.add(
            WindowPart(
                model_id=batch.model_id,
                batch_id=batch.id,
                window_start=start,
                version=version,
                segment="",
                rows=1,
                profile=blob,
            )
        )
    session.commit()
    later = HOUR + timedelta(hours=1)
    assert windows.window_batches(session, a, [HOUR, later, HOUR + timedelta(hours=5)]) == {
        HOUR: ["/one", "/two"],
        later: ["/one"],
        HOUR + timedelta(hours=5): [],
    }
    assert windows.window_batches(session, a, []) == {}
    assert windows.window_profiles(session, a, HOUR) == [b"second", b"first-v1", b"first-v2"]
    assert windows.window_profiles(session, a, later) == []


def test_observations_and_evaluations_are_replaced(session: Session) -> None:
    a, _ = _models(session)
    monitor = monitors.save_monitor(
        session, parse_monitor({"name": "v", "model": "a", "type": "volume"})
    )

    def row(start: datetime, value: float | None) -> dict[str, object]:
        return {
            "monitor_id": monitor.id,
            "window_start": start,
            "value": value,
            "healthy": value is not None,
            "details": "{}",
            "evaluated_at": HOUR,
        }

    later = HOUR + timedelta(hours=1)
    observations.save_observations(session, [row(HOUR, 1.0), row(later, None)])
    observations.save_observations(session, [row(HOUR, 2.0)])
    observations.save_observations(session, [])
    windows.save_window_evaluations(session, a, [HOUR, later], HOUR)
    windows.save_window_evaluations(session, a, [HOUR], later)
    session.commit()
    stored = {
        as_utc(o.window_start): (o.value, o.healthy)
        for o in session.scalars(select(ObservationRow))
    }
    assert stored == {HOUR: (2.0, True), later: (None, False)}
    evaluated = {
        as_utc(e.window_start): as_utc(e.evaluated_at)
        for e in session.scalars(select(WindowEvaluation))
    }
    assert evaluated == {HOUR: later, later: HOUR}


def test_labels_on_a_sqlite_without_json(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(labels.sqlite3, "sqlite_version_info", (3, 37, 2))  # ids in chunks of 900
    a, _ = _models(session)
    labels.store_labels(session, a, [(f"p{i}", "1") for i in range(2500)])
    assert len(labels.labels_for(session, a, [f"p{i}" for i in range(0, 3000, 1)])) == 2500
