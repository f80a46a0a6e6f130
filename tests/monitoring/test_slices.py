"""The slice query core: checking queries, filtering, ordering and cutting rows; column reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from smokejumper.errors import InputError
from smokejumper.monitoring.schema import Feature, ModelSchema
from smokejumper.monitoring.slices import SliceQuery, cut, parse_where
from smokejumper.store.rawlog import RawLog

SCHEMA = ModelSchema(
    features=[
        Feature(name="age", kind="numeric"),
        Feature(name="plan", kind="categorical"),
        Feature(name="active", kind="boolean"),
        Feature(name="signed_up", kind="datetime"),
    ]
)
LAYOUT = SCHEMA.arrow_schema()
T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def batch(ids: list[str], seconds: list[int], **features: list[object]) -> pa.Table:
    """Rows with these ids, ``seconds`` after T0, and the given feature values."""
    n = len(ids)
    columns: dict[str, object] = {
        "id": ids,
        "timestamp": [T0 + timedelta(seconds=s) for s in seconds],
        "version": ["v1"] * n,
        **features,
    }
    return pa.table(
        [
            pa.array(columns[f.name], f.type) if f.name in columns else pa.nulls(n, f.type)
            for f in LAYOUT
        ],
        schema=LAYOUT,
    )


def query(**options: object) -> SliceQuery:
    return SliceQuery.build(LAYOUT, T0, T0 + timedelta(hours=1), **options)


def test_rows_are_cut_to_the_limit_across_files_in_order() -> None:
    files = [
        batch([f"x{i}" for i in range(10)], list(range(100, 0, -10))),
        batch(["y0", "y1", "y2"], [5, 5, 3600]),  # the last one is at the range's end: out
        batch(["z0"], [-1]),  # before the range
    ]
    answer = cut(files, query(limit=4, columns=["id"]), LAYOUT.empty_table())
    assert answer.table.column("id").to_pylist() == ["y0", "y1", "x9", "x8"]
    assert (answer.truncated, answer.matched) == (True, 12)
    assert answer.table.schema.names == ["id"]
    whole = cut(files, query(limit=12), LAYOUT.empty_table())
    assert (whole.table.num_rows, whole.truncated) == (12, False)
    assert whole.table.schema.names == LAYOUT.names


def test_no_files_give_an_empty_table_with_the_asked_columns() -> None:
    answer = cut([], query(columns=["plan", "age"]), LAYOUT.empty_table())
    assert answer.table.schema == pa.schema([LAYOUT.field("plan"), LAYOUT.field("age")])
    assert (answer.table.num_rows, answer.truncated) == (0, False)


def test_where_values_are_typed_by_column_and_nulls_never_match() -> None:
    rows = batch(
        ["a", "b", "c", "d"],
        [1, 2, 3, 4],
        age=[41.0, 41.5, None, 41.0],
        active=[True, False, None, True],
        plan=["pro", None, "pro", "basic"],
        signed_up=[T0, T0, None, T0 - timedelta(days=1)],
    )

    def matching(**where: list[str]) -> list[str]:
        found = query(where=where).matches(rows)
        return [str(i) for i in found.column("id").to_pylist()]

    assert matching(age=["41"]) == ["a", "d"]
    assert matching(active=["TRUE"]) == ["a", "d"]
    assert matching(active=["false"], plan=["pro", "basic"]) == []
    assert matching(plan=["pro", "basic"]) == ["a", "c", "d"]
    assert matching(signed_up=[T0.isoformat()]) == ["a", "b"]
    assert matching(age=["41"], plan=["basic"]) == ["d"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"columns": ["id", "nope"]}, "unknown column(s) 'nope'; this model's columns are id, "),
        ({"where": {"nope": ["1"]}}, "where: unknown column(s) 'nope'"),
        ({"where": {"timestamp": ["1"]}}, "timestamp cannot be filtered on"),
        ({"where": {"age": ["old"]}}, "'age' holds double values, and 'old' is not one"),
        ({"where": {"signed_up": ["monday"]}}, "'signed_up' holds timestamp"),
        ({"limit": 0}, "limit must be between 1 and 1,000,000, got 0"),
        ({"limit": 11, "max_limit": 10}, "limit must be between 1 and 10, got 11"),
    ],
)
def test_bad_queries_say_what_is_wrong(options: dict[str, object], message: str) -> None:
    with pytest.raises(InputError) as caught:
        query(**options)
    assert message in str(caught.value)


def test_an_empty_or_backward_range_is_refused() -> None:
    with pytest.raises(InputError, match=r"must be after start.*\[start, end\)"):
        SliceQuery.build(LAYOUT, T0, T0)
    with pytest.raises(InputError, match="must be after start"):
        SliceQuery.build(LAYOUT, T0, T0 - timedelta(seconds=1))


def test_where_needs_a_colon_and_a_column() -> None:
    assert parse_where(["plan:"]) == {"plan": [""]}
    for bad in ("plan", ":pro"):
        with pytest.raises(InputError, match="is not column:value"):
            parse_where([bad])


def test_raw_log_reads_only_the_asked_columns(tmp_path: Path) -> None:
    log = RawLog(tmp_path / "raw")
    rows = batch(["a", "b"], [1, 2], plan=["pro", "basic"])
    paths = [str(log.write(3, "2026-03-01", rows)), str(log.write(3, "2026-03-01", rows))]
    some = log.read(paths, columns=["plan", "id"])
    assert some is not None
    assert some.schema.names == ["plan", "id"]
    assert some.column("id").to_pylist() == ["a", "b", "a", "b"]
    whole = log.read(paths)
    assert whole is not None
    assert whole.schema.names == LAYOUT.names
    assert whole.num_rows == 4
