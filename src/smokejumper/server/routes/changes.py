"""The change log: record a change (deploy, config, data, pipeline...), list changes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from smokejumper.changes import KINDS
from smokejumper.monitoring.text import Text
from smokejumper.monitoring.times import query_time
from smokejumper.server.auth import require
from smokejumper.server.openapi import refusals
from smokejumper.server.state import state
from smokejumper.service.changes import list_changes, record_change

router = APIRouter(prefix="/api/v1", tags=["changes"])


class ChangeIn(BaseModel):
    """A change: when, what kind, what it touched (a model or a service), what it was."""

    model_config = ConfigDict(extra="forbid")

    id: Text | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="your id of the change (a CI run, a PR); the same id sent again counts once",
    )
    time: datetime | None = Field(default=None, description="when it happened; default: now")
    kind: Text = Field(description=f"one of: {', '.join(KINDS)}")
    model: Text | None = Field(default=None, max_length=200, description="the model touched")
    service: Text | None = Field(default=None, max_length=200, description="or the service")
    summary: Text = Field(min_length=1, max_length=1000)
    link: Text | None = Field(default=None, max_length=2000, description="the PR, build, run")
    details: dict[str, Any] = Field(default_factory=dict, description="any JSON object")


@router.post("/changes", status_code=201, responses=refusals(400, 409, 413, 422))
def post_change(
    body: ChangeIn,
    request: Request,
    response: Response,
    _: Annotated[str, Depends(require("ingest", "write"))],
) -> dict[str, Any]:
    """Record a change (an ``ingest`` token, as CI holds, or a ``write`` one). Answers 201, or
    200 with the stored change when the same ``id`` was recorded before with the same
    content; 409 when that ``id`` holds another change."""
    now = datetime.now(UTC)
    change, new = record_change(
        state(request).sessions,
        at=body.time if body.time is not None else now,
        kind=body.kind,
        summary=body.summary,
        model=body.model,
        service=body.service,
        link=body.link,
        details=body.details,
        key=body.id,
        now=now,
    )
    if not new:
        response.status_code = 200
    return change


@router.get("/changes", responses=refusals(422))
def get_changes(
    request: Request,
    _: Annotated[str, Depends(require("read"))],
    model: Annotated[str | None, Query()] = None,
    kind: Annotated[str | None, Query(description=f"one of: {', '.join(KINDS)}")] = None,
    service: Annotated[str | None, Query(description="e.g. a pipeline's namespace/job")] = None,
    since: Annotated[datetime | None, Query(description="changes at or after (ISO 8601)")] = None,
    until: Annotated[datetime | None, Query(description="changes before (ISO 8601)")] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[dict[str, Any]]:
    """Changes, newest first, filtered. Times without a zone are UTC."""
    return list_changes(
        state(request).sessions,
        model=model,
        kind=kind,
        service=service,
        since=query_time("since", since),
        until=query_time("until", until),
        limit=limit,
    )
