"""Incidents: declared by hand or opened by alerts; their status, roles, notes, SBAR updates
and timeline."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from smokejumper.monitoring.text import Text
from smokejumper.server.auth import require
from smokejumper.server.openapi import refusals
from smokejumper.server.state import state
from smokejumper.service.incidents import actions, metrics
from smokejumper.service.incidents.reconstruction import LOOKBACK_HOURS, MAX_LOOKBACK_HOURS

router = APIRouter(prefix="/api/v1", tags=["incidents"])


def _now() -> datetime:
    return datetime.now(UTC)


class Declared(BaseModel):
    """An incident declared by hand."""

    model_config = ConfigDict(extra="forbid")

    title: Text = Field(min_length=1, max_length=300)
    severity: Text = Field(default="SEV3", description="SEV1 (worst) to SEV4")
    models: list[Text] = Field(default_factory=list, max_length=50)
    labels: list[Text] = Field(default_factory=list, max_length=20, description="taxonomy labels")
    by: Text = Field(min_length=1, max_length=200)


@router.get("/incidents", responses=refusals(422))
def get_incidents(
    request: Request,
    _: Annotated[str, Depends(require("read"))],
    status: Annotated[str | None, Query(description="triage, investigating, ...")] = None,
    model: Annotated[str | None, Query()] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=500,
            description="words that the title, notes and status updates must all hold "
            "(full text, stemmed)",
        ),
    ] = None,
) -> list[dict[str, Any]]:
    """Incidents, newest first, with their response times in seconds; ``q`` searches their
    text."""
    return actions.list_incidents(state(request).sessions, status, model, q)


@router.get("/incidents/metrics", responses=refusals(422))
def get_metrics(
    request: Request,
    _: Annotated[str, Depends(require("read"))],
    by: Annotated[
        str, Query(description="model, label (taxonomy), day, week (ISO) or month")
    ] = "model",
    days: Annotated[int, Query(ge=1, le=3660, description="incidents detected since")] = 30,
) -> dict[str, Any]:
    """Response metrics of the incidents detected in the last ``days``: for each group, the
    time to detect, acknowledge, mitigate and resolve as count, median and 90th percentile in
    seconds."""
    return metrics.response_metrics(state(request).sessions, by, _now(), days)


@router.post("/incidents", status_code=201, responses=refusals(400, 413, 422))
def post_incident(
    body: Declared, request: Request, _: Annotated[str, Depends(require("write"))]
) -> dict[str, Any]:
    """Declare an incident."""
    app = state(request)
    return actions.declare(
        app.sessions,
        body.title,
        body.severity,
        _now(),
        actor=body.by,
        models=body.models,
        labels=body.labels,
        incidents=app.incidents_config,
    )


@router.get("/incidents/{incident_id}", responses=refusals(404))
def get_incident(
    incident_id: str, request: Request, _: Annotated[str, Depends(require("read"))]
) -> dict[str, Any]:
    """The incident, its timeline, the changes recorded for its models since a day before
    its onset, its last known good state (``last_known_good``), its blast radius
    (``blast_radius``), its responders by discipline (``responders``, from its models'
    owners) and its Slack channel (``slack_channel``)."""
    return actions.show(state(request).sessions, incident_id)


@router.get("/incidents/{incident_id}/timeline", responses=refusals(404))
def get_timeline(
    incident_id: str, request: Request, _: Annotated[str, Depends(require("read"))]
) -> list[dict[str, Any]]:
    """The incident's timeline, oldest first."""
    return actions.timeline(state(request).sessions, incident_id)


@router.get("/incidents/{incident_id}/reconstruction", responses=refusals(404, 422))
def get_reconstruction(
    incident_id: str,
    request: Request,
    _: Annotated[str, Depends(require("read"))],
    lookback_hours: Annotated[
        float,
        Query(
            gt=0,
            le=MAX_LOOKBACK_HOURS,
            description="how far before the onset to look (hours)",
        ),
    ] = LOOKBACK_HOURS,
) -> dict[str, Any]:
    """What happened from ``lookback_hours`` before the incident's onset up to now, in time
    order: changes, pipeline runs (flagged when failed, slow, far from their usual row count or
    with failed assertions), alias moves, alerts and monitor onsets; items before the onset
    and the first anomalous pipeline run are marked."""
    return actions.reconstruction(state(request).sessions, incident_id, lookback_hours)


