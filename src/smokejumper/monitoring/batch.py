"""Validate a batch of logged predictions (JSON records or an Arrow table) into the stored layout.

Validation is all or nothing: any bad record rejects the whole batch with every problem listed,
so nothing rejected is ever half-stored.

>>> from datetime import UTC, datetime
>>> from smokejumper.monitoring.schema import Feature
>>> schema = ModelSchema(features=[Feature(name="age", kind="numeric")])
>>> now = datetime(2026, 11, 27, tzinfo=UTC)
>>> t = records_to_table([{"id": "p1", "features": {"age": 41}, "prediction": 0.7}], schema, now)
>>> t.column("age").to_pylist(), t.column("timestamp")[0].as_py() == now
([41.0], True)
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from smokejumper.errors import BatchRejectedError
from smokejumper.monitoring.batch_arrow import arrow_to_table
from smokejumper.monitoring.schema import ModelSchema
from smokejumper.monitoring.times import (
    MAX_FUTURE_SKEW,
    as_utc,
    from_epoch_seconds,
    microseconds_in_range,
    record_time,
)

__all__ = ["MAX_FUTURE_SKEW", "arrow_to_table", "records_to_table"]

Problem = dict[str, object]


def _problem(index: int | None, field: str, message: str) -> Problem:
    return {"index": index, "field": field, "message": message}


def _timestamp(value: Any) -> datetime:
    """A time given as seconds since the epoch or ISO 8601, in UTC; ValueError with the reason."""
    if isinstance(value, bool):
        raise ValueError("expected an ISO 8601 time or seconds since the epoch")
    if isinstance(value, int | float):
        return from_epoch_seconds(value)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError as err:
            raise ValueError(
                f"{value!r} is not an ISO 8601 time in the years 1 to 9999 ({err}); "
                "send e.g. 2026-01-01T00:00:00Z"
            ) from None
        try:
            return as_utc(parsed)
        except OverflowError:
            raise ValueError(f"{value!r} leaves the years 1 to 9999 once taken to UTC") from None
    raise ValueError("expected an ISO 8601 time or seconds since the epoch")


def _value(kind: str, value: Any) -> Any:
    """The value as stored for a column of ``kind``; raises ValueError with the reason."""
    if value is None:
        return None
    if kind == "numeric":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"expected a number, got {type(value).__name__}")
        return float(value)
    if kind in ("categorical", "text"):
        if not isinstance(value, str):
            raise ValueError(f"expected a string, got {type(value).__name__}")
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise ValueError(f"expected true or false, got {type(value).__name__}")
        return value
    return _timestamp(value)


_ALLOWED = frozenset(
    {"id", "timestamp", "version", "features", "prediction", "confidence", "latency_ms", "error"}
)
_STRICT = {"numeric": (int, float), "categorical": (str,), "text": (str,), "boolean": (bool,)}


class _NeedsChecking(Exception):  # noqa: N818 - a signal inside this module, never raised out
    """The fast path met something only the record-by-record path can judge or explain."""


_NONE = type(None)


def _fast_column(values: list[Any], kind: str, arrow_type: pa.DataType) -> pa.Array:
    allowed = _STRICT.get(kind)
    if allowed is None:
        raise _NeedsChecking
    if not set(map(type, values)) <= {*allowed, _NONE}:
        raise _NeedsChecking  # also refuses booleans as numbers, as the checked path does
    try:
        return pa.array(values, arrow_type)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as err:
        raise _NeedsChecking from err


def _feature_columns(features: list[dict[str, Any]], names: list[str]) -> list[list[Any]]:
    """Each feature's values, in record order; ``None`` where a record leaves one out."""
    keys = list(itertools.chain.from_iterable(features))
    if keys == names * len(features):  # every record names every feature in the same order
        values = list(itertools.chain.from_iterable(map(dict.values, features)))
        return [values[i :: len(names)] for i in range(len(names))]
    if set(keys) - set(names):
        raise _NeedsChecking
    return [[f.get(name) for f in features] for name in names]


