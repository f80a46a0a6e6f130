"""The raw prediction log: one Parquet file per acknowledged batch, under the home folder.

A file is written to a temporary name, flushed to disk (``fsync``), renamed into place and its
folder flushed too, before the batch is committed to the metadata store; the store's row is the
commit point, so a crash between the two leaves an unreferenced file, never a lost batch.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Collection, Sequence
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


class RawLog:
    """Durable Parquet files of prediction batches, one folder per model and day."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, model_id: int, day: str, table: pa.Table) -> Path:
        """Write a batch durably and return its path."""
        folder = self.root / str(model_id) / day
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{uuid.uuid4().hex}.parquet"
        tmp = target.with_suffix(".tmp")
        with open(tmp, "wb") as handle:
            pq.write_table(table, handle, compression="zstd")
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(target)
        _fsync_dir(folder)
        return target

    def ids_present(self, paths: Sequence[str], ids: Collection[str]) -> set[str]:
        """Which of ``ids`` occur among the prediction ids of the batches at ``paths``."""
        wanted = pa.array(sorted(ids), pa.string())
        found: set[str] = set()
        for path in paths:
            column = pq.read_table(path, columns=["id"]).column("id").combine_chunks()
            found.update(pc.filter(wanted, pc.is_in(wanted, value_set=column)).to_pylist())
        return found

    def read(self, paths: Sequence[str]) -> pa.Table | None:
        """The batches at ``paths`` (as the store lists them) as one table."""
        if not paths:
            return None
        return pa.concat_tables([pq.read_table(p) for p in paths])
