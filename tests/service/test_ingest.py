"""Ingest: window parts, idempotency under concurrent writers, raw-log files, stored blobs."""

from __future__ import annotations

import json
import threading
import zlib
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from smokejumper.errors import InputError
from smokejumper.monitoring.parts import window_parts
from smokejumper.monitoring.schema import Feature, ModelSchema
from smokejumper.monitoring.windows import summarise
from smokejumper.service.ingest import begin, first_hours, ingest
from smokejumper.stats import serialize
from smokejumper.stats.dataset import profile
from smokejumper.store.database import make_engine, session_factory, upgrade
from smokejumper.store.models import register_model
from smokejumper.store.rawlog import RawLog
from smokejumper.store.tables import IngestBatch, Model, WindowPart

SCHEMA = ModelSchema(
    features=[Feature(name="x", kind="numeric"), Feature(name="plan", kind="categorical")],
    segments=["plan"],
)
HOUR = 3600


def _table(rows: int, rng: np.random.Generator, starts: list[datetime]) -> pa.Table:
    times = [starts[i % len(starts)] + timedelta(seconds=int(i % 3000)) for i in range(rows)]
    versions = [["v1", "v2", None, ""][i % 4] for i in range(rows)]
    plans = [["basic", "pro", None][i % 3] for i in range(rows)]
    columns = {
        "id": pa.array([f"p{i}" for i in range(rows)]),
        "timestamp": pa.array(times, pa.timestamp("us", tz="UTC")),
        "version": pa.array(versions, pa.string()),
        "x": pa.array(rng.normal(size=rows)),
        "plan": pa.array(plans, pa.string()),
    }
    target = SCHEMA.arrow_schema()
    return pa.table([columns.get(f.name, pa.nulls(rows, f.type)) for f in target], schema=target)


def _naive_groups(table: pa.Table) -> Counter[tuple[datetime, str, str]]:
    """Rows per (window, version, segment), row by row."""
    out: Counter[tuple[datetime, str, str]] = Counter()
    for row in table.to_pylist():
        epoch = int(row["timestamp"].timestamp())
        start = datetime.fromtimestamp(epoch - epoch % HOUR, UTC)
        plan = row["plan"] if row["plan"] is not None else "(null)"
        out[(start, row["version"] or "", f"plan={plan}")] += 1
    return out


def test_window_parts_group_by_window_version_and_segment(rng: np.random.Generator) -> None:
    starts = [
        datetime(2026, 11, 27, 10, tzinfo=UTC),
        datetime(2026, 11, 27, 11, 30, tzinfo=UTC),
        datetime(1969, 12, 31, 22, 15, tzinfo=UTC),  # before the epoch: floors, not truncates
    ]
    table = _table(600, rng, starts)
    reference = profile(table.select(["x", "plan"]))
    parts = window_parts(table, SCHEMA, reference, HOUR)
    got = Counter({(p.window_start, p.version, p.segment): p.rows for p in parts})
    assert got == _naive_groups(table)
    for part in parts:  # each part profiles exactly its rows
        assert part.profile is not None
        assert part.profile.rows == part.rows
        assert part.profile.columns["x"].count == part.rows


def test_a_batch_in_one_group_is_profiled_whole(rng: np.random.Generator) -> None:
    start = datetime(2026, 11, 27, 10, tzinfo=UTC)
    table = _table(300, rng, [start])
    one = table.set_column(2, "version", pa.array(["v1"] * 300)).set_column(
        4, "plan", pa.array(["pro"] * 300)
    )
    reference = profile(one.select(["x", "plan"]))
    [part] = window_parts(one, SCHEMA, reference, HOUR)
    assert (part.window_start, part.version, part.segment, part.rows) == (
        start,
        "v1",
        "plan=pro",
        300,
    )
    whole = profile(one.select(["x", "plan"]), reference=reference)
    assert part.profile is not None
    np.testing.assert_array_equal(part.profile.columns["x"].counts, whole.columns["x"].counts)  # type: ignore[union-attr]
    assert window_parts(one, SCHEMA, None, HOUR)[0].profile is None  # no reference: counts only


Store = tuple[sessionmaker[Session], Model, RawLog]


@pytest.fixture
def store(database_url: str, tmp_path: Path) -> Iterator[Store]:
    engine = make_engine(database_url)
    upgrade(engine)
    sessions = session_factory(engine)
    with sessions() as session:
        model = register_model(session, "m", SCHEMA, HOUR)
        session.commit()
    yield sessions, model, RawLog(tmp_path / "raw")
    engine.dispose()


