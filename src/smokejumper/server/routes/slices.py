"""Slices of the raw log: a model's logged predictions in a time range, as JSON or Arrow."""

from __future__ import annotations

from typing import Annotated

import orjson
import pyarrow as pa
from fastapi import APIRouter, Depends, Query, Request, Response

from smokejumper.monitoring import slices
from smokejumper.protocol import ARROW_STREAM
from smokejumper.server.auth import require
from smokejumper.server.openapi import refusals
from smokejumper.server.state import state
from smokejumper.service import slices as service

router = APIRouter(prefix="/api/v1/models", tags=["slices"])

#: Response header (both forms) saying whether the limit cut the result.
TRUNCATED_HEADER = "Smokejumper-Truncated"
#: Key of the Arrow schema's metadata saying the same.
TRUNCATED_KEY = b"smokejumper.truncated"


def arrow_body(answer: slices.Slice) -> bytes:
    """The rows as an Arrow IPC stream; the schema's metadata says whether they were cut."""
    table = answer.table.replace_schema_metadata(
        {TRUNCATED_KEY: b"true" if answer.truncated else b"false"}
    )
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue())


def json_body(answer: slices.Slice) -> bytes:
    """``{"rows": [...], "truncated": bool}`` with times in ISO 8601."""
    return orjson.dumps({"rows": slices.json_rows(answer.table), "truncated": answer.truncated})


@router.get("/{name}/predictions", responses=refusals(404, 422))
def predictions(
    name: str,
    request: Request,
    _: Annotated[str, Depends(require("read"))],
    start: Annotated[str | None, Query(description="first timestamp (ISO 8601), included")] = None,
    end: Annotated[str | None, Query(description="timestamps before this (ISO 8601)")] = None,
    columns: Annotated[
        list[str] | None, Query(description="columns to return, comma-separated; default all")
    ] = None,
    version: Annotated[
        list[str] | None, Query(description="only these model versions (repeat or comma-separate)")
    ] = None,
    where: Annotated[
        list[str] | None,
        Query(description="column:value on a feature; repeat for more (same column: either)"),
    ] = None,
    limit: Annotated[
        int | None, Query(description=f"at most this many rows (default {slices.DEFAULT_LIMIT:,})")
    ] = None,
) -> Response:
    """The model's logged predictions with timestamps in ``[start, end)``, sorted by timestamp
    then id: an Arrow IPC stream if the request accepts ``application/vnd.apache.arrow.stream``,
    else JSON ``{"rows": [...], "truncated": bool}``."""
    app = state(request)
    answer = service.predictions(
        app.sessions,
        app.raw_log,
        name,
        slices.parse_time("start", start),
        slices.parse_time("end", end),
        columns=slices.parse_list(columns),
        versions=slices.parse_list(version),
        where=slices.parse_where(where),
        limit=limit,
    )
    headers = {TRUNCATED_HEADER: "true" if answer.truncated else "false"}
    if ARROW_STREAM in request.headers.get("accept", ""):
        return Response(arrow_body(answer), media_type=ARROW_STREAM, headers=headers)
    return Response(json_body(answer), media_type="application/json", headers=headers)
