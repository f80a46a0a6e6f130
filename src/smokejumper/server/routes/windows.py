"""Window summaries of a model's predictions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select

from smokejumper.monitoring.windows import summarise
from smokejumper.server.auth import require
from smokejumper.server.state import state
from smokejumper.store import models as repo
from smokejumper.store.database import as_utc
from smokejumper.store.tables import WindowPart

router = APIRouter(prefix="/api/v1/models", tags=["windows"])


def _utc(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


@router.get("/{name}/windows")
def windows(
    name: str,
    request: Request,
    _: Annotated[str, Depends(require("read"))],
    start: Annotated[datetime | None, Query(description="first window start (ISO 8601)")] = None,
    end: Annotated[datetime | None, Query(description="windows starting before this")] = None,
) -> list[dict[str, Any]]:
    """Each window: rows, rows per version, nulls per column and drift against the reference."""
    with state(request).sessions() as db:
        model = repo.get_model(db, name)
        query = select(
            WindowPart.window_start,
            WindowPart.version,
            WindowPart.rows,
            WindowPart.profile,
            WindowPart.nulls,
        ).where(WindowPart.model_id == model.id)
        if (since := _utc(start)) is not None:
            query = query.where(WindowPart.window_start >= since)
        if (until := _utc(end)) is not None:
            query = query.where(WindowPart.window_start < until)
        rows = [(_utc(s) or s, v, n, p, z) for s, v, n, p, z in db.execute(query)]
        reference = state(request).references.get(db, model)
    return [w.to_dict(reference) for w in summarise(rows, model.window_seconds)]
