"""What ``compare`` accepts on each side: raw tables, paths, profiles or profile files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smokejumper.errors import EmptyDataError, InputError
from smokejumper.frames.kinds import ColumnKind, infer_kinds
from smokejumper.frames.sources import RawColumns, raw_columns
from smokejumper.stats import serialize
from smokejumper.stats.dataset import DatasetProfile, merge_all


@dataclass(frozen=True, eq=False)
class Side:
    """One side of a comparison: raw columns, or a profile when only that was given."""

    role: str  # "reference" or "current"
    raw: RawColumns | None
    profile: DatasetProfile | None
    kinds: dict[str, ColumnKind]
    rows: int
    all_columns: tuple[str, ...] = ()  # every column of the data, compared or not

    @property
    def available(self) -> list[str]:
        """Every column of the data (the kinds may cover only those asked for)."""
        return list(self.all_columns) or self.columns

    @property
    def columns(self) -> list[str]:
        """Column names on this side."""
        return list(self.kinds)


def _from_profiles(profiles: Sequence[DatasetProfile], role: str) -> Side:
    if not profiles:
        raise EmptyDataError(f"the {role} profile file holds no profile")
    # One profile is used as it is: merging it alone would copy it to the same values, and
    # keeping the object lets per-profile caches (e.g. the reference's) recognise it.
    merged = profiles[0] if len(profiles) == 1 else merge_all(profiles)
    return Side(role, None, merged, dict(merged.kinds), merged.rows)


def load_side(
    data: Any, role: str, columns: Sequence[str] | None = None, *, encoding: str | None = None
) -> Side:
    """Resolve ``data`` (table, frame, path, profile or list of profiles) to a :class:`Side`.

    Parquet files are read one column at a time, when that column is compared. A profile file
    holding several windows is merged into one profile. ``encoding`` is a CSV file's text
    encoding (UTF-8 when not given).
    """
    if isinstance(data, DatasetProfile):
        return _from_profiles([data], role)
    if isinstance(data, list | tuple) and data and isinstance(data[0], DatasetProfile):
        return _from_profiles(list(data), role)
    if isinstance(data, str | Path) and serialize.is_profile_file(data):
        return _from_profiles(serialize.load(data), role)
    raw = raw_columns(data, encoding=encoding)
    if not raw.column_names:
        raise InputError(f"the {role} data has no columns")
    if raw.num_rows == 0:
        raise EmptyDataError(
            f"the {role} data has no rows; there is nothing to compare. Check the file or filter"
        )
    names = None if columns is None else [c for c in columns if c in raw.column_names]
    kinds = infer_kinds(raw, names=names)
    return Side(role, raw, None, kinds, raw.num_rows, tuple(raw.column_names))