def _fast_table(records: Sequence[Any], schema: ModelSchema, now: datetime) -> pa.Table:
    """Build the table with Arrow doing the conversions; any doubt goes to the checked path."""
    if not records or set(map(type, records)) != {dict}:
        raise _NeedsChecking
    if set().union(*records) - _ALLOWED:
        raise _NeedsChecking
    features = [r.get("features") or {} for r in records]
    kinds = {f.name: f.kind for f in schema.features}
    if set(map(type, features)) != {dict}:
        raise _NeedsChecking
    values = _feature_columns(features, list(kinds))
    ids = [r.get("id") for r in records]
    if set(map(type, ids)) != {str} or "" in ids or len(set(ids)) != len(ids):
        raise _NeedsChecking
    stamps = [r.get("timestamp") for r in records]
    stamp_types = set(map(type, stamps))
    if stamp_types == {_NONE}:
        times = pa.array([now] * len(records), pa.timestamp("us", tz="UTC"))
    elif stamp_types == {str}:
        try:  # ISO 8601 with a zone offset; naive times go the checked way (taken as UTC)
            times = pa.array(stamps, pa.string()).cast(pa.timestamp("us", tz="UTC"))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as err:
            raise _NeedsChecking from err
        span = pc.min_max(times.cast(pa.int64())).as_py()
        if microseconds_in_range(span["min"], span["max"]):
            raise _NeedsChecking  # the checked path names the times out of range
        if pc.max(times).as_py() > now + MAX_FUTURE_SKEW:
            raise _NeedsChecking
    else:
        raise _NeedsChecking
    target = schema.arrow_schema()
    columns: dict[str, pa.Array] = {
        "id": pa.array(ids, pa.string()),
        "timestamp": times,
        "version": _fast_column([r.get("version") for r in records], "text", pa.string()),
    }
    for (name, kind), column in zip(kinds.items(), values, strict=True):
        columns[name] = _fast_column(column, kind, target.field(name).type)
    for name, kind in (
        ("prediction", schema.prediction_kind),
        ("confidence", "numeric"),
        ("latency_ms", "numeric"),
        ("error", "boolean"),
    ):
        columns[name] = _fast_column([r.get(name) for r in records], kind, target.field(name).type)
    return pa.table([columns[f.name] for f in target], schema=target)


def records_to_table(
    records: Sequence[Mapping[str, Any]], schema: ModelSchema, now: datetime
) -> pa.Table:
    """JSON records as a table in the model's stored layout, or :class:`BatchRejectedError`.

    Well-formed batches take a fast path where Arrow converts whole columns; anything unusual
    (a wrong type, an unknown field, a naive or future timestamp) is judged record by record,
    which also names every problem.
    """
    try:
        return _fast_table(records, schema, now)
    except _NeedsChecking:
        return _checked_table(records, schema, now)


def _checked_table(
    records: Sequence[Mapping[str, Any]], schema: ModelSchema, now: datetime
) -> pa.Table:
    """The record-by-record path: the same result, and every problem named."""
    columns: dict[str, list[Any]] = {f.name: [] for f in schema.arrow_schema()}
    problems: list[Problem] = []
    kinds = {f.name: f.kind for f in schema.features}
    first_of: dict[str, int] = {}
    for i, record in enumerate(records):
        if not isinstance(record, Mapping):
            problems.append(_problem(i, "(record)", "expected an object"))
            continue
        for key in sorted(set(record) - _ALLOWED):
            problems.append(_problem(i, key, "unknown field"))
        rid = record.get("id")
        if not isinstance(rid, str) or not rid:
            problems.append(_problem(i, "id", "a non-empty string id is required"))
        elif rid in first_of:
            problems.append(_problem(i, "id", _repeated(rid, first_of[rid])))
        else:
            first_of[rid] = i
        row: dict[str, Any] = {"id": rid}
        try:
            given = record.get("timestamp")
            row["timestamp"] = record_time(_timestamp(given), now) if given is not None else now
        except ValueError as err:
            problems.append(_problem(i, "timestamp", str(err)))
        features = record.get("features") or {}
        if not isinstance(features, Mapping):
            problems.append(_problem(i, "features", "expected an object of feature values"))
            features = {}
        for name in sorted(set(features) - set(kinds)):
            problems.append(_problem(i, f"features.{name}", "not a feature of this model"))
        for name, kind in kinds.items():
            try:
                row[name] = _value(kind, features.get(name))
            except ValueError as err:
                problems.append(_problem(i, f"features.{name}", str(err)))
        for name, kind in (
            ("prediction", schema.prediction_kind),
            ("confidence", "numeric"),
            ("latency_ms", "numeric"),
            ("error", "boolean"),
        ):
            try:
                row[name] = _value(kind, record.get(name))
            except ValueError as err:
                problems.append(_problem(i, name, str(err)))
        version = record.get("version")
        if version is not None and not isinstance(version, str):
            problems.append(_problem(i, "version", "expected a string"))
        row["version"] = version
        for name in columns:
            columns[name].append(row.get(name))
    if not records:
        problems.append(_problem(None, "(batch)", "the batch holds no records"))
    if problems:
        raise BatchRejectedError(problems)
    return pa.table(columns, schema=schema.arrow_schema())


def _repeated(rid: str, first: int) -> str:
    return (
        f"the id {rid!r} was already given to record {first} of this batch; give each "
        "prediction its own id (labels join on it), and leave out the repeat"
    )
