"""Profiles of whole tables: one mergeable column profile per column.

>>> import pyarrow as pa
>>> ref = profile(pa.table({"x": [1.0, 2.0, 3.0], "c": ["a", "b", "a"]}))
>>> cur = profile(pa.table({"x": [2.0, None], "c": ["b", "b"]}), reference=ref)
>>> both = ref.merge(cur)
>>> both.rows, both.columns["x"].nulls, both.columns["c"].frequencies()
(5, 1, {'a': 2, 'b': 3})
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyarrow as pa

from smokejumper.errors import IncompatibleProfilesError, UnknownColumnError
from smokejumper.frames.kinds import ColumnKind, infer_kinds
from smokejumper.frames.sources import to_table
from smokejumper.stats.categorical import CategoricalProfile
from smokejumper.stats.columns import numeric_values, value_counts
from smokejumper.stats.numeric import NumericProfile
from smokejumper.stats.numeric import merge_all as merge_numeric

ColumnProfile = NumericProfile | CategoricalProfile

NUMERIC_KINDS = frozenset({ColumnKind.NUMERIC, ColumnKind.DATETIME})


@dataclass(eq=False)
class DatasetProfile:
    """Column profiles of one table (or of many tables merged), with their kinds."""

    rows: int
    kinds: dict[str, ColumnKind]
    columns: dict[str, ColumnProfile]
    window_start: datetime | None = None
    window_end: datetime | None = None
    notes: dict[str, str] = field(default_factory=dict)

    def merge(self, other: DatasetProfile) -> DatasetProfile:
        """The profile of both tables together; columns and kinds must match."""
        if self.kinds != other.kinds:
            raise IncompatibleProfilesError(
                "cannot merge profiles of different columns or kinds: "
                f"{_describe(self.kinds)} vs {_describe(other.kinds)}"
            )
        merged: dict[str, ColumnProfile] = {}
        for name, mine in self.columns.items():
            theirs = other.columns[name]
            merged[name] = _merge_column(name, mine, theirs)
        starts = [w for w in (self.window_start, other.window_start) if w is not None]
        ends = [w for w in (self.window_end, other.window_end) if w is not None]
        return DatasetProfile(
            rows=self.rows + other.rows,
            kinds=dict(self.kinds),
            columns=merged,
            window_start=min(starts) if starts else None,
            window_end=max(ends) if ends else None,
            notes={**other.notes, **self.notes},
        )


def merge_all(profiles: Sequence[DatasetProfile]) -> DatasetProfile:
    """All the profiles merged at once (for a window stored in many parts): counts, moments and
    categories as merging them in turn would give, numeric quantile sketches pooled and
    compacted once (:func:`smokejumper.stats.kll.merged_all`), the same bytes for the same
    parts in the same order."""
    first = profiles[0]
    for other in profiles[1:]:
        if other.kinds != first.kinds:
            raise IncompatibleProfilesError(
                "cannot merge profiles of different columns or kinds: "
                f"{_describe(first.kinds)} vs {_describe(other.kinds)}"
            )
    columns: dict[str, ColumnProfile] = {}
    for name in first.columns:
        parts = [p.columns[name] for p in profiles]
        numeric = [c for c in parts if isinstance(c, NumericProfile)]
        if len(numeric) == len(parts):
            columns[name] = merge_numeric(numeric)
        else:
            columns[name] = functools.reduce(functools.partial(_merge_column, name), parts)
    starts = [p.window_start for p in profiles if p.window_start is not None]
    ends = [p.window_end for p in profiles if p.window_end is not None]
    notes: dict[str, str] = {}
    for p in reversed(profiles):  # the earlier profile's note wins, as in merge
        notes.update(p.notes)
    return DatasetProfile(
        rows=sum(p.rows for p in profiles),
        kinds=dict(first.kinds),
        columns=columns,
        window_start=min(starts) if starts else None,
        window_end=max(ends) if ends else None,
        notes=notes,
    )


def _merge_column(name: str, mine: ColumnProfile, theirs: ColumnProfile) -> ColumnProfile:
    if isinstance(mine, NumericProfile) and isinstance(theirs, NumericProfile):
        return mine.merge(theirs)
    if isinstance(mine, CategoricalProfile) and isinstance(theirs, CategoricalProfile):
        return mine.merge(theirs)
    raise IncompatibleProfilesError(f"column {name!r} is profiled differently on the two sides")


def _describe(kinds: Mapping[str, ColumnKind]) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in kinds.items()) + "}"


def profile_column(
    column: pa.ChunkedArray,
    kind: ColumnKind,
    reference: ColumnProfile | None = None,
    *,
    sketches: bool = True,
) -> ColumnProfile | None:
    """Profile one column, on the reference's bins when one is given; ``None`` if unsupported."""
    if kind in NUMERIC_KINDS:
        values, nulls = numeric_values(column, kind)
        binning = reference.binning if isinstance(reference, NumericProfile) else None
        return NumericProfile.from_values(values, binning, nulls=nulls, sketches=sketches)
    if kind is ColumnKind.UNSUPPORTED:
        return None
    counts, nulls = value_counts(column)
    return CategoricalProfile.from_counts(counts, nulls)


def profile(
    data: Any,
    *,
    reference: DatasetProfile | None = None,
    columns: Sequence[str] | None = None,
    kinds: Mapping[str, str | ColumnKind] | None = None,
) -> DatasetProfile:
    """Profile a table (pyarrow, pandas, polars, or a CSV/Parquet path).

    With ``reference``, numeric columns are binned on the reference's bins and kinds follow the
    reference, so the result can be compared with it and merged with other profiles made the
    same way. Without it, the bins are fixed by this data.
    """
    table = to_table(data)
    if columns is not None:
        missing = [c for c in columns if c not in table.column_names]
        if missing:
            raise UnknownColumnError(
                f"column(s) not in the data: {', '.join(missing)}. "
                f"Columns are: {', '.join(table.column_names)}"
            )
        table = table.select(list(columns))
    overrides: dict[str, str | ColumnKind] = {}
    if reference is not None:
        overrides.update({c: k for c, k in reference.kinds.items() if c in table.column_names})
    overrides.update(kinds or {})
    column_kinds = infer_kinds(table, overrides)
    profiles: dict[str, ColumnProfile] = {}
    notes: dict[str, str] = {}
    for name, kind in column_kinds.items():
        ref_col = reference.columns.get(name) if reference is not None else None
        made = profile_column(table.column(name), kind, ref_col)
        if made is None:
            notes[name] = f"type {table.column(name).type} is not profiled"
        else:
            profiles[name] = made
    kept = {c: k for c, k in column_kinds.items() if c in profiles}
    return DatasetProfile(rows=table.num_rows, kinds=kept, columns=profiles, notes=notes)
