"""The fast JSON path gives exactly what the record-by-record path gives, or defers to it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smokejumper.errors import BatchRejectedError
from smokejumper.monitoring.batch import _checked_table, arrow_to_table, records_to_table
from smokejumper.monitoring.schema import Feature, ModelSchema, RecordColumns

SCHEMA = ModelSchema(
    features=[
        Feature(name="x", kind="numeric"),
        Feature(name="c", kind="categorical"),
        Feature(name="b", kind="boolean"),
    ],
    prediction_kind="numeric",
)
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)

numbers = st.one_of(st.none(), st.integers(-(10**6), 10**6), st.floats(allow_nan=False, width=64))
record = st.fixed_dictionaries(
    {
        "id": st.text(min_size=1, max_size=8),
        "features": st.fixed_dictionaries(
            {},
            optional={
                "x": numbers,
                "c": st.one_of(st.none(), st.text(max_size=5)),
                "b": st.one_of(st.none(), st.booleans()),
            },
        ),
    },
    optional={
        "prediction": numbers,
        "confidence": numbers,
        "latency_ms": numbers,
        "error": st.one_of(st.none(), st.booleans()),
        "version": st.one_of(st.none(), st.text(max_size=4)),
        "timestamp": st.one_of(
            st.none(),
            st.datetimes(
                min_value=datetime(2000, 1, 1),
                max_value=datetime(2026, 11, 27),
                timezones=st.just(UTC),
            ).map(lambda d: d.isoformat()),
        ),
    },
)


@settings(max_examples=200, deadline=None)
@given(st.lists(record, min_size=1, max_size=30, unique_by=lambda r: r["id"]))
def test_fast_path_equals_checked_path(records: list[dict[str, Any]]) -> None:
    assert records_to_table(records, SCHEMA, NOW).equals(_checked_table(records, SCHEMA, NOW))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"features": {"x": True}}, "features.x"),  # a boolean is not a number
        ({"features": {"c": 3}}, "features.c"),
        ({"features": {"zz": 1.0}}, "features.zz"),
        ({"extra": 1}, "extra"),
        ({"id": ""}, "id"),
        ({"timestamp": (NOW + timedelta(hours=1)).isoformat()}, "timestamp"),
    ],
)
def test_doubtful_batches_are_judged_record_by_record(change: dict[str, Any], field: str) -> None:
    good = {"id": "a", "features": {"x": 1.0}, "prediction": 0.5}
    with pytest.raises(BatchRejectedError) as caught:
        records_to_table([good, {**good, "id": "b", **change}], SCHEMA, NOW)
    assert [(e["index"], e["field"]) for e in caught.value.errors] == [(1, field)]


def test_naive_times_are_taken_as_utc() -> None:
    table = records_to_table([{"id": "a", "timestamp": "2026-11-27T09:00:00"}], SCHEMA, NOW)
    assert table.column("timestamp")[0].as_py() == datetime(2026, 11, 27, 9, tzinfo=UTC)


def test_well_formed_batches_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    from smokejumper.monitoring import batch

    def fail(*_: Any) -> None:
        raise AssertionError("the checked path was used")

    monkeypatch.setattr(batch, "_checked_table", fail)
    records = [
        {
            "id": f"r{i}",
            "timestamp": "2026-11-27T09:00:00+00:00",
            "version": "v1",
            "features": {"x": i, "c": "a", "b": True},
            "prediction": 0.5,
            "latency_ms": 3,
        }
        for i in range(100)
    ]
    assert batch.records_to_table(records, SCHEMA, NOW).num_rows == 100


def test_columnar_batches_may_use_the_models_own_names_for_the_record_fields() -> None:
    schema = SCHEMA.model_copy(
        update={"columns": RecordColumns(id="request_id", prediction="score", timestamp="ts")}
    )
    table = pa.table(
        {
            "request_id": ["r1", "r2"],
            "ts": pa.array([NOW - timedelta(minutes=5)] * 2, pa.timestamp("us", tz="UTC")),
            "x": [1.0, 2.0],
            "score": [0.25, 0.75],
        }
    )
    stored = arrow_to_table(table, schema, NOW)
    assert stored.schema == schema.arrow_schema()  # stored under the standard names
    assert stored.column("id").to_pylist() == ["r1", "r2"]
    assert stored.column("prediction").to_pylist() == [0.25, 0.75]
    assert stored.column("timestamp").to_pylist() == [NOW - timedelta(minutes=5)] * 2
    # the standard name of a renamed field is refused with the name to use
    misnamed = table.rename_columns(["id", "ts", "x", "score"])
    with pytest.raises(BatchRejectedError) as caught:
        arrow_to_table(misnamed, schema, NOW)
    problems = {p["field"]: p["message"] for p in caught.value.errors}
    assert "this model calls this field 'request_id'" in str(problems["id"])
    assert "named 'request_id'" in str(problems["request_id"])
    # without renames the standard names work as before
    standard = misnamed.rename_columns(["id", "timestamp", "x", "prediction"])
    assert arrow_to_table(standard, SCHEMA, NOW).equals(stored)


@pytest.mark.parametrize(
    ("columns", "clash"),
    [({"id": "x"}, "x"), ({"prediction": "out", "confidence": "out"}, "out")],
)
def test_record_column_names_must_not_name_two_fields(columns: dict[str, str], clash: str) -> None:
    with pytest.raises(ValueError, match=f"columns: {clash} would name two fields"):
        ModelSchema.model_validate({"features": [{"name": "x"}], "columns": columns})


def test_columns_the_sdk_filled_in_give_way_to_the_models_own_names() -> None:
    from smokejumper.client.payload import complete

    schema = SCHEMA.model_copy(update={"columns": RecordColumns(id="applicant_id")})
    own = pa.table({"applicant_id": ["a1", "a2"], "x": [1.0, 2.0]})
    sent = complete(own, version="v2", now=NOW)  # what log_batch sends: an id column filled in
    assert "id" in sent.column_names
    stored = arrow_to_table(sent, schema, NOW)
    assert stored.column("id").to_pylist() == ["a1", "a2"]  # the model's own ids
    assert stored.column("version").to_pylist() == ["v2", "v2"]
    # without the model's own column, the filled-in ids stand in for it
    anonymous = arrow_to_table(
        complete(own.drop_columns(["applicant_id"]), version=None, now=NOW), schema, NOW
    )
    assert anonymous.column("id").null_count == 0
    assert len(set(anonymous.column("id").to_pylist())) == 2


# --------------------------------------------------------------------------- input that once
# answered 500, or was stored wrong (issue 10): each is refused with the field and the reason

WITH_TIME = SCHEMA.model_copy(
    update={"features": [*SCHEMA.features, Feature(name="seen", kind="datetime")]}
)


def _refusal(records: list[dict[str, Any]]) -> dict[tuple[object, object], str]:
    with pytest.raises(BatchRejectedError) as caught:
        records_to_table(records, WITH_TIME, NOW)
    return {(e["index"], e["field"]): str(e["message"]) for e in caught.value.errors}


@pytest.mark.parametrize(
    ("timestamp", "says"),
    [
        (1e20, "past the year 9999; send seconds"),
        (638090584157852655, "past the year 9999; send seconds"),
        (-1e20, "before the year 1"),
        ("0000-01-01T00:00:00Z", "not an ISO 8601 time in the years 1 to 9999"),
        ("0001-01-01T00:00:00Z", "is before 1970-01-01"),
        ("0001-01-01T00:00:00+01:00", "leaves the years 1 to 9999 once taken to UTC"),
        (-86400, "is before 1970-01-01"),
    ],
)
def test_record_times_out_of_range_are_refused_with_the_reason(
    timestamp: object, says: str
) -> None:
    good = {"id": "a", "features": {"x": 1.0}}
    problems = _refusal([good, {"id": "b", "timestamp": timestamp, "features": {"x": 1.0}}])
    assert list(problems) == [(1, "timestamp")]
    assert says in problems[(1, "timestamp")]


def test_datetime_features_too_large_for_a_date_are_refused() -> None:
    problems = _refusal([{"id": "a", "features": {"seen": 1e20}}])
    assert "past the year 9999" in problems[(0, "features.seen")]
    # a datetime feature may lie before 1970 (a birth date): only the record's time may not
    early = records_to_table([{"id": "a", "features": {"seen": "1950-06-01"}}], WITH_TIME, NOW)
    assert early.column("seen")[0].as_py() == datetime(1950, 6, 1, tzinfo=UTC)


def test_a_repeated_id_is_refused_by_index_so_the_sdk_can_resend_the_rest() -> None:
    same = {"id": "p1", "features": {"x": 1.0}}
    problems = _refusal([same, {"id": "p2"}, same, same])
    assert list(problems) == [(2, "id"), (3, "id")]
    assert "already given to record 0" in problems[(2, "id")]


def _arrow_refusal(table: pa.Table) -> dict[object, str]:
    with pytest.raises(BatchRejectedError) as caught:
        arrow_to_table(table, SCHEMA, NOW)
    return {e["field"]: str(e["message"]) for e in caught.value.errors}


def _stamps(values: list[object]) -> pa.Array:
    return pa.array(values, pa.timestamp("us", tz="UTC"))


@pytest.mark.parametrize(
    ("columns", "field", "says"),
    [
        ({"timestamp": _stamps([NOW, None])}, "timestamp", "1 rows have no timestamp"),
        ({"timestamp": _stamps([-6 * 10**18, 0])}, "timestamp", "before 1970-01-01"),
        ({"timestamp": _stamps([0, 10**18])}, "timestamp", "after 9000-01-01"),
        ({"id": ["", "b"]}, "id", "1 rows have an empty id"),
        ({"id": ["a", "a"]}, "id", "1 ids are given to more than one row ('a')"),
        ({"id": [None, "b"]}, "id", "1 rows have no id"),
        ({"error": [2, 0]}, "error", "holds int64 values; this field takes booleans"),
        ({"x": ["1.5", "2"]}, "x", "holds string values; this field takes numbers"),
        ({"x": [True, False]}, "x", "holds bool values; this field takes numbers"),
        ({"c": [1, 2]}, "c", "holds int64 values; this field takes text"),
        ({"id": [1, 2]}, "id", "holds int64 values; this field takes text"),
    ],
)
def test_the_arrow_path_is_as_strict_as_json(
    columns: dict[str, object], field: str, says: str
) -> None:
    table = pa.table({"id": ["a", "b"], "x": [1.0, 2.0], **columns})
    problems = _arrow_refusal(table)
    assert says in problems[field], problems


def test_the_arrow_path_keeps_exact_conversions() -> None:
    table = pa.table(
        {
            "id": pa.array(["a", "b"]).dictionary_encode(),
            "timestamp": pa.array([NOW, NOW], pa.timestamp("ns")),  # no zone: taken as UTC
            "x": pa.array([1, 2], pa.int32()),
            "c": pa.array(["u", "v"]).dictionary_encode(),
            "error": pa.array([None, None], pa.null()),
        }
    )
    stored = arrow_to_table(table, SCHEMA, NOW)
    assert stored.column("x").to_pylist() == [1.0, 2.0]
    assert stored.column("c").to_pylist() == ["u", "v"]
    assert stored.column("timestamp").to_pylist() == [NOW, NOW]
