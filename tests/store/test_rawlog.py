"""The raw log: durable Parquet files, dictionary-encoded only where values repeat."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from smokejumper.monitoring.schema import Feature, ModelSchema
from smokejumper.store.rawlog import RawLog, dictionary_columns

SCHEMA = ModelSchema(
    features=[Feature(name="x", kind="numeric"), Feature(name="plan", kind="categorical")]
)


def _batch(rows: int = 100) -> pa.Table:
    now = datetime(2026, 11, 27, 12, tzinfo=UTC)
    columns = {
        "id": pa.array([f"p{i}" for i in range(rows)]),
        "timestamp": pa.array([now] * rows, pa.timestamp("us", tz="UTC")),
        "version": pa.array(["v1"] * rows),
        "x": pa.array([float(i) for i in range(rows)]),
        "plan": pa.array([["basic", "pro"][i % 2] for i in range(rows)]),
    }
    target = SCHEMA.arrow_schema()
    return pa.table([columns.get(f.name, pa.nulls(rows, f.type)) for f in target], schema=target)


def test_written_batches_read_back_whole(tmp_path: Path) -> None:
    log = RawLog(tmp_path / "raw")
    table = _batch()
    first = log.write(7, "2026-11-27", table)
    second = log.write(7, "2026-11-27", table.slice(0, 10))
    assert first.parent == tmp_path / "raw" / "7" / "2026-11-27"
    assert first.suffix == ".parquet"
    assert not list(first.parent.glob("*.tmp"))
    both = log.read([str(first), str(second)])
    assert both is not None
    assert both.equals(pa.concat_tables([table, table.slice(0, 10)]))
    assert log.ids_present([str(second)], {"p1", "p50"}) == {"p1"}
    assert log.ids_present([str(second), str(first)], {"p1", "p50", "nowhere"}) == {"p1", "p50"}


def test_ids_present_reads_no_batch_after_every_id_was_found(tmp_path: Path) -> None:
    log = RawLog(tmp_path / "raw")
    newest = log.write(7, "2026-11-27", _batch())
    gone = tmp_path / "raw" / "deleted.parquet"  # would fail to read
    assert log.ids_present([str(newest), str(gone)], {"p1", "p2"}) == {"p1", "p2"}


def test_ids_present_keeps_the_id_columns_it_read_up_to_its_limit(tmp_path: Path) -> None:
    log = RawLog(tmp_path / "raw", id_cache=150)
    first = log.write(7, "2026-11-27", _batch())
    second = log.write(7, "2026-11-27", _batch().slice(0, 40))
    # Labels ahead of their predictions: every batch is read, and its ids are kept.
    assert log.ids_present([str(second), str(first)], {"p99", "early"}) == {"p99"}
    first.unlink()
    second.unlink()
    assert log.ids_present([str(second), str(first)], {"p99", "p10", "early"}) == {"p99", "p10"}
    # Over the limit the least recently used batch goes: 100 + 40 + 30 ids > 150.
    third = log.write(7, "2026-11-27", _batch().slice(0, 30))
    assert log.ids_present([str(third)], {"p1"}) == {"p1"}
    assert log.ids_present([str(third), str(first)], {"p50"}) == {"p50"}
    with pytest.raises(FileNotFoundError):  # the second batch was dropped: read again, gone
        log.ids_present([str(second)], {"p50"})


def test_only_repeating_string_columns_are_dictionary_encoded(tmp_path: Path) -> None:
    table = _batch()
    assert dictionary_columns(table.schema) == ["version", "plan"]
    path = RawLog(tmp_path).write(1, "d", table)
    row_group = pq.ParquetFile(path).metadata.row_group(0)
    encoded = {
        row_group.column(i).path_in_schema: row_group.column(i).has_dictionary_page
        for i in range(row_group.num_columns)
    }
    assert encoded["version"]
    assert encoded["plan"]
    assert not encoded["id"]
    assert not encoded["x"]
    assert row_group.column(0).compression == "ZSTD"


def test_a_failed_write_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = RawLog(tmp_path / "raw")
    log.write(1, "d", _batch())  # the folders exist already

    def full(_: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match="No space"):
        log.write(1, "d", _batch())
    assert len(list((tmp_path / "raw" / "1" / "d").iterdir())) == 1
