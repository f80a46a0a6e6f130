"""Input adapters: anything tabular becomes a ``pyarrow.Table``; column kinds are inferred."""

from smokejumper.frames.kinds import ColumnKind, infer_kinds
from smokejumper.frames.sources import read_table, to_table

__all__ = ["ColumnKind", "infer_kinds", "read_table", "to_table"]
