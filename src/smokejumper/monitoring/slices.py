"""Slices of the raw log: a model's logged predictions in a time range, for root-cause work.

A query names a range ``[start, end)`` of prediction timestamps and, optionally, the columns
to return, the model versions to keep and equality filters on feature columns. Only the
raw-log files of batches with rows in windows that overlap the range are read (the store's
window parts say which), and of those only the columns the query needs. Rows come back sorted
by timestamp, then id, at most ``limit`` of them; :attr:`Slice.truncated` says when the limit
cut the result.

This module is pure: parsing and checking the query against the model's stored layout, and
filtering, sorting and cutting tables. :mod:`smokejumper.service.slices` reads the files.

>>> from smokejumper.monitoring.schema import Feature, ModelSchema
>>> layout = ModelSchema(features=[Feature(name="plan", kind="categorical")]).arrow_schema()
>>> query = SliceQuery.build(
...     layout, parse_time("start", "2026-01-01T00:00:00Z"),
...     parse_time("end", "2026-01-01T01:00:00Z"), columns=["prediction"],
...     where=parse_where(["plan:pro"]))
>>> query.read_columns()  # what is returned, and what the filters and the order need
['prediction', 'timestamp', 'id', 'plan']
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from smokejumper.errors import InputError
from smokejumper.monitoring.schema import SYSTEM_COLUMNS
from smokejumper.monitoring.times import query_time

#: Rows a query returns when it names no limit.
DEFAULT_LIMIT = 100_000
#: The largest limit a query may ask for (the server holds the whole answer in memory).
MAX_LIMIT = 1_000_000


_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def parse_time(name: str, text: str | None) -> datetime:
    """An ISO 8601 time given as ``name``; one without a zone is taken as UTC.

    >>> parse_time("start", "2026-01-01T00:00:00Z").isoformat()
    '2026-01-01T00:00:00+00:00'
    >>> parse_time("end", "2026-01-01 02:30").isoformat()
    '2026-01-01T02:30:00+00:00'
    >>> try:
    ...     parse_time("start", None)
    ... except InputError as err:
    ...     print(err)
    start is required: give an ISO 8601 time such as 2026-01-01T00:00:00Z
    """
    example = "2026-01-01T00:00:00Z"
    if text is None or not text.strip():
        raise InputError(f"{name} is required: give an ISO 8601 time such as {example}")
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"{name}: {text!r} is not an ISO 8601 time; give one such as {example}"
        ) from None
    checked = query_time(name, value)
    assert checked is not None
    return checked


def parse_list(values: Iterable[str] | None) -> list[str] | None:
    """Names given as repeated parameters and/or comma-separated; ``None`` if none at all.

    >>> parse_list(["a,b", "c"]), parse_list([]), parse_list(None)
    (['a', 'b', 'c'], None, None)
    """
    names = [part.strip() for value in values or () for part in value.split(",") if part.strip()]
    return names or None


def parse_where(conditions: Iterable[str] | None) -> dict[str, list[str]]:
    """``column:value`` conditions as values per column (split at the first colon).

    A column named twice keeps rows with either value.

    >>> parse_where(["plan:pro", "plan:basic", "region:eu:west"])
    {'plan': ['pro', 'basic'], 'region': ['eu:west']}
    >>> parse_where(["plan=pro"])
    Traceback (most recent call last):
    ...
    smokejumper.errors.InputError: where: 'plan=pro' is not column:value; write e.g. where=plan:pro
    """
    out: dict[str, list[str]] = {}
    for condition in conditions or ():
        column, colon, value = condition.partition(":")
        if not colon or not column.strip():
            raise InputError(f"where: {condition!r} is not column:value; write e.g. where=plan:pro")
        out.setdefault(column.strip(), []).append(value)
    return out


def _known(layout: pa.Schema, names: Iterable[str], what: str) -> None:
    """Refuse names that are not columns of ``layout``, listing the valid ones."""
    unknown = [name for name in names if layout.get_field_index(name) < 0]
    if unknown:
        raise InputError(
            f"{what}: unknown column(s) {', '.join(map(repr, unknown))}; this model's columns "
            f"are {', '.join(layout.names)}"
        )


def _typed(value: str, column: str, kind: pa.DataType) -> Any:
    """A ``where`` value as a value of the column's Arrow type.

    >>> _typed("true", "active", pa.bool_()), _typed("41", "age", pa.float64())
    (True, 41.0)
    """
    try:
        if pa.types.is_boolean(kind):
            word = value.strip().lower()
            if word not in _TRUE | _FALSE:
                raise ValueError(value)
            return word in _TRUE
        if pa.types.is_floating(kind):
            return float(value)
        if pa.types.is_timestamp(kind):
            return parse_time(f"where {column}", value)
    except (ValueError, InputError):
        raise InputError(
            f"where: {column!r} holds {kind} values, and {value!r} is not one; "
            "use true/false for booleans, a number for numbers, ISO 8601 for times"
        ) from None
    return value


@dataclass(frozen=True)
class SliceQuery:
    """A checked query: range, columns to return, versions and equality filters, limit."""

    start: datetime
    end: datetime
    columns: tuple[str, ...]
    versions: tuple[str, ...] = ()
    where: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    limit: int = DEFAULT_LIMIT

    @classmethod
    def build(
        cls,
        layout: pa.Schema,
        start: datetime,
        end: datetime,
        *,
        columns: Sequence[str] | None = None,
        versions: Sequence[str] | None = None,
        where: Mapping[str, Sequence[str]] | None = None,
        limit: int | None = None,
        max_limit: int = MAX_LIMIT,
    ) -> SliceQuery:
        """Check a query against the model's stored ``layout``, or raise a clear InputError."""
        if end <= start:
            raise InputError(
                f"end ({end.isoformat()}) must be after start ({start.isoformat()}); "
                "the range is [start, end)"
            )
        rows = DEFAULT_LIMIT if limit is None else limit
        if not 1 <= rows <= max_limit:
            raise InputError(
                f"limit must be between 1 and {max_limit:,}, got {rows:,}; narrow the range "
                "or the columns and ask again for the rest"
            )
        _known(layout, columns or (), "columns")
        _known(layout, (where or {}).keys(), "where")
        record = sorted(set(where or {}) & set(SYSTEM_COLUMNS))  # version: a filter of its own
        if record:
            raise InputError(
                f"where: {', '.join(record)} cannot be filtered on; where takes feature "
                "columns (use version=... for versions)"
            )
        typed = {
            name: tuple(_typed(v, name, layout.field(name).type) for v in values)
            for name, values in (where or {}).items()
        }
        return cls(
            start=start,
            end=end,
            columns=tuple(dict.fromkeys(columns)) if columns else tuple(layout.names),
            versions=tuple(versions or ()),
            where=typed,
            limit=rows,
        )

    def read_columns(self) -> list[str]:
        """The columns to read: those returned, plus those the filters and the order need."""
        needed = [*self.columns, "timestamp", "id"]
        if self.versions:
            needed.append("version")
        needed.extend(self.where)
        return list(dict.fromkeys(needed))

    def window_bounds(self, window_seconds: int) -> tuple[datetime, datetime]:
        """Window starts ``s`` with ``low < s < high`` are those overlapping the range.

        >>> from datetime import UTC
        >>> q = SliceQuery(datetime(2026, 1, 1, 1, tzinfo=UTC),
        ...                datetime(2026, 1, 1, 2, tzinfo=UTC), ("id",))
        >>> [b.strftime("%H:%M") for b in q.window_bounds(3600)]
        ['00:00', '02:00']
        """
        return self.start - timedelta(seconds=window_seconds), self.end

    def matches(self, table: pa.Table) -> pa.Table:
        """The rows of ``table`` in the range that pass the version and ``where`` filters."""
        ts = table.column("timestamp")
        keep = pc.and_(
            pc.greater_equal(ts, pa.scalar(self.start, ts.type)),
            pc.less(ts, pa.scalar(self.end, ts.type)),
        )
        if self.versions:
            keep = pc.and_(keep, pc.is_in(table.column("version"), pa.array(self.versions)))
        for name, values in self.where.items():
            column = table.column(name)
            allowed = pa.array(values, column.type)
            keep = pc.and_(keep, pc.is_in(column, value_set=allowed))
        return table.filter(pc.fill_null(keep, False))


