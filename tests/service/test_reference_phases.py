"""Reference phases in the service: stored with a reference that carries time, replaced with
it, and read by seasonal monitors when windows are evaluated."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from smokejumper.monitoring.batch import arrow_to_table
from smokejumper.monitoring.monitors import parse_monitor
from smokejumper.monitoring.schema import Feature, ModelSchema, RecordColumns
from smokejumper.service.config import PendingMonitors
from smokejumper.service.evaluation.runner import run_once
from smokejumper.service.evaluation.window_cache import WindowCache
from smokejumper.service.ingest import ingest
from smokejumper.service.models import (
    GivenData,
    features_only,
    register,
    set_reference,
    with_phases,
)
from smokejumper.stats.dataset import profile
from smokejumper.store import models as repo
from smokejumper.store.database import as_utc
from smokejumper.store.monitors import save_monitor
from smokejumper.store.rawlog import RawLog
from smokejumper.store.tables import Monitor, ObservationRow

SCHEMA = ModelSchema(features=[Feature(name="age", kind="numeric")])
#: Whole hours, the newest window closing well before the real clock.
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)


def _young_at_night(hour: datetime) -> float:
    return 28.0 if hour.hour < 6 else 45.0


def _traffic(start: datetime, hours: int, per_hour: int, seed: int, time: str) -> pa.Table:
    """Applicants by the hour, younger at night (00:00-06:00 UTC), with their times."""
    rng = np.random.default_rng(seed)
    stamps: list[datetime] = []
    ages: list[float] = []
    for h in range(hours):
        at = start + timedelta(hours=h)
        stamps += [at + timedelta(seconds=float(s)) for s in rng.uniform(0, 3600, per_hour)]
        ages += list(rng.normal(_young_at_night(at), 8, per_hour))
    return pa.table({time: pa.array(stamps, pa.timestamp("us", tz="UTC")), "age": ages})


def _given(table: pa.Table) -> GivenData:
    return GivenData(profile(table), "parquet", table)


def _phases(sessions: sessionmaker[Session], name: str) -> frozenset[int]:
    with sessions() as session:
        return repo.phase_hours(session, repo.get_model(session, name))


def test_a_reference_with_time_stores_its_phases_and_a_new_one_replaces_them(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    two_days = _traffic(NOW - timedelta(days=2), 48, 20, seed=1, time="timestamp")
    done = register(
        sessions,
        PendingMonitors(),
        "m",
        SCHEMA,
        3600,
        reference=lambda: _given(two_days),
        raw_log=RawLog(tmp_path),
    )
    assert done.reference is not None
    assert len(done.reference.phases) == 48
    assert done.reference.time_column == "timestamp"
    assert done.reference.ignored == ()
    assert _phases(sessions, "m") == frozenset(done.reference.phases)
    assert sum(p.rows for p in done.reference.phases.values()) == two_days.num_rows

    untimed = set_reference(
        sessions, RawLog(tmp_path), "m", lambda: _given(two_days.drop_columns(["timestamp"]))
    )
    assert untimed.phases == {}
    assert _phases(sessions, "m") == frozenset()  # the old phases went with the old reference


def test_the_models_own_name_for_its_timestamp_is_used(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    schema = SCHEMA.model_copy(update={"columns": RecordColumns(timestamp="event_time")})
    rows = _traffic(NOW - timedelta(hours=5), 5, 10, seed=2, time="event_time")
    done = register(
        sessions,
        PendingMonitors(),
        "own",
        schema,
        3600,
        reference=lambda: _given(rows),
        raw_log=RawLog(tmp_path),
    )
    assert done.reference is not None
    assert done.reference.time_column == "event_time"
    assert len(_phases(sessions, "own")) == 5


def _log(sessions: sessionmaker[Session], raw_log: RawLog, table: pa.Table, key: str) -> None:
    flat = table.append_column("id", pa.array([f"{key}-{i}" for i in range(table.num_rows)]))
    flat = flat.append_column("prediction", pa.array(np.full(table.num_rows, 0.5)))
    with sessions() as session:
        model = repo.get_model(session, "m")
        batch = arrow_to_table(flat, SCHEMA, datetime.now(UTC))
        ingest(session, raw_log, model, SCHEMA, repo.reference_of(session, model), batch, key)
        session.commit()


def _observed(
    sessions: sessionmaker[Session], starts: list[datetime]
) -> dict[str, list[dict[str, object]]]:
    """The observations of each monitor on the windows starting at ``starts``, in time order."""
    with sessions() as session:
        rows = session.scalars(select(ObservationRow).order_by(ObservationRow.window_start))
        names = {m.id: m.name for m in session.scalars(select(Monitor))}
        by_monitor: dict[str, list[dict[str, object]]] = {}
        for row in rows:
            if as_utc(row.window_start) in starts:
                by_monitor.setdefault(names[row.monitor_id], []).append(
                    {"healthy": row.healthy, **json.loads(row.details)}
                )
        return by_monitor


@pytest.mark.parametrize("timed", [True, False])
def test_seasonal_drift_compares_each_window_with_its_hours_or_says_why_not(
    sessions: sessionmaker[Session], tmp_path: Path, timed: bool
) -> None:
    raw_log = RawLog(tmp_path / "raw")
    reference = _traffic(NOW - timedelta(days=4), 72, 200, seed=3, time="timestamp")
    if not timed:
        reference = reference.drop_columns(["timestamp"])
    register(
        sessions,
        PendingMonitors(),
        "m",
        SCHEMA,
        3600,
        reference=lambda: _given(reference),
        raw_log=raw_log,
    )
    with sessions() as session:
        for name, extra in (("plain", {}), ("daily", {"seasonality": "daily"})):
            spec = {"name": name, "model": "m", "type": "feature_drift", "max": 0, **extra}
            save_monitor(session, parse_monitor(spec))
        session.commit()
    # a night and a day hour of the last day, drawn as the reference was
    night = (NOW - timedelta(days=1)).replace(hour=2)
    starts = [night, night + timedelta(hours=12)]
    for i, hour in enumerate(starts):
        rows = _traffic(hour, 1, 300, seed=10 + i, time="timestamp")
        _log(sessions, raw_log, rows, f"b{i}")
    with sessions() as session:
        run_once(session, raw_log, NOW, cache=WindowCache())
    seen = _observed(sessions, starts)
    assert [o["healthy"] for o in seen["plain"]] == [False, False]  # the pattern looks like drift
    if timed:
        assert [o["healthy"] for o in seen["daily"]] == [True, True]
        assert [o["phase"] for o in seen["daily"]] == ["02:00-03:00 UTC", "14:00-15:00 UTC"]
        assert all(o["reference_rows"] == 3 * 200 for o in seen["daily"])
    else:
        assert [o["healthy"] for o in seen["daily"]] == [None, None]
        assert all("needs a reference with time" in str(o["reason"]) for o in seen["daily"])


def test_naive_times_are_utc_and_dates_give_no_phases() -> None:
    rows = _traffic(NOW - timedelta(hours=3), 3, 10, seed=4, time="timestamp")
    chosen = features_only(profile(rows), "parquet", SCHEMA)
    naive = rows.set_column(0, "timestamp", pc.cast(rows["timestamp"], pa.timestamp("us")))
    assert (
        with_phases(chosen, naive, SCHEMA).phases.keys()
        == with_phases(chosen, rows, SCHEMA).phases.keys()
    )
    dates = rows.set_column(0, "timestamp", pc.cast(rows["timestamp"], pa.date32()))
    dated = with_phases(chosen, dates, SCHEMA)
    assert dated.phases == {}
    assert dated.time_note is not None
    assert "not times of day" in dated.time_note
