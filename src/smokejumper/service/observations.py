"""Reading observations and evaluating due windows on request."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from smokejumper.monitoring.times import query_time
from smokejumper.service.evaluation.runner import RunSummary, run_once
from smokejumper.service.evaluation.window_cache import WindowCache
from smokejumper.store.database import as_utc
from smokejumper.store.models import get_model
from smokejumper.store.observations import observations_of
from smokejumper.store.rawlog import RawLog


def observations(
    sessions: sessionmaker[Session],
    name: str,
    monitor: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[dict[str, Any]]:
    """Observations of the model's monitors (or of ``monitor``) in windows starting in
    ``[start, end)``, oldest window first, as the API answers them. Times before 1970 or past
    the year 9000 are refused (:class:`~smokejumper.errors.InputError`)."""
    start, end = query_time("start", start), query_time("end", end)
    with sessions() as session:
        model = get_model(session, name)
        span = timedelta(seconds=model.window_seconds)
        found = observations_of(
            session,
            model,
            monitor,
            start,
            end,
        )
        return [
            {
                "monitor": monitor_name,
                "window_start": as_utc(row.window_start).isoformat(),
                "window_end": (as_utc(row.window_start) + span).isoformat(),
                "value": row.value,
                "healthy": row.healthy,
                "details": json.loads(row.details),
                "evaluated_at": as_utc(row.evaluated_at).isoformat(),
            }
            for monitor_name, row in found
        ]


def evaluate_due(
    sessions: sessionmaker[Session], raw_log: RawLog, cache: WindowCache | None = None
) -> RunSummary:
    """Evaluate every monitor on every window that is due, now."""
    with sessions() as session:
        return run_once(session, raw_log, cache=cache)
