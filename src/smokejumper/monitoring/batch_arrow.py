"""Validate a batch of predictions sent as an Arrow table into the stored layout, as strictly as
JSON records are (:mod:`smokejumper.monitoring.batch`): a column must hold the kind of values
its field takes (no number read as true/false, no text read as a number), every row needs its
own non-empty id and a timestamp from 1970 on, and any problem refuses the whole batch.

Arrow's exact conversions are kept: integers or floats of any width for numbers, dictionary
(categorical) strings for text, and any time unit or date for times.

>>> from datetime import UTC, datetime
>>> from smokejumper.monitoring.schema import Feature, ModelSchema
>>> schema = ModelSchema(features=[Feature(name="age", kind="numeric")])
>>> now = datetime(2026, 11, 27, tzinfo=UTC)
>>> arrow_to_table(pa.table({"id": ["p1"], "age": [41]}), schema, now).column("age").to_pylist()
[41.0]
>>> arrow_to_table(pa.table({"id": ["p1"], "age": [41], "error": [2]}), schema, now)
... # doctest: +ELLIPSIS
Traceback (most recent call last):
...
smokejumper.errors.BatchRejectedError: batch rejected, nothing stored: error: holds int64 ...
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.compute as pc

from smokejumper.errors import BatchRejectedError
from smokejumper.monitoring.schema import ModelSchema
from smokejumper.monitoring.times import MAX_FUTURE_SKEW, microseconds_in_range
from smokejumper.protocol import FILLED

Problem = dict[str, object]

#: The years Python's datetimes hold, as microseconds since the epoch: a datetime feature
#: outside them could be stored but never read back.
_FIRST_US = (datetime(1, 1, 2, tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)).days * 86_400_000_000
_LAST_US = (
    datetime(9999, 12, 30, tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)
).days * 86_400_000_000


def _problem(index: int | None, field: str, message: str) -> Problem:
    return {"index": index, "field": field, "message": message}


def _is_text(t: pa.DataType) -> bool:
    if pa.types.is_dictionary(t):
        return _is_text(t.value_type)
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t))


def _is_number(t: pa.DataType) -> bool:
    return bool(pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t))


def _is_time(t: pa.DataType) -> bool:
    return bool(pa.types.is_timestamp(t) or pa.types.is_date(t) or _is_text(t))


#: For each stored type: whether a sent column's type may be read as it, and what to send.
_ACCEPTS: dict[str, tuple[Callable[[pa.DataType], bool], str]] = {
    "double": (_is_number, "numbers, so send an integer or float column"),
    "string": (_is_text, "text, so send a string column"),
    "bool": (pa.types.is_boolean, "booleans (true/false), so send a bool column"),
    "timestamp[us, tz=UTC]": (
        _is_time,
        "times, so send a timestamp column (or ISO 8601 strings)",
    ),
}


def _cast(column: pa.ChunkedArray, target: pa.DataType, name: str) -> pa.ChunkedArray:
    accepts, wants = _ACCEPTS[str(target)]
    if not pa.types.is_null(column.type) and not accepts(column.type):
        raise BatchRejectedError(
            [_problem(None, name, f"holds {column.type} values; this field takes {wants}")]
        )
    try:
        return column.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as err:
        raise BatchRejectedError(
            [_problem(None, name, f"cannot read {column.type} as {target}: {err}")]
        ) from err


def _id_problems(ids: pa.ChunkedArray) -> list[Problem]:
    """Rows without an id, with an empty one, or repeating an earlier row's."""
    problems = []
    if ids.null_count:
        problems.append(_problem(None, "id", f"{ids.null_count} rows have no id"))
    empty = pc.sum(pc.equal(ids, "")).as_py() or 0
    if empty:
        problems.append(_problem(None, "id", f"{empty} rows have an empty id; give each one"))
    present = ids.drop_null()
    repeated: list[str] = []
    if pc.count_distinct(present).as_py() != len(present):  # the common case skips this
        counts = pc.value_counts(present)
        many = pc.greater(counts.field("counts"), 1)
        repeated = pc.filter(counts.field("values"), many).to_pylist()
    if repeated:
        shown = ", ".join(map(repr, repeated[:5])) + (" ..." if len(repeated) > 5 else "")
        problems.append(
            _problem(
                None,
                "id",
                f"{len(repeated)} ids are given to more than one row ({shown}); give each "
                "prediction its own id (labels join on it), and leave out the repeats",
            )
        )
    return problems


