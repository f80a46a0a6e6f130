"""Post-mortem action items: added to an incident, changed, listed across incidents (JSON, or
CSV for Jira's importer), and filed as GitHub or Jira issues."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from smokejumper.monitoring.text import Text
from smokejumper.postmortems.action_fields import MAX_DESCRIPTION, MAX_LINK, MAX_OWNER, MAX_REASON
from smokejumper.server.auth import require
from smokejumper.server.openapi import Refusal, refusals
from smokejumper.server.state import state
from smokejumper.service.postmortems import actions

router = APIRouter(prefix="/api/v1", tags=["action items"])

_TYPES = "mitigate, prevent, detect or process"
_STATUSES = "open, in_progress, done or wont_do (with a reason)"
_CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": Refusal, "description": "the item is filed in a tracker already"}
}


def _now() -> datetime:
    return datetime.now(UTC)


class ActionIn(BaseModel):
    """A new action item."""

    model_config = ConfigDict(extra="forbid")

    type: Text = Field(description=_TYPES)
    description: Text = Field(min_length=1, max_length=MAX_DESCRIPTION)
    owner: Text = Field(
        min_length=1, max_length=MAX_OWNER, description="a role or a team (not a person)"
    )
    due: Text = Field(description="the due date, YYYY-MM-DD")
    link: Text | None = Field(default=None, max_length=MAX_LINK, description="an http(s) URL")
    by: Text = Field(min_length=1, max_length=200)


class ActionPatch(BaseModel):
    """Changes to an action item: each field given changes (``link: null`` removes it)."""

    model_config = ConfigDict(extra="forbid")

    type: Text | None = Field(default=None, description=_TYPES)
    description: Text | None = Field(default=None, min_length=1, max_length=MAX_DESCRIPTION)
    owner: Text | None = Field(default=None, min_length=1, max_length=MAX_OWNER)
    due: Text | None = Field(default=None, description="YYYY-MM-DD")
    status: Text | None = Field(default=None, description=_STATUSES)
    link: Text | None = Field(default=None, max_length=MAX_LINK)
    reason: Text | None = Field(
        default=None, max_length=MAX_REASON, description="why it will not be done (wont_do)"
    )
    by: Text = Field(min_length=1, max_length=200)


class TrackerIn(BaseModel):
    """Where to file the item."""

    model_config = ConfigDict(extra="forbid")

    tracker: Text = Field(description="github or jira (configured under actions: in --config)")
    by: Text = Field(min_length=1, max_length=200)


@router.post(
    "/incidents/{incident_id}/actions", status_code=201, responses=refusals(400, 404, 413, 422)
)
def post_action(
    incident_id: str, body: ActionIn, request: Request, _: Annotated[str, Depends(require("write"))]
) -> dict[str, Any]:
    """Add an action item to the incident; it goes on the incident's timeline."""
    fields = body.model_dump(exclude={"by"})
    return actions.add_item(state(request).sessions, incident_id, fields, _now(), body.by)


@router.get("/incidents/{incident_id}/actions", responses=refusals(404))
def get_incident_actions(
    incident_id: str, request: Request, _: Annotated[str, Depends(require("read"))]
) -> list[dict[str, Any]]:
    """The incident's action items, by due date."""
    return actions.items_of(state(request).sessions, incident_id, _now())


@router.get(
    "/actions",
    responses={
        **refusals(404, 422),
        200: {
            "description": "the items as JSON, or (format=csv) as Jira's CSV importer reads them",
            "content": {"application/json": {}, "text/csv": {}},
        },
    },
)
def get_actions(
    request: Request,
    _: Annotated[str, Depends(require("read"))],
    status: Annotated[
        str | None,
        Query(max_length=200, description=f"one or several (comma-separated) of: {_STATUSES}"),
    ] = None,
    overdue: Annotated[
        bool, Query(description="only those open or in progress past their due date (UTC)")
    ] = False,
    incident: Annotated[
        str | None, Query(max_length=40, description="only this incident's")
    ] = None,
    format: Annotated[str, Query(description="json, or csv for Jira's CSV importer")] = "json",
) -> Response:
    """Action items across incidents, by due date, each with its incident's title and severity,
    whether it is ``overdue`` and how many ``days_late``. ``format=csv`` answers the CSV
    Jira's importer reads (columns in docs/actions.md; dates ``yyyy-MM-dd``)."""
    app = state(request)
    now = _now()
    if format not in actions.EXPORT_FORMATS:
        raise HTTPException(422, f"format: unknown format {format!r}; use json or csv")
    found = actions.find(app.sessions, now, status, overdue, incident)
    body = actions.export(found, format, app.actions_config, now)
    headers = {}
    if format == "csv":
        headers["Content-Disposition"] = 'attachment; filename="action-items.csv"'
    return Response(body, media_type=actions.EXPORT_FORMATS[format], headers=headers)


@router.get("/actions/{action_id}", responses=refusals(404))
def get_action(
    action_id: str, request: Request, _: Annotated[str, Depends(require("read"))]
) -> dict[str, Any]:
    """The action item with its ``history`` (its events on the incident's timeline)."""
    return actions.show_item(state(request).sessions, action_id, _now())


@router.patch("/actions/{action_id}", responses=refusals(400, 404, 413, 422))
def patch_action(
    action_id: str,
    body: ActionPatch,
    request: Request,
    _: Annotated[str, Depends(require("write"))],
) -> dict[str, Any]:
    """Change the action item (status, owner, due date, ...); the change goes on the
    incident's timeline. ``wont_do`` needs a ``reason``."""
    fields = body.model_dump(exclude_unset=True, exclude={"by"})
    for name in ("type", "description", "owner", "due", "status"):
        if name in fields and fields[name] is None:
            raise HTTPException(422, f"{name}: cannot be null; give a value or leave it out")
    return actions.update_item(state(request).sessions, action_id, fields, _now(), body.by)


@router.post(
    "/actions/{action_id}/tracker",
    status_code=201,
    responses={**refusals(400, 404, 413, 422, 502), **_CONFLICT},
)
def post_tracker(
    action_id: str, body: TrackerIn, request: Request, _: Annotated[str, Depends(require("write"))]
) -> dict[str, Any]:
    """File the action item as an issue in GitHub or Jira and keep the issue's key and URL on
    it (``tracker_key``, ``tracker_url``). 502 with the tracker's message when it refuses or
    cannot be reached (the item is unchanged: send the request again); 409 when the item is
    filed already."""
    app = state(request)
    return actions.file_in_tracker(
        app.sessions, action_id, body.tracker, app.actions_config, _now(), body.by
    )
