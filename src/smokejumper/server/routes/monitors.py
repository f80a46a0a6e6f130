"""Monitors, observations, labels, custom metrics and on-demand evaluation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from smokejumper.monitoring.monitors import SloSpec, parse_monitor
from smokejumper.monitoring.text import Text
from smokejumper.server.auth import require
from smokejumper.server.openapi import refusals
from smokejumper.server.state import state
from smokejumper.service import config, labels
from smokejumper.service import observations as service
from smokejumper.service.alerting.passes import alert_pass
from smokejumper.service.rca.runs import diagnose_opened
from smokejumper.service.slos import slo_statuses

router = APIRouter(prefix="/api/v1", tags=["monitoring"])


@router.post("/monitors", status_code=201, responses=refusals(400, 404, 413, 422))
def put_monitor(
    body: dict[str, Any], request: Request, _: Annotated[str, Depends(require("write"))]
) -> dict[str, Any]:
    """Declare (or replace) a monitor; the body is one monitor as in the YAML file."""
    spec = parse_monitor(body)
    config.declare_monitor(state(request).sessions, spec)
    return spec.model_dump()


@router.get("/monitors", responses=refusals())
def get_monitors(
    request: Request, _: Annotated[str, Depends(require("read"))]
) -> list[dict[str, Any]]:
    """Every declared monitor."""
    return [spec.model_dump() for spec in config.declared_monitors(state(request).sessions)]


@router.post("/slos", status_code=201, responses=refusals(400, 413, 422))
def put_slo(
    body: SloSpec, request: Request, _: Annotated[str, Depends(require("write"))]
) -> dict[str, Any]:
    """Declare (or replace) an SLO on a monitor."""
    config.declare_slo(state(request).sessions, body)
    return body.model_dump()


@router.get("/slos", responses=refusals())
def get_slos(request: Request, _: Annotated[str, Depends(require("read"))]) -> list[dict[str, Any]]:
    """Every SLO: state (ok, ticket, page, no_data), error budget left and burn rates."""
    with state(request).sessions() as db:
        return slo_statuses(db)


@router.get("/models/{name}/observations", responses=refusals(404, 422))
def observations(
    name: str,
    request: Request,
    _: Annotated[str, Depends(require("read"))],
    monitor: Annotated[str | None, Query(description="only this monitor")] = None,
    start: Annotated[datetime | None, Query()] = None,
    end: Annotated[datetime | None, Query()] = None,
) -> list[dict[str, Any]]:
    """Observations of the model's monitors, oldest window first."""
    return service.observations(state(request).sessions, name, monitor, start, end)


class LabelIn(BaseModel):
    """Ground truth for one prediction (a number label must be finite: no NaN, no infinity)."""

    model_config = ConfigDict(allow_inf_nan=False)

    id: Text = Field(min_length=1, max_length=200)
    label: Text | float | int | bool


class LabelsIn(BaseModel):
    """A batch of labels."""

    batch_id: Text | None = None
    labels: list[LabelIn] = Field(min_length=1)


def _label_text(value: str | float | int | bool) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@router.post("/models/{name}/labels", status_code=201, responses=refusals(400, 404, 413, 422))
def log_labels(
    name: str, body: LabelsIn, request: Request, _: Annotated[str, Depends(require("ingest"))]
) -> dict[str, Any]:
    """Store labels, joined to predictions by id; late and early labels are both kept.

    The answer counts the ids not (yet) seen among predictions logged in the last
    7 days: they are kept and joined when their prediction arrives.
    """
    app = state(request)
    pairs = [(item.id, _label_text(item.label)) for item in body.labels]
    stored, unmatched = labels.log_labels(app.sessions, app.raw_log, name, pairs)
    return {"batch_id": body.batch_id, "rows": stored, "unmatched": unmatched}


class MetricIn(BaseModel):
    """A value of a custom metric for the window holding ``timestamp``; a value must be a
    finite number (NaN and infinities are refused: JSON cannot answer them back)."""

    model_config = ConfigDict(allow_inf_nan=False)

    metric: Text = Field(min_length=1, max_length=200)
    value: float
    timestamp: datetime | None = None


@router.post("/models/{name}/metrics", status_code=201, responses=refusals(400, 404, 413, 422))
def log_metric(
    name: str, body: MetricIn, request: Request, _: Annotated[str, Depends(require("ingest"))]
) -> dict[str, Any]:
    """Record a custom metric's value for a window."""
    start = labels.log_metric(
        state(request).sessions, name, body.metric, body.value, body.timestamp
    )
    return {"metric": body.metric, "window_start": start.isoformat(), "value": body.value}


@router.post("/evaluate", responses=refusals())
def evaluate_now(request: Request, _: Annotated[str, Depends(require("write"))]) -> dict[str, Any]:
    """Evaluate every monitor on every window that is due, now, then run an alerting pass
    (``alerts``: how many fire after it; ``notifications``: how many it queued)."""
    app = state(request)
    summary = service.evaluate_due(app.sessions, app.raw_log, app.window_cache)
    alerted = alert_pass(
        app.sessions,
        app.alerting_config,
        datetime.now(UTC),
        incidents=app.incidents_config,
        actions=app.actions_config,
    )
    # Incidents the pass opened are diagnosed now (a failure is logged, never answered).
    diagnose_opened(app.sessions, app.raw_log, alerted.incidents_opened, datetime.now(UTC))
    return {
        "windows": summary.windows,
        "observations": summary.observations,
        "unhealthy": summary.unhealthy,
        "alerts": alerted.firing,
        "notifications": alerted.notifications,
    }
