"""OpenLineage: RunEvents (and static Job and Dataset events) as openlineage-python's HTTP
transport posts them, and a dataset read back with its runs and versions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from smokejumper.server.auth import require
from smokejumper.server.body import json_document, read_body
from smokejumper.server.openapi import refusals
from smokejumper.server.state import state
from smokejumper.service.lineage import dataset_lineage, receive_event

router = APIRouter(prefix="/api/v1/lineage", tags=["lineage"])

_EVENT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "an OpenLineage RunEvent, JobEvent or DatasetEvent (JSON, may be gzip)",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


@router.post("", status_code=201, responses=refusals(400, 413), openapi_extra=_EVENT_BODY)
async def post_event(
    request: Request, _: Annotated[str, Depends(require("ingest", "write"))]
) -> dict[str, Any]:
    """Receive an OpenLineage event (point ``OPENLINEAGE_URL`` at the server, with an ingest
    token as its API key). An event that breaks the spec is answered 400 naming the field."""
    app = state(request)
    raw = await read_body(request)
    limit = app.settings.max_body_bytes
    doc = json_document(raw, request.headers.get("content-encoding", ""), limit)
    text = raw.decode("utf-8", "replace") if not request.headers.get("content-encoding") else None

    def store() -> dict[str, Any]:
        import orjson

        document = text if text is not None else orjson.dumps(doc).decode()
        return receive_event(app.sessions, doc, document, datetime.now(UTC))

    return await run_in_threadpool(store)


@router.get("/datasets/{path:path}", responses=refusals(404))
def get_dataset(
    path: str, request: Request, _: Annotated[str, Depends(require("read"))]
) -> dict[str, Any]:
    """A dataset (``/lineage/datasets/{namespace}/{name}``, each part URL-encoded, so a ``/``
    in it is ``%2F``): its schema, latest version and row count, its versions, its recent
    producer runs (rows written, state, flags: failed run, failed assertions, a row count far
    from the job's usual, slow) and consumer runs, newest first."""
    namespace, name = _two_parts(request)
    return dataset_lineage(state(request).sessions, namespace, name)


def _two_parts(request: Request) -> tuple[str, str]:
    """The namespace and name from the raw path: a namespace is often a URI (``s3://b``) and
    a name a path, so they are told apart where the client encoded them, not after."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    tail = raw.decode("latin-1").split("/lineage/datasets/", 1)[-1]
    parts = tail.split("/")
    if len(parts) != 2 or not all(parts):
        raise HTTPException(
            404,
            "ask for /api/v1/lineage/datasets/{namespace}/{name} with each part URL-encoded "
            "(a '/' inside one as %2F), e.g. /api/v1/lineage/datasets/"
            "postgres%3A%2F%2Fdb%3A5432/features.daily",
        )
    return unquote(parts[0]), unquote(parts[1])
