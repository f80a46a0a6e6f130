"""Turn user input (pyarrow, pandas, polars, CSV or Parquet paths) into a ``pyarrow.Table``.

Data frames are taken through the Arrow PyCapsule stream interface (``__arrow_c_stream__``), so
neither pandas nor polars is imported here.

>>> import pyarrow as pa
>>> to_table({"x": [1, 2, 3]}).num_rows
3
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from smokejumper.errors import DataSourceNotFoundError, UnreadableDataError

_PARQUET = {".parquet", ".pq"}
_CSV = {".csv", ".tsv", ".txt"}


def read_table(
    path: str | Path, columns: Sequence[str] | None = None, *, encoding: str | None = None
) -> pa.Table:
    """Read a CSV or Parquet file; ``columns`` limits what is read (Parquet reads only those).

    ``encoding`` is the CSV file's text encoding (UTF-8 when not given). A CSV column whose
    bytes are not text in that encoding is read as binary; the caller names it (see
    :func:`not_text_note`).
    """
    p = Path(path)
    if not p.exists():
        raise DataSourceNotFoundError(str(path))
    suffix = p.suffix.lower()
    try:
        if suffix in _PARQUET:
            import pyarrow.parquet as pq

            return pq.read_table(p, columns=list(columns) if columns is not None else None)
        if suffix in _CSV:
            import pyarrow.csv as pcsv

            delimiter = "\t" if suffix == ".tsv" else ","
            table = pcsv.read_csv(
                p,
                read_options=pcsv.ReadOptions(encoding=encoding or "utf8"),
                parse_options=pcsv.ParseOptions(delimiter=delimiter),
            )
            return table.select(list(columns)) if columns is not None else table
    except LookupError as err:
        raise UnreadableDataError(
            f"unknown text encoding {encoding!r}; use a Python codec name such as 'latin-1' "
            "or 'cp1252'"
        ) from err
    except (pa.ArrowInvalid, OSError) as err:
        raise UnreadableDataError(
            f"cannot read {str(path)!r} as {suffix[1:].upper()}: {err}. "
            "Check that the file is complete and in the format its name says."
        ) from err
    raise UnreadableDataError(
        f"cannot read {str(path)!r}: unknown file type {suffix or '(none)'!r}. "
        "Use a .parquet or .csv file, or pass a data frame or an Arrow table."
    )


def _plain_strings(table: pa.Table) -> pa.Table:
    """Cast string views (as polars exports) to large strings, which every kernel takes."""
    for i, field in enumerate(table.schema):
        if pa.types.is_string_view(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.large_string()))
    return table


class TableColumns:
    """An in-memory table, seen through the same interface as :class:`ParquetColumns`."""

    def __init__(self, table: pa.Table) -> None:
        self._table = table
        self.schema: pa.Schema = table.schema
        self.num_rows: int = table.num_rows

    @property
    def column_names(self) -> list[str]:
        """Names of the table's columns."""
        return list(self._table.column_names)

    def column(self, name: str) -> pa.ChunkedArray:
        """One column."""
        return self._table.column(name)

    def table(self, columns: Sequence[str]) -> pa.Table:
        """Some columns as a table."""
        return self._table.select(list(columns))


class ParquetColumns:
    """A Parquet file read one column at a time, so memory holds only the columns in use.

    >>> import pyarrow as pa, pyarrow.parquet as pq, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "t.parquet")
    >>> pq.write_table(pa.table({"x": [1.0, 2.0], "c": ["a", "b"]}), path)
    >>> source = ParquetColumns(path)
    >>> source.num_rows, source.column_names, source.column("x").to_pylist()
    (2, ['x', 'c'], [1.0, 2.0])
    """

    def __init__(self, path: str | Path) -> None:
        import pyarrow.parquet as pq

        self.path = Path(path)
        if not self.path.exists():
            raise DataSourceNotFoundError(str(path))
        try:
            metadata = pq.read_metadata(self.path)
            self.schema: pa.Schema = metadata.schema.to_arrow_schema()
        except (pa.ArrowInvalid, OSError) as err:
            raise UnreadableDataError(
                f"cannot read {str(path)!r} as PARQUET: {err}. "
                "Check that the file is complete and in the format its name says."
            ) from err
        self.num_rows: int = metadata.num_rows

    @property
    def column_names(self) -> list[str]:
        """Names of the file's columns."""
        return list(self.schema.names)

    def column(self, name: str) -> pa.ChunkedArray:
        """Read one column."""
        return self.table([name]).column(0)

    def table(self, columns: Sequence[str]) -> pa.Table:
        """Read some columns as a table."""
        return read_table(self.path, columns)


RawColumns = TableColumns | ParquetColumns


def raw_columns(data: Any, *, encoding: str | None = None) -> RawColumns:
    """Raw data as columns to read: Parquet files lazily, anything else via :func:`to_table`
    (``encoding``: a CSV file's text encoding)."""
    if isinstance(data, str | Path) and Path(data).suffix.lower() in _PARQUET:
        return ParquetColumns(data)
    if isinstance(data, str | Path):
        return TableColumns(read_table(data, encoding=encoding))
    return TableColumns(to_table(data))


def not_text_note(name: str, dtype: pa.DataType) -> str | None:
    """What to do about a binary column: in a CSV file these are bytes that are not UTF-8.

    >>> not_text_note("b", pa.binary()).split(";")[0]
    "column 'b' holds bytes that are not text in the file's encoding (UTF-8 unless told)"
    """
    if not (pa.types.is_binary(dtype) or pa.types.is_large_binary(dtype)):
        return None
    return (
        f"column {name!r} holds bytes that are not text in the file's encoding (UTF-8 unless "
        "told); not tested. Give the file's encoding: --encoding latin-1 on the command line, "
        "encoding='latin-1' in Python (or cp1252, ...)"
    )


def to_table(data: Any) -> pa.Table:
    """Return ``data`` as a ``pyarrow.Table``.

    Accepts a ``pyarrow.Table`` or ``RecordBatch``, any object with ``__arrow_c_stream__``
    (pandas >= 2.2, polars, DuckDB relations), a mapping of column name to values, or a path.
    """
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    if isinstance(data, str | Path):
        return read_table(data)
    if hasattr(data, "__arrow_c_stream__"):
        try:
            return _plain_strings(pa.table(data))
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError) as err:
            raise UnreadableDataError(
                f"cannot convert {type(data).__name__} to an Arrow table: {err}"
            ) from err
    if isinstance(data, Mapping):
        try:
            return pa.table(dict(data))
        except (pa.ArrowInvalid, pa.ArrowTypeError) as err:
            raise UnreadableDataError(f"cannot build a table from the mapping: {err}") from err
    raise UnreadableDataError(
        f"cannot use a {type(data).__name__} as a table. Pass a pyarrow Table, a pandas or "
        "polars DataFrame, a mapping of columns, or a path to a .parquet or .csv file."
    )
