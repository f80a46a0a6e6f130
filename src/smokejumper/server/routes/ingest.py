"""Prediction ingest: JSON records or an Arrow IPC stream, idempotent by batch id."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool

from smokejumper.errors import BatchRejectedError, InputError
from smokejumper.monitoring.batch import arrow_to_table, records_to_table
from smokejumper.protocol import ARROW_STREAM
from smokejumper.server.auth import require
from smokejumper.server.body import arrow_stream, read_body
from smokejumper.server.state import state
from smokejumper.service.ingest import IngestResult, begin, refuse

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


@router.post("/{name}/predictions", status_code=201)
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

    def store() -> dict[str, Any]:
        now = datetime.now(UTC)
        with app.sessions() as db:
            with app.ingest_gate:  # the CPU-bound half, one request at a time (see AppState)
                model, schema, reference = app.references.model(db, name)
                try:
                    if arrow:
                        table, key = arrow_to_table(arrow_stream(body), schema, now), None
                    else:
                        records, key = _records(body)
                        table = records_to_table(records, schema, now)
                except BatchRejectedError as err:
                    refuse(db, model, err.errors)
                    raise
                key = request.headers.get("idempotency-key") or key or uuid.uuid4().hex
                pending = begin(db, app.raw_log, model, schema, reference, table, key)
            result = pending if isinstance(pending, IngestResult) else pending.finish(db)
            return {"batch_id": key, "rows": result.rows, "duplicate": result.duplicate}

    return await run_in_threadpool(store)
