"""The raw prediction log: one Parquet file per acknowledged batch, under the home folder.

A file is written to a temporary name, flushed to disk (``fsync``), renamed into place and its
folder flushed too (and the folders above it, when the day's folder is new), before the batch is
committed to the metadata store; the store's row is the commit point, so a crash between the two
leaves an unreferenced file, never a lost batch.

Columns are Zstandard-compressed; only string columns other than ``id`` are dictionary-encoded
(a model version or a category repeats, while dictionary-encoding unique ids or floats costs
several times the encoding time and saves nothing).
"""

from __future__ import annotations

import os
import threading
import uuid
from collections import OrderedDict
from collections.abc import Collection, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _make_durable_dirs(folder: Path) -> None:
    """Create ``folder`` and any missing parents, each new entry flushed to disk."""
    if folder.is_dir():
        return
    missing = []
    at = folder
    while not at.is_dir():
        missing.append(at)
        at = at.parent
    for path in reversed(missing):
        path.mkdir(exist_ok=True)
        _fsync_dir(path.parent)


def dictionary_columns(schema: pa.Schema) -> list[str]:
    """Columns worth dictionary encoding: strings that repeat (not the unique ``id``)."""
    return [
        f.name
        for f in schema
        if f.name != "id"
        and (
            pa.types.is_string(f.type)
            or pa.types.is_large_string(f.type)
            or pa.types.is_dictionary(f.type)
        )
    ]


def encode(table: pa.Table) -> pa.Buffer:
    """The batch as the Parquet bytes the raw log stores."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", use_dictionary=dictionary_columns(table.schema))
    return sink.getvalue()


#: How many prediction ids :meth:`RawLog.ids_present` keeps in memory (about 25 MB of ids of
#: 20 characters): the id columns of the batches it read last.
ID_CACHE_IDS = 1_000_000


class _IdColumns:
    """The ``id`` columns of recently read batches, least recently used dropped first once they
    hold more than ``limit`` ids (a batch's file never changes: its name is new per batch)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._columns: OrderedDict[str, pa.Array] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()

    def __call__(self, path: str) -> pa.Array:
        with self._lock:
            column = self._columns.get(path)
            if column is not None:
                self._columns.move_to_end(path)
                return column
        column = pq.read_table(path, columns=["id"]).column("id").combine_chunks()
        if len(column) > self.limit:
            return column
        with self._lock:
            if path not in self._columns:
                self._columns[path] = column
                self._held += len(column)
            while self._held > self.limit:
                _, dropped = self._columns.popitem(last=False)
                self._held -= len(dropped)
        return column


class RawLog:
    """Durable Parquet files of prediction batches, one folder per model and day."""

    def __init__(self, root: Path, id_cache: int = ID_CACHE_IDS) -> None:
        self.root = root
        self._writer: ThreadPoolExecutor | None = None
        self._writer_lock = threading.Lock()
        self._ids = _IdColumns(id_cache)

    def write_soon(self, model_id: int, day: str, table: pa.Table) -> Future[Path]:
        """:meth:`write` on one of this log's writer threads (started on first use), so that
        Parquet encoding and ``fsync`` run outside the GIL while the caller goes on."""
        with self._writer_lock:
            if self._writer is None:
                self._writer = ThreadPoolExecutor(4, thread_name_prefix="smokejumper-rawlog")
            return self._writer.submit(self.write, model_id, day, table)

    def close(self) -> None:
        """Wait for the writes under way and stop the writer threads (a later write starts
        them again)."""
        with self._writer_lock:
            writer, self._writer = self._writer, None
        if writer is not None:
            writer.shutdown(wait=True)

    def write(self, model_id: int, day: str, table: pa.Table) -> Path:
        """Write a batch durably and return its path."""
        data = encode(table)
        folder = self.root / str(model_id) / day
        _make_durable_dirs(folder)
        target = folder / f"{uuid.uuid4().hex}.parquet"
        tmp = target.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
            tmp.replace(target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _fsync_dir(folder)
        return target

    def ids_present(self, paths: Sequence[str], ids: Collection[str]) -> set[str]:
        """Which of ``ids`` occur among the prediction ids of the batches at ``paths``.

        The batches are read in the order given and no further once every id was found: give
        the newest first, since labels mostly follow their predictions closely. Their id columns
        stay in memory (up to ``id_cache`` ids), so that labels arriving before their
        predictions do not read the same batches again on every call.
        """
        missing = set(ids)
        found: set[str] = set()
        wanted = pa.array(sorted(missing), pa.string())
        for path in paths:
            if not missing:
                break
            hits = pc.filter(wanted, pc.is_in(wanted, value_set=self._ids(path))).to_pylist()
            if hits:
                found.update(hits)
                missing.difference_update(hits)
                wanted = pa.array(sorted(missing), pa.string())
        return found

    def read(self, paths: Sequence[str], columns: Sequence[str] | None = None) -> pa.Table | None:
        """The batches at ``paths`` (as the store lists them) as one table.

        With ``columns`` only those columns are decoded, in that order; by default all.
        """
        if not paths:
            return None
        wanted = list(columns) if columns is not None else None
        tables = []
        for path in paths:  # one file each: the plain reader skips the datasets layer
            with pq.ParquetFile(path) as batch:
                tables.append(batch.read(columns=wanted, use_threads=False))
        return pa.concat_tables(tables)
