"""What ``compare`` accepts on each side: raw tables, paths, profiles or profile files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from pathlib import Path
from typing import Any

import pyarrow as pa

from smokejumper.errors import EmptyDataError, InputError
from smokejumper.frames.kinds import ColumnKind, infer_kinds
from smokejumper.frames.sources import read_table, to_table
from smokejumper.stats import serialize
from smokejumper.stats.dataset import DatasetProfile


@dataclass(frozen=True, eq=False)
class Side:
    """One side of a comparison: a raw table, or a profile when only that was given."""

    role: str  # "reference" or "current"
    table: pa.Table | None
    profile: DatasetProfile | None
    kinds: dict[str, ColumnKind]

    @property
    def rows(self) -> int:
        """Number of rows on this side."""
        return self.table.num_rows if self.table is not None else self.profile.rows  # type: ignore[union-attr]

    @property
    def columns(self) -> list[str]:
        """Column names on this side."""
        return list(self.kinds)


def _merge_all(profiles: Sequence[DatasetProfile], role: str) -> DatasetProfile:
    if not profiles:
        raise EmptyDataError(f"the {role} profile file holds no profile")
    return reduce(DatasetProfile.merge, profiles)


def load_side(data: Any, role: str, columns: Sequence[str] | None = None) -> Side:
    """Resolve ``data`` (table, frame, path, profile or list of profiles) to a :class:`Side`.

    A profile file holding several windows is merged into one profile.
    """
    if isinstance(data, DatasetProfile):
        return Side(role, None, data, dict(data.kinds))
    if isinstance(data, list | tuple) and data and isinstance(data[0], DatasetProfile):
        merged = _merge_all(list(data), role)
        return Side(role, None, merged, dict(merged.kinds))
    if isinstance(data, str | Path):
        if serialize.is_profile_file(data):
            merged = _merge_all(serialize.load(data), role)
            return Side(role, None, merged, dict(merged.kinds))
        table = read_table(data)
    else:
        table = to_table(data)
    if columns is not None:
        table = table.select([c for c in columns if c in table.column_names])
    if table.num_columns == 0 and columns is None:
        raise InputError(f"the {role} data has no columns")
    if table.num_rows == 0:
        raise EmptyDataError(
            f"the {role} data has no rows; there is nothing to compare. Check the file or filter"
        )
    return Side(role, table, None, infer_kinds(table))