class Patch(BaseModel):
    """Changes to an incident: each field given is one change (status last)."""

    model_config = ConfigDict(extra="forbid")

    status: Text | None = None
    reason: Text | None = None
    force: bool | None = Field(
        default=None,
        description="close although the post-mortem is not final (needs a reason, recorded)",
    )
    severity: Text | None = None
    roles: dict[Text, Text | None] | None = None
    add_labels: list[Text] | None = None
    remove_labels: list[Text] | None = None
    models: list[Text] | None = None
    segments: list[Text] | None = None
    by: Text = Field(min_length=1, max_length=200)


@router.patch("/incidents/{incident_id}", responses=refusals(400, 404, 413, 422))
def patch_incident(
    incident_id: str, body: Patch, request: Request, _: Annotated[str, Depends(require("write"))]
) -> dict[str, Any]:
    """Change the status (``triage -> investigating -> mitigated -> resolved -> closed``;
    an illegal move is refused with the allowed ones), severity, roles, labels or scope."""
    fields = body.model_dump(exclude_none=True, exclude={"by"})
    app = state(request)
    return actions.update(
        app.sessions, incident_id, fields, _now(), body.by, incidents=app.incidents_config
    )


@router.post("/incidents/{incident_id}/ack", responses=refusals(400, 404, 413, 422))
def ack_incident(
    incident_id: str,
    body: dict[str, Text],
    request: Request,
    _: Annotated[str, Depends(require("write"))],
) -> dict[str, Any]:
    """Acknowledge the incident (and its firing alerts): ``{"by": "ana"}``."""
    by = body.get("by") or "unknown"
    app = state(request)
    return actions.acknowledge(app.sessions, incident_id, _now(), by, app.incidents_config)


class NoteIn(BaseModel):
    """A note for the timeline."""

    model_config = ConfigDict(extra="forbid")

    text: Text = Field(min_length=1, max_length=10_000)
    by: Text = Field(min_length=1, max_length=200)


@router.post(
    "/incidents/{incident_id}/notes", status_code=201, responses=refusals(400, 404, 413, 422)
)
def post_note(
    incident_id: str, body: NoteIn, request: Request, _: Annotated[str, Depends(require("write"))]
) -> dict[str, Any]:
    """Write a note on the incident's timeline."""
    return actions.add_note(state(request).sessions, incident_id, body.text, _now(), body.by)


class UpdateIn(BaseModel):
    """A status update in SBAR form."""

    model_config = ConfigDict(extra="forbid")

    situation: Text
    background: Text
    assessment: Text
    recommendation: Text
    by: Text = Field(min_length=1, max_length=200)


@router.post(
    "/incidents/{incident_id}/updates", status_code=201, responses=refusals(400, 404, 413, 422)
)
def post_update(
    incident_id: str, body: UpdateIn, request: Request, _: Annotated[str, Depends(require("write"))]
) -> dict[str, Any]:
    """Post a status update (Situation, Background, Assessment, Recommendation); it is sent
    to the receivers of ``incidents: updates_to`` or those the incident's alerts went to
    (``notifications`` says how many messages were queued)."""
    sbar = body.model_dump(exclude={"by"})
    app = state(request)
    return actions.add_update(
        app.sessions,
        incident_id,
        sbar,
        _now(),
        body.by,
        alerting=app.alerting_config,
        incidents=app.incidents_config,
    )


class MergeIn(BaseModel):
    """The duplicate to merge into this incident."""

    model_config = ConfigDict(extra="forbid")

    duplicate: Text
    reason: Text | None = None
    by: Text = Field(min_length=1, max_length=200)


@router.post("/incidents/{incident_id}/merge", responses=refusals(400, 404, 413, 422))
def post_merge(
    incident_id: str, body: MergeIn, request: Request, _: Annotated[str, Depends(require("write"))]
) -> dict[str, Any]:
    """Merge a duplicate incident into this one."""
    return actions.merge_into(
        state(request).sessions, incident_id, body.duplicate, _now(), body.by, body.reason
    )
