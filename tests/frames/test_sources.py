"""Input adapters and kind inference."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from smokejumper.errors import (
    DataSourceNotFoundError,
    InvalidKindError,
    UnknownColumnError,
    UnreadableDataError,
)
from smokejumper.frames import ColumnKind, infer_kinds, read_table, to_table


def _frames() -> dict[str, object]:
    data = {"x": [1.5, 2.5, None], "c": ["a", None, "b"], "b": [True, False, True]}
    return {
        "pyarrow": pa.table(data),
        "record batch": pa.RecordBatch.from_pydict(data),
        "pandas": pd.DataFrame(data),
        "polars": pl.DataFrame(data),
        "mapping": data,
    }


@pytest.mark.parametrize("name", list(_frames()))
def test_every_frame_becomes_the_same_arrow_table(name: str) -> None:
    table = to_table(_frames()[name])
    assert table.num_rows == 3
    assert table.column("x").null_count == 1
    assert infer_kinds(table) == {
        "x": ColumnKind.NUMERIC,
        "c": ColumnKind.CATEGORICAL,
        "b": ColumnKind.BOOLEAN,
    }


def test_csv_and_parquet_paths(tmp_path: Path) -> None:
    table = pa.table({"x": [1.0, 2.0], "c": ["a", "b"]})
    pq.write_table(table, tmp_path / "t.parquet")
    (tmp_path / "t.csv").write_text("x,c\n1.0,a\n2.0,b\n")
    (tmp_path / "t.tsv").write_text("x\tc\n1.0\ta\n2.0\tb\n")
    for name in ("t.parquet", "t.csv", "t.tsv"):
        assert to_table(tmp_path / name).equals(table), name
    assert read_table(tmp_path / "t.parquet", columns=["c"]).column_names == ["c"]


def test_kinds_of_dates_text_ids_and_overrides() -> None:
    rows = 200
    table = pa.table(
        {
            "ts": pa.array([datetime(2026, 1, 1, tzinfo=UTC)] * rows),
            "id": [f"user-{i}" for i in range(rows)],
            "code": pa.array(np.arange(rows) % 3),
            "dict": pa.array(["a", "b"] * (rows // 2)).dictionary_encode(),
            "nested": pa.array([[1]] * rows),
        }
    )
    kinds = infer_kinds(table, {"code": "categorical"})
    assert kinds == {
        "ts": ColumnKind.DATETIME,
        "id": ColumnKind.TEXT,
        "code": ColumnKind.CATEGORICAL,
        "dict": ColumnKind.CATEGORICAL,
        "nested": ColumnKind.UNSUPPORTED,
    }
    with pytest.raises(InvalidKindError, match="use one of numeric"):
        infer_kinds(table, {"code": "integer"})
    with pytest.raises(UnknownColumnError, match="nope"):
        infer_kinds(table, {"nope": "numeric"})


def test_unreadable_inputs_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(DataSourceNotFoundError, match="does not exist"):
        to_table(tmp_path / "missing.parquet")
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"this is not parquet")
    with pytest.raises(UnreadableDataError, match="as PARQUET"):
        to_table(broken)
    odd = tmp_path / "data.xlsx"
    odd.write_bytes(b"x")
    with pytest.raises(UnreadableDataError, match=r"\.parquet or \.csv"):
        to_table(odd)
    with pytest.raises(UnreadableDataError, match="cannot use a int"):
        to_table(42)
