"""Request bodies: size-limited reading and the table formats the API takes."""

from __future__ import annotations

import io

import pyarrow as pa
from fastapi import HTTPException, Request

from smokejumper.errors import InputError
from smokejumper.stats import serialize
from smokejumper.stats.dataset import DatasetProfile

ARROW_STREAM = "application/vnd.apache.arrow.stream"
PARQUET = "application/vnd.apache.parquet"


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, or 413 as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length")
    too_big = HTTPException(
        413,
        f"request body over {limit:,} bytes; send smaller batches",
    )
    if declared and declared.isdigit() and int(declared) > limit:
        raise too_big
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)


def arrow_stream(body: bytes) -> pa.Table:
    """An Arrow IPC stream as a table, or a clear error."""
    try:
        return pa.ipc.open_stream(body).read_all()
    except (pa.ArrowInvalid, OSError) as err:
        raise InputError(f"the body is not a valid Arrow IPC stream: {err}") from err


def reference_profile(body: bytes, content_type: str) -> tuple[DatasetProfile, str]:
    """A reference from a profile file, Parquet or CSV body, and a word for its source."""
    if body.startswith(serialize.MAGIC):
        profiles = serialize.loads(body)
        merged = profiles[0]
        for more in profiles[1:]:
            merged = merged.merge(more)
        return merged, "profile"
    from smokejumper.stats.dataset import profile

    try:
        if body.startswith(b"PAR1") or content_type.startswith(PARQUET):
            import pyarrow.parquet as pq

            return profile(pq.read_table(io.BytesIO(body))), "parquet"
        if content_type.startswith("text/csv"):
            import pyarrow.csv as pcsv

            return profile(pcsv.read_csv(io.BytesIO(body))), "csv"
    except (pa.ArrowInvalid, OSError) as err:
        raise InputError(f"cannot read the reference body: {err}") from err
    raise InputError(
        "send the reference as a Smokejumper profile file, a Parquet file, or CSV with "
        "'Content-Type: text/csv'"
    )
