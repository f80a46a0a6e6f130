"""Column kinds and their inference from Arrow types.

>>> import pyarrow as pa
>>> t = pa.table({"age": [30, 41, 25], "city": ["a", "b", "a"], "ok": [True, False, True]})
>>> {c: k.value for c, k in infer_kinds(t).items()}
{'age': 'numeric', 'city': 'categorical', 'ok': 'boolean'}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Protocol

import pyarrow as pa
import pyarrow.compute as pc

from smokejumper.errors import InvalidKindError, UnknownColumnError


class ColumnKind(StrEnum):
    """What a column holds, which decides how it is profiled and tested for drift."""

    NUMERIC = "numeric"
    CATEGORICAL = "categorical"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    TEXT = "text"  # free text or identifiers: profiled, excluded from drift by default
    UNSUPPORTED = "unsupported"  # nested or binary types: skipped with a note

    @classmethod
    def parse(cls, value: str | ColumnKind) -> ColumnKind:
        """Return the kind named ``value`` or raise :class:`InvalidKindError`."""
        try:
            return cls(value)
        except ValueError:
            names = ", ".join(k.value for k in cls if k is not cls.UNSUPPORTED)
            raise InvalidKindError(f"unknown column kind {value!r}; use one of {names}") from None


#: Kinds that take part in drift detection unless the caller asks for others.
DRIFT_KINDS = frozenset({ColumnKind.NUMERIC, ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN})

#: A string column is text (not categorical) when it has more distinct values than this ...
TEXT_MIN_DISTINCT = 50
#: ... and more than this share of its non-null values are distinct.
TEXT_MIN_DISTINCT_SHARE = 0.5


def kind_of_type(dtype: pa.DataType) -> ColumnKind | None:
    """The kind an Arrow type implies, or ``None`` when the values must be looked at."""
    if pa.types.is_dictionary(dtype):
        return kind_of_type(dtype.value_type) or ColumnKind.CATEGORICAL
    if pa.types.is_boolean(dtype):
        return ColumnKind.BOOLEAN
    if pa.types.is_integer(dtype) or pa.types.is_floating(dtype) or pa.types.is_decimal(dtype):
        return ColumnKind.NUMERIC
    if pa.types.is_temporal(dtype):
        return ColumnKind.DATETIME
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
        return None
    if pa.types.is_null(dtype):
        return ColumnKind.NUMERIC  # all-null column; reported as such later
    return ColumnKind.UNSUPPORTED


def _string_kind(column: pa.ChunkedArray) -> ColumnKind:
    non_null = len(column) - column.null_count
    if non_null == 0:
        return ColumnKind.CATEGORICAL
    distinct = pc.count_distinct(column).as_py()
    if distinct > TEXT_MIN_DISTINCT and distinct > TEXT_MIN_DISTINCT_SHARE * non_null:
        return ColumnKind.TEXT
    return ColumnKind.CATEGORICAL


class Columns(Protocol):
    """Anything with named Arrow columns: a ``pyarrow.Table`` or a lazy file source."""

    @property
    def column_names(self) -> list[str]: ...

    def column(self, name: str) -> pa.ChunkedArray: ...

    @property
    def schema(self) -> pa.Schema: ...


def infer_kinds(
    table: Columns,
    overrides: Mapping[str, str | ColumnKind] | None = None,
    names: Sequence[str] | None = None,
) -> dict[str, ColumnKind]:
    """Infer the kind of each column (or of ``names``); ``overrides`` wins over inference.

    Only string columns are read (to tell categories from free text); the rest is decided by
    the schema.
    """
    overrides = dict(overrides or {})
    unknown = sorted(set(overrides) - set(table.column_names))
    if unknown:
        raise UnknownColumnError(
            f"kind given for column(s) not in the data: {', '.join(unknown)}. "
            f"Columns are: {', '.join(table.column_names)}"
        )
    kinds: dict[str, ColumnKind] = {}
    for name in table.column_names if names is None else names:
        if name in overrides:
            kinds[name] = ColumnKind.parse(overrides[name])
            continue
        by_type = kind_of_type(table.schema.field(name).type)
        kinds[name] = by_type or _string_kind(table.column(name))
    return kinds
