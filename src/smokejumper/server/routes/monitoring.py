"""Monitors, observations, labels, custom metrics and on-demand evaluation."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from smokejumper.errors import InputError
from smokejumper.monitoring.monitors import SloSpec, parse_monitor
from smokejumper.monitoring.runner import LABEL_LOOKBACK, run_once, window_of
from smokejumper.server.auth import require
from smokejumper.server.state import state
from smokejumper.store import models as model_repo
from smokejumper.store import monitoring as repo
from smokejumper.store.database import as_utc
from smokejumper.store.tables import IngestBatch, Monitor, Observation

router = APIRouter(prefix="/api/v1", tags=["monitoring"])


@router.post("/monitors", status_code=201)
def put_monitor(
    body: dict[str, Any], request: Request, _: Annotated[str, Depends(require("write"))]
) -> dict[str, Any]:
    """Declare (or replace) a monitor; the body is one monitor as in the YAML file."""
    spec = parse_monitor(body)
    with state(request).sessions() as db:
        repo.save_monitor(db, spec)
    return spec.model_dump()


@router.get("/monitors")
def get_monitors(
    request: Request, _: Annotated[str, Depends(require("read"))]
) -> list[dict[str, Any]]:
    """Every declared monitor."""
    with state(request).sessions() as db:
        return [spec.model_dump() for _, spec in repo.monitors_of(db)]


@router.post("/slos", status_code=201)
def put_slo(
    body: SloSpec, request: Request, _: Annotated[str, Depends(require("write"))]
) -> dict[str, Any]:
    """Declare (or replace) an SLO on a monitor."""
    with state(request).sessions() as db:
        repo.save_slo(db, body)
    return body.model_dump()


@router.get("/slos")
def get_slos(request: Request, _: Annotated[str, Depends(require("read"))]) -> list[dict[str, Any]]:
    """Every SLO: state (ok, ticket, page, no_data), error budget left and burn rates."""
    with state(request).sessions() as db:
        return repo.slo_statuses(db)


@router.get("/models/{name}/observations")
def observations(
    name: str,
    request: Request,
    _: Annotated[str, Depends(require("read"))],
    monitor: Annotated[str | None, Query(description="only this monitor")] = None,
    start: Annotated[datetime | None, Query()] = None,
    end: Annotated[datetime | None, Query()] = None,
) -> list[dict[str, Any]]:
    """Observations of the model's monitors, oldest window first."""
    with state(request).sessions() as db:
        model = model_repo.get_model(db, name)
        query = (
            select(Monitor.name, Observation)
            .join(Observation, Observation.monitor_id == Monitor.id)
            .where(Monitor.model_id == model.id)
            .order_by(Observation.window_start, Monitor.name)
        )
        if monitor is not None:
            query = query.where(Monitor.name == monitor)
        if start is not None:
            query = query.where(Observation.window_start >= as_utc(start))
        if end is not None:
            query = query.where(Observation.window_start < as_utc(end))
        return [
            {
                "monitor": monitor_name,
                "window_start": as_utc(obs.window_start).isoformat(),
                "window_end": (
                    as_utc(obs.window_start) + timedelta(seconds=model.window_seconds)
                ).isoformat(),
                "value": obs.value,
                "healthy": obs.healthy,
                "details": json.loads(obs.details),
                "evaluated_at": as_utc(obs.evaluated_at).isoformat(),
            }
            for monitor_name, obs in db.execute(query)
        ]


class LabelIn(BaseModel):
    """Ground truth for one prediction."""

    id: str = Field(min_length=1, max_length=200)
    label: str | float | int | bool


class LabelsIn(BaseModel):
    """A batch of labels."""

    batch_id: str | None = None
    labels: list[LabelIn] = Field(min_length=1)


def _label_text(value: str | float | int | bool) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@router.post("/models/{name}/labels", status_code=201)
def log_labels(
    name: str, body: LabelsIn, request: Request, _: Annotated[str, Depends(require("ingest"))]
) -> dict[str, Any]:
    """Store labels, joined to predictions by id; late and early labels are both kept.

    The answer counts the ids not (yet) seen among predictions logged in the last
    7 days: they are kept and joined when their prediction arrives.
    """
    app = state(request)
    pairs = [(item.id, _label_text(item.label)) for item in body.labels]
    with app.sessions() as db:
        model = model_repo.get_model(db, name)
        stored = repo.store_labels(db, model, pairs)
        since = datetime.now(UTC) - LABEL_LOOKBACK
        paths = list(
            db.scalars(
                select(IngestBatch.raw_path).where(
                    IngestBatch.model_id == model.id, IngestBatch.received_at >= since
                )
            )
        )
    wanted = {pid for pid, _ in pairs}
    unmatched = len(wanted - app.raw_log.ids_present(paths, wanted))
    return {"batch_id": body.batch_id, "rows": stored, "unmatched": unmatched}


class MetricIn(BaseModel):
    """A value of a custom metric for the window holding ``timestamp``."""

    metric: str = Field(min_length=1, max_length=200)
    value: float
    timestamp: datetime | None = None


@router.post("/models/{name}/metrics", status_code=201)
def log_metric(
    name: str, body: MetricIn, request: Request, _: Annotated[str, Depends(require("ingest"))]
) -> dict[str, Any]:
    """Record a custom metric's value for a window."""
    with state(request).sessions() as db:
        model = model_repo.get_model(db, name)
        moment = as_utc(body.timestamp) if body.timestamp else datetime.now(UTC)
        start = window_of(moment, model.window_seconds)
        if moment > datetime.now(UTC) + timedelta(minutes=5):
            raise InputError("the metric's timestamp is in the future; check the client's clock")
        repo.store_custom(db, model, body.metric, start, body.value)
    return {"metric": body.metric, "window_start": start.isoformat(), "value": body.value}


@router.post("/evaluate")
def evaluate_now(request: Request, _: Annotated[str, Depends(require("write"))]) -> dict[str, Any]:
    """Evaluate every monitor on every window that is due, now."""
    app = state(request)
    with app.sessions() as db:
        summary = run_once(db, app.raw_log)
    return {
        "windows": summary.windows,
        "observations": summary.observations,
        "unhealthy": summary.unhealthy,
    }