def test_concurrent_batches_with_one_key_are_stored_once(
    store: Store, rng: np.random.Generator
) -> None:
    sessions, model, raw_log = store
    table = _table(200, rng, [datetime.now(UTC) - timedelta(hours=1)])
    reference = profile(table.select(["x", "plan"]))
    results = []
    barrier = threading.Barrier(4)

    def send(key: str) -> None:
        barrier.wait()
        with sessions() as session:
            results.append(ingest(session, raw_log, model, SCHEMA, reference, table, key))

    threads = [threading.Thread(target=send, args=(k,)) for k in ("same", "same", "same", "other")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.duplicate for r in results) == [False, False, True, True]
    with sessions() as session:
        batches = session.execute(select(IngestBatch.batch_key, IngestBatch.raw_path)).all()
        assert sorted(k for k, _ in batches) == ["other", "same"]
        parts = session.scalar(select(func.count(WindowPart.id)))
        assert parts == 2 * len(window_parts(table, SCHEMA, reference, HOUR))
    # Only the stored batches' files remain: a losing writer removes its own.
    files = sorted(str(p) for p in raw_log.root.rglob("*.parquet"))
    assert files == sorted(p for _, p in batches)
    assert not list(raw_log.root.rglob("*.tmp"))
    stored = raw_log.read([p for _, p in batches])
    assert stored is not None
    assert stored.num_rows == 400


def test_a_batch_whose_profiling_fails_leaves_nothing(
    store: Store, rng: np.random.Generator, monkeypatch: pytest.MonkeyPatch
) -> None:
    sessions, model, raw_log = store
    table = _table(50, rng, [datetime.now(UTC)])
    from smokejumper.service import ingest as module

    def broken(*_: object) -> None:
        raise RuntimeError("profiling failed")

    monkeypatch.setattr(module, "window_parts", broken)
    with sessions() as session, pytest.raises(RuntimeError):
        begin(session, raw_log, model, SCHEMA, None, table, "k")
    with sessions() as session:
        assert session.scalar(select(func.count(IngestBatch.id))) == 0
    assert not [p for p in raw_log.root.rglob("*") if p.is_file()]


def test_window_part_blobs_use_zstd_and_zlib_blobs_still_read(
    store: Store, rng: np.random.Generator
) -> None:
    sessions, model, raw_log = store
    table = _table(100, rng, [datetime.now(UTC)])
    reference = profile(table.select(["x", "plan"]))
    with sessions() as session:
        ingest(session, raw_log, model, SCHEMA, reference, table, "k")
        blob = session.scalars(select(WindowPart.profile)).first()
    assert blob is not None
    assert blob.startswith(serialize.MAGIC + serialize.ZSTD)
    [now] = serialize.loads(blob)
    # A blob as stored before (zlib straight after the magic line) reads the same.
    payload = serialize._payload(memoryview(blob)[len(serialize.MAGIC) :])
    old = serialize.MAGIC + zlib.compress(payload, 6)
    [then] = serialize.loads(old)
    assert then.rows == now.rows
    np.testing.assert_array_equal(then.columns["x"].counts, now.columns["x"].counts)  # type: ignore[union-attr]


def test_first_hours_reads_only_early_batches_and_refuses_hours_not_yet_over(
    store: Store, rng: np.random.Generator
) -> None:
    sessions, model, raw_log = store
    start = datetime(2026, 11, 27, 10, tzinfo=UTC)
    with sessions() as session:
        with pytest.raises(InputError, match="no predictions yet"):
            first_hours(session, raw_log, model, SCHEMA, 1.0, now=start)
        for hour in range(4):  # one batch per hour, the first row of each on the hour
            table = _table(100, rng, [start + timedelta(hours=hour)])
            ingest(session, raw_log, model, SCHEMA, None, table, f"b{hour}")
        later = start + timedelta(hours=5)
        with pytest.raises(InputError, match=r"first 6 h are not over yet; ask for at most 5\.0 h"):
            first_hours(session, raw_log, model, SCHEMA, 6.0, now=later)
        paths = session.scalars(select(IngestBatch.raw_path).order_by(IngestBatch.id)).all()
        Path(paths[-1]).unlink()  # a batch outside the first two hours is never read
        got = first_hours(session, raw_log, model, SCHEMA, 2.0, now=later)
        assert got.column_names == ["x", "plan"]
        assert got.num_rows == 200
        for endless in (0.0, float("inf"), float("nan"), 1e308):  # no OverflowError (a 500)
            with pytest.raises(InputError, match="must be positive and at most 878,400"):
                first_hours(session, raw_log, model, SCHEMA, endless)


def test_parts_without_a_reference_count_unusable_values_and_summaries_add_them(
    rng: np.random.Generator,
) -> None:
    start = datetime(2026, 11, 27, 10, tzinfo=UTC)
    table = _table(300, rng, [start])
    x = table.column("x").to_numpy(zero_copy_only=False).copy()
    x[:7] = np.nan  # NaN and nulls both count, as a profile's ``count - usable`` does
    table = table.set_column(table.schema.get_field_index("x"), "x", pa.array(x))
    parts = window_parts(table, SCHEMA, None, HOUR)
    assert all(p.profile is None for p in parts)
    stored = [(p.window_start, p.version, p.rows, None, json.dumps(p.nulls)) for p in parts]
    (summary,) = summarise(stored, HOUR)
    expected = {"x": 7, "plan": table.column("plan").null_count}
    assert summary.to_dict(None)["nulls"] == expected
    # once one part has no counts (stored before they were kept), the window has none
    (partial,) = summarise([*stored, (start, "v1", 5, None, None)], HOUR)
    assert partial.to_dict(None)["nulls"] is None
