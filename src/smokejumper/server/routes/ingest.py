"""Prediction ingest: JSON records or an Arrow IPC stream, idempotent by batch id."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import orjson
import pyarrow as pa
from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool

from smokejumper.errors import InputError
from smokejumper.monitoring.batch import arrow_to_table, records_to_table
from smokejumper.monitoring.schema import ModelSchema
from smokejumper.protocol import ARROW_STREAM
from smokejumper.server.auth import require
from smokejumper.server.body import arrow_stream, read_body
from smokejumper.server.openapi import PREDICTIONS_BODY, refusals
from smokejumper.server.state import state
from smokejumper.service.ingest import accept_batch, content_digest

router = APIRouter(prefix="/api/v1/models", tags=["ingest"])


def _records(body: bytes) -> tuple[list[Any], str | None]:
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as err:
        raise InputError(f"the body is not valid JSON: {err}") from err
    if isinstance(doc, list):
        return doc, None
    if isinstance(doc, dict) and isinstance(doc.get("records"), list):
        key = doc.get("batch_id")
        return doc["records"], str(key) if key is not None else None
    raise InputError('send a JSON list of records, or {"batch_id": ..., "records": [...]}')


@router.post(
    "/{name}/predictions",
    status_code=201,
    responses=refusals(404, 409, 413, 422),
    openapi_extra=PREDICTIONS_BODY,
)
async def log_predictions(
    name: str, request: Request, _: Annotated[str, Depends(require("ingest"))]
) -> dict[str, Any]:
    """Log a batch of predictions. Answers 201 only once the batch is durably stored.

    Send ``Idempotency-Key`` (or ``batch_id`` in the JSON body) so that a retried batch
    counts once; the answer then says ``duplicate: true``.
    """
    app = state(request)
    body = await read_body(request)
    arrow = request.headers.get("content-type", "").startswith(ARROW_STREAM)

    def parse(schema: ModelSchema, now: datetime) -> tuple[pa.Table, str | None]:
        if arrow:
            return arrow_to_table(arrow_stream(body), schema, now), None
        records, key = _records(body)
        return records_to_table(records, schema, now), key

    def store() -> dict[str, Any]:
        key, result = accept_batch(
            app.sessions,
            app.raw_log,
            app.references,
            app.ingest_gate,
            name,
            parse,
            request.headers.get("idempotency-key"),
            content_digest(body),
        )
        return {"batch_id": key, "rows": result.rows, "duplicate": result.duplicate}

    return await run_in_threadpool(store)
