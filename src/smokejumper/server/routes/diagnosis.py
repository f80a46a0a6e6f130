"""Root-cause diagnosis of an incident: its ranked hypotheses, and a new diagnosis on demand."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from smokejumper.monitoring.text import Text
from smokejumper.server.auth import require
from smokejumper.server.openapi import refusals
from smokejumper.server.state import state
from smokejumper.service.incidents.reconstruction import MAX_LOOKBACK_HOURS
from smokejumper.service.rca.gather import LOOKBACK_HOURS
from smokejumper.service.rca.runs import hypotheses_of, run_diagnosis

router = APIRouter(prefix="/api/v1", tags=["incidents"])


class DiagnoseRequest(BaseModel):
    """Who asks, and how far before the onset to look."""

    model_config = ConfigDict(extra="forbid")

    by: Text | None = Field(default=None, max_length=200)
    lookback_hours: float = Field(default=LOOKBACK_HOURS, gt=0, le=MAX_LOOKBACK_HOURS)


@router.get("/incidents/{incident_id}/hypotheses", responses=refusals(404))
def get_hypotheses(
    incident_id: str, request: Request, _: Annotated[str, Depends(require("read"))]
) -> dict[str, Any]:
    """The incident's latest diagnosis: its hypotheses ranked, each with its taxonomy label,
    fishbone category, points and confidence, the evidence that moved its score, the next
    step and a mitigation (``diagnosed`` false when it never ran)."""
    return hypotheses_of(state(request).sessions, incident_id)


@router.post("/incidents/{incident_id}/diagnose", responses=refusals(400, 404, 413, 422))
def post_diagnose(
    incident_id: str,
    request: Request,
    _: Annotated[str, Depends(require("write"))],
    body: DiagnoseRequest | None = None,
) -> dict[str, Any]:
    """Diagnose the incident now: every evidence collector runs, the hypotheses are stored
    and a ``diagnosed`` event goes on its timeline; the answer is the diagnosis."""
    app = state(request)
    asked = body or DiagnoseRequest()
    return run_diagnosis(
        app.sessions,
        app.raw_log,
        incident_id,
        datetime.now(UTC),
        actor=asked.by,
        lookback_hours=asked.lookback_hours,
    )