@dataclass(frozen=True)
class Slice:
    """The answer: the rows (sorted by timestamp, then id) and whether the limit cut them."""

    table: pa.Table
    truncated: bool
    matched: int  # rows that passed the filters, before the limit


def first_rows(table: pa.Table, limit: int) -> pa.Table:
    """The first ``limit`` rows by timestamp, then id.

    >>> t = pa.table({"timestamp": [2, 1, 1], "id": ["c", "b", "a"]})
    >>> first_rows(t, 2).column("id").to_pylist()
    ['a', 'b']
    """
    order = [("timestamp", "ascending"), ("id", "ascending")]
    return table.sort_by(order).slice(0, limit)


def cut(tables: Iterable[pa.Table], query: SliceQuery, empty: pa.Table) -> Slice:
    """Filter each table, keep the first ``query.limit`` rows of all and select the columns.

    Matching rows are gathered file by file and cut back to the limit whenever they pass
    twice the limit, so memory holds about twice the limit plus one file's rows.
    """
    kept: list[pa.Table] = [empty]
    held = matched = 0
    for table in tables:
        found = query.matches(table)
        matched += found.num_rows
        kept.append(found)
        held += found.num_rows
        if held > 2 * query.limit:
            kept = [first_rows(pa.concat_tables(kept), query.limit)]
            held = kept[0].num_rows
    rows = first_rows(pa.concat_tables(kept), query.limit)
    return Slice(rows.select(list(query.columns)), matched > query.limit, matched)


def json_rows(table: pa.Table) -> list[dict[str, Any]]:
    """The rows as JSON-ready dicts: times in ISO 8601, NaN and infinities as ``None``.

    >>> t = pa.table({"timestamp": pa.array([0], pa.timestamp("us", tz="UTC")),
    ...               "x": [float("nan")]})
    >>> json_rows(t)
    [{'timestamp': '1970-01-01T00:00:00+00:00', 'x': None}]
    """

    def plain(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return value

    return [{k: plain(v) for k, v in row.items()} for row in table.to_pylist()]
