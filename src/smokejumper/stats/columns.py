"""Read Arrow columns into what profiles are built from: float arrays or value counts."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from smokejumper.frames.kinds import ColumnKind
from smokejumper.stats.binning import Floats

_SECONDS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}


def numeric_values(column: pa.ChunkedArray, kind: ColumnKind) -> tuple[Floats, int]:
    """Non-null values as float64 (datetimes as seconds since the epoch) and the null count."""
    nulls = column.null_count
    dtype = column.type
    present = pc.drop_null(column) if nulls else column
    if pa.types.is_null(dtype):
        return np.empty(0, dtype=np.float64), nulls
    if pa.types.is_timestamp(dtype):
        raw = present.cast(pa.int64()).to_numpy()
        return raw.astype(np.float64) * _SECONDS[dtype.unit], nulls
    if pa.types.is_date(dtype):
        raw = present.cast(pa.timestamp("s")).cast(pa.int64()).to_numpy()
        return raw.astype(np.float64), nulls
    if pa.types.is_duration(dtype) or pa.types.is_time(dtype):
        raw = present.cast(pa.int64()).to_numpy()
        return raw.astype(np.float64) * _SECONDS.get(dtype.unit, 1.0), nulls
    if kind is not ColumnKind.NUMERIC and kind is not ColumnKind.DATETIME:
        raise TypeError(f"{kind} column is not numeric")
    if not pa.types.is_floating(dtype) or dtype != pa.float64():
        present = present.cast(pa.float64())
    return np.asarray(present.to_numpy(), dtype=np.float64), nulls


def label(value: object) -> str:
    """A value as the string that names its category (booleans as true/false)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def value_counts(column: pa.ChunkedArray) -> tuple[dict[str, int], int]:
    """Counts of each non-null value (labels as strings) and the null count."""
    nulls = column.null_count
    if pa.types.is_null(column.type) or nulls == len(column):
        return {}, nulls
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    counts = pc.value_counts(column)
    values = counts.field("values").to_pylist()
    tallies = counts.field("counts").to_pylist()
    out: dict[str, int] = {}
    for value, tally in zip(values, tallies, strict=True):
        if value is not None:
            name = label(value)
            out[name] = out.get(name, 0) + int(tally)
    return out, nulls


def unusable(column: pa.ChunkedArray | pa.Array) -> int:
    """Values a profile cannot use: nulls, and NaN or infinite floats (as ``count - usable``).

    >>> unusable(pa.array([1.0, None, float("nan"), float("inf"), 2.0]))
    3
    >>> unusable(pa.array(["a", None]))
    1
    """
    bad = column.null_count
    if pa.types.is_floating(column.type):
        finite = pc.sum(pc.is_finite(column)).as_py() or 0  # None when every value is null
        bad += len(column) - column.null_count - finite
    return int(bad)
