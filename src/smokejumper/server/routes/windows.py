"""Window summaries of a model's predictions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from smokejumper.server.auth import require
from smokejumper.server.openapi import refusals
from smokejumper.server.state import state
from smokejumper.service.windows import window_summaries

router = APIRouter(prefix="/api/v1/models", tags=["windows"])


@router.get("/{name}/windows", responses=refusals(404, 422))
def windows(
    name: str,
    request: Request,
    _: Annotated[str, Depends(require("read"))],
    start: Annotated[datetime | None, Query(description="first window start (ISO 8601)")] = None,
    end: Annotated[datetime | None, Query(description="windows starting before this")] = None,
) -> list[dict[str, Any]]:
    """Each window: rows, rows per version, nulls per column and drift against the reference."""
    app = state(request)
    return window_summaries(app.sessions, app.references, name, start, end)
