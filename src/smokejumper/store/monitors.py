"""Repository of declared monitors (their specs stored as JSON). Nothing here commits: the
caller's unit of work does (see :func:`smokejumper.store.database.unit_of_work`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from smokejumper.monitoring.monitors import MonitorSpec, parse_monitor
from smokejumper.store.models import get_model
from smokejumper.store.tables import Model, Monitor


def save_monitor(session: Session, spec: MonitorSpec) -> Monitor:
    """Create the monitor, or replace the spec of the one with its name."""
    model = get_model(session, spec.model)
    row = session.scalar(select(Monitor).where(Monitor.name == spec.name))
    if row is None:
        row = Monitor(
            name=spec.name,
            model_id=model.id,
            spec_json=spec.model_dump_json(),
            created_at=datetime.now(UTC),
        )
        session.add(row)
    else:
        row.model_id, row.spec_json = model.id, spec.model_dump_json()
    session.flush()
    return row


def monitors_of(session: Session, model: Model | None = None) -> list[tuple[Monitor, MonitorSpec]]:
    """Monitors (of one model, or all) with their parsed specs, by name."""
    query = select(Monitor).order_by(Monitor.name)
    if model is not None:
        query = query.where(Monitor.model_id == model.id)
    return [(row, parse_monitor(json.loads(row.spec_json))) for row in session.scalars(query)]


def monitor_exists(session: Session, name: str) -> bool:
    """Whether a monitor called ``name`` is in the store."""
    return session.scalar(select(Monitor.id).where(Monitor.name == name)) is not None
