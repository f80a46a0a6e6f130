"""SLO state: each SLO's observations read from the store and judged by the pure
:func:`smokejumper.monitoring.slo_status.slo_status`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from smokejumper.monitoring.slo_status import slo_status
from smokejumper.store.slos import slo_as_of, slos_with_monitors, verdicts_since


def slo_statuses(session: Session) -> list[dict[str, Any]]:
    """The state of every SLO, from its monitor's observations, as of the end of the newest
    window evaluated for the monitor's model (see :func:`smokejumper.store.slos.slo_as_of`)."""
    out = []
    for slo, monitor, model in slos_with_monitors(session):
        window = timedelta(seconds=model.window_seconds)
        as_of = slo_as_of(session, model, monitor)
        since = as_of - timedelta(days=slo.period_days) - window
        out.append(
            slo_status(
                slo.name,
                monitor.name,
                slo.objective,
                slo.period_days,
                verdicts_since(session, monitor, since),
                window,
                as_of=as_of,
            )
        )
    return out