def _time_problems(out: pa.Table, now: datetime) -> list[Problem]:
    """Record timestamps missing, before 1970 or in the future; datetime features Python
    cannot hold."""
    problems = []
    stamps = out.column("timestamp")
    if stamps.null_count:
        problems.append(
            _problem(
                None,
                "timestamp",
                f"{stamps.null_count} rows have no timestamp; fill them in, or leave the column "
                "out to date every row when it is received",
            )
        )
    span = pc.min_max(stamps.cast(pa.int64())).as_py()
    wrong = microseconds_in_range(span["min"], span["max"])
    if wrong:
        problems.append(_problem(None, "timestamp", wrong))
    elif span["max"] is not None and pc.max(stamps).as_py() > now + MAX_FUTURE_SKEW:
        latest = pc.max(stamps).as_py()
        problems.append(
            _problem(
                None,
                "timestamp",
                f"{latest.isoformat()} is more than {MAX_FUTURE_SKEW} ahead of the server "
                "clock; check the client's clock and time unit",
            )
        )
    for field in out.schema:
        if field.name == "timestamp" or not pa.types.is_timestamp(field.type):
            continue
        span = pc.min_max(out.column(field.name).cast(pa.int64())).as_py()
        if span["min"] is not None and (span["min"] < _FIRST_US or span["max"] > _LAST_US):
            problems.append(
                _problem(None, field.name, "a time is outside the years 1 to 9999; check the unit")
            )
    return problems


def arrow_to_table(table: pa.Table, schema: ModelSchema, now: datetime) -> pa.Table:
    """An Arrow batch (flat columns) in the model's stored layout, or :class:`BatchRejectedError`.

    Feature columns are named as the features; ``id`` is required, ``timestamp`` defaults to
    the receiving time, and the other prediction fields may be left out. The prediction fields
    may carry the names the schema's ``columns`` gives them; they are stored under the standard
    names.
    """
    table, problems = _standard_names(table, schema)
    target = schema.arrow_schema()
    known, given = set(target.names), table.column_names
    present = Counter(given)
    problems += [
        _problem(None, name, "not a feature of this model nor a prediction field")
        for name in given
        if name not in known
    ]
    problems += [
        _problem(None, name, "the column appears more than once")
        for name, times in sorted(present.items())
        if times > 1
    ]
    if "id" not in present:
        named = schema.columns.own("id")
        problems.append(_problem(None, named, f"the batch needs an id column, named {named!r}"))
    if table.num_rows == 0:
        problems.append(_problem(None, "(batch)", "the batch holds no rows"))
    if problems:
        raise BatchRejectedError(problems)
    columns = []
    for field in target:
        if field.name in present:
            columns.append(_cast(table.column(field.name), field.type, field.name))
        elif field.name == "timestamp":
            columns.append(pa.chunked_array([pa.array([now] * table.num_rows, field.type)]))
        else:
            columns.append(pa.chunked_array([pa.nulls(table.num_rows, field.type)]))
    out = pa.Table.from_arrays(columns, schema=target)
    problems = _id_problems(out.column("id")) + _time_problems(out, now)
    if problems:
        raise BatchRejectedError(problems)
    return out


def _standard_names(table: pa.Table, schema: ModelSchema) -> tuple[pa.Table, list[Problem]]:
    """``table`` with the prediction fields the schema renames under their standard names, and
    a problem for each column that uses a standard name this model gives to another column.

    A column the SDK filled in (marked with :data:`~smokejumper.protocol.FILLED`) gives
    way to a column of the model's own name for that field, and stands in for it otherwise.
    """
    renames = schema.columns.renames()
    if not renames:
        return table, []
    taken = set(renames.values())
    given = set(table.column_names)
    problems, unused = [], []
    for field in table.schema:
        if field.name not in taken:
            continue
        own = schema.columns.own(field.name)
        if not _filled(field):
            problems.append(
                _problem(
                    None, field.name, f"this model calls this field {own!r}; rename the column"
                )
            )
            unused.append(field.name)
        elif own in given:
            unused.append(field.name)  # the model's own column wins over the client's filling
    kept = table.drop_columns(unused) if unused else table
    names = [n if n in taken else renames.get(n, n) for n in kept.column_names]
    return kept.rename_columns(names), problems


def _filled(field: pa.Field) -> bool:
    return bool(field.metadata) and all(field.metadata.get(k) == v for k, v in FILLED.items())
