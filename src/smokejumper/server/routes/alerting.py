"""Alerts, silences and the notifications sent (or waiting) about them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator

from smokejumper.alerting.inbound import parse_alertmanager_webhook
from smokejumper.monitoring.text import Text
from smokejumper.server.auth import require
from smokejumper.server.openapi import refusals
from smokejumper.server.state import state
from smokejumper.service.alerting import actions

router = APIRouter(prefix="/api/v1", tags=["alerting"])


def _now() -> datetime:
    return datetime.now(UTC)


@router.get("/alerts", responses=refusals(422))
def get_alerts(
    request: Request,
    _: Annotated[str, Depends(require("read"))],
    state_: Annotated[
        Literal["firing", "resolved"] | None, Query(alias="state", description="firing or resolved")
    ] = None,
    model: Annotated[str | None, Query()] = None,
    severity: Annotated[str | None, Query()] = None,
) -> list[dict[str, Any]]:
    """Alerts (firing, and resolved in the last 7 days), newest first."""
    return actions.list_alerts(state(request).sessions, state_, model, severity)


class AckIn(BaseModel):
    """Who acknowledges the alert."""

    model_config = ConfigDict(extra="forbid")

    by: Text = Field(min_length=1, max_length=200)


@router.post("/alerts/{fingerprint}/ack", responses=refusals(400, 404, 413, 422))
def ack_alert(
    fingerprint: str,
    body: AckIn,
    request: Request,
    _: Annotated[str, Depends(require("write"))],
) -> dict[str, Any]:
    """Acknowledge an alert: its repeats and escalation stop (news of its group still goes);
    PagerDuty receivers that were told of it get an ``acknowledge`` event at once."""
    app = state(request)
    return actions.acknowledge(app.sessions, fingerprint, body.by, _now(), app.alerting_config)


class SilenceIn(BaseModel):
    """A silence: matchers in Alertmanager's syntax (``model="churn"``), when it starts (now
    if left out) and ends (or ``duration`` from its start), who made it and why."""

    model_config = ConfigDict(extra="forbid")

    matchers: list[Text] = Field(min_length=1, max_length=50)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    duration_minutes: float | None = Field(default=None, gt=0, le=366 * 24 * 60)
    created_by: Text = Field(min_length=1, max_length=200)
    comment: Text = Field(min_length=1, max_length=2000)

    @model_validator(mode="after")
    def _one_end(self) -> SilenceIn:
        if (self.ends_at is None) == (self.duration_minutes is None):
            raise ValueError("give either ends_at or duration_minutes (one of them)")
        for when in (self.starts_at, self.ends_at):
            if when is not None and when.tzinfo is None:
                raise ValueError("times need a timezone, e.g. 2026-11-30T12:00:00Z")
        return self


@router.post("/silences", status_code=201, responses=refusals(400, 413, 422))
def post_silence(
    body: SilenceIn, request: Request, _: Annotated[str, Depends(require("write"))]
) -> dict[str, Any]:
    """Create a silence; ``warnings`` says if its matchers match no alert seen so far."""
    now = _now()
    starts = body.starts_at or now
    ends = body.ends_at or starts + timedelta(minutes=body.duration_minutes or 0)
    silence, warnings = actions.create_silence(
        state(request).sessions, body.matchers, starts, ends, body.created_by, body.comment, now
    )
    return {**silence, "warnings": warnings}


@router.get("/silences", responses=refusals(422))
def get_silences(
    request: Request,
    _: Annotated[str, Depends(require("read"))],
    expired: Annotated[bool, Query(description="include expired silences")] = False,
) -> list[dict[str, Any]]:
    """Active and pending silences (and expired ones with ``expired=true``)."""
    return actions.list_silences(state(request).sessions, _now(), expired)


@router.delete("/silences/{silence_id}", responses=refusals(404))
def delete_silence(
    silence_id: str, request: Request, _: Annotated[str, Depends(require("write"))]
) -> dict[str, Any]:
    """Expire a silence now (it stays on record)."""
    return actions.expire(state(request).sessions, silence_id, _now())


@router.get("/notifications", responses=refusals(422))
def get_notifications(
    request: Request,
    _: Annotated[str, Depends(require("read"))],
    state_: Annotated[Literal["pending", "sent", "dead"] | None, Query(alias="state")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """Notification messages (one per receiver integration), newest first, with their
    attempts and last error; ``dead`` ones were given up."""
    return actions.list_notifications(state(request).sessions, state_, limit)


@router.post("/integrations/alertmanager", responses=refusals(400, 413, 422))
def alertmanager_webhook(
    body: dict[str, Any], request: Request, _: Annotated[str, Depends(require("ingest"))]
) -> dict[str, int]:
    """Alerts from a Prometheus Alertmanager (its webhook payload, version 4): infrastructure
    alerts (node down, GPU memory, queue lag) join Smokejumper's, labelled
    ``source="alertmanager"``. Point a ``webhook_configs`` entry here with an ingest token."""
    evaluations = parse_alertmanager_webhook(body)
    return actions.receive_external(state(request).sessions, evaluations, _now())
