"""Repository of SLOs and the observations their state is computed from. Nothing here
commits: the caller's unit of work does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smokejumper.errors import InputError
from smokejumper.monitoring.monitors import SloSpec
from smokejumper.store.database import as_utc
from smokejumper.store.tables import Model, Monitor, ObservationRow, Slo
from smokejumper.store.windows import newest_evaluated_window


def save_slo(session: Session, spec: SloSpec) -> Slo:
    """Create or replace an SLO."""
    monitor = session.scalar(select(Monitor).where(Monitor.name == spec.monitor))
    if monitor is None:
        raise InputError(f"SLO {spec.name!r} names unknown monitor {spec.monitor!r}")
    row = session.scalar(select(Slo).where(Slo.name == spec.name))
    if row is None:
        row = Slo(
            name=spec.name,
            monitor_id=monitor.id,
            objective=spec.objective,
            period_days=spec.period_days,
        )
        session.add(row)
    else:
        row.monitor_id, row.objective, row.period_days = (
            monitor.id,
            spec.objective,
            spec.period_days,
        )
    session.flush()
    return row


def slo_exists(session: Session, name: str) -> bool:
    """Whether an SLO called ``name`` is in the store."""
    return session.scalar(select(Slo.id).where(Slo.name == name)) is not None


def slos_with_monitors(session: Session) -> list[tuple[Slo, Monitor, Model]]:
    """Every SLO with its monitor and the monitor's model, by SLO name."""
    query = (
        select(Slo, Monitor, Model)
        .join(Monitor, Slo.monitor_id == Monitor.id)
        .join(Model, Monitor.model_id == Model.id)
        .order_by(Slo.name)
    )
    return [(slo, monitor, model) for slo, monitor, model in session.execute(query)]


def verdicts_since(
    session: Session, monitor: Monitor, since: datetime
) -> list[tuple[datetime, bool]]:
    """The monitor's observations with a verdict from window ``since`` on, oldest first."""
    rows = session.execute(
        select(ObservationRow.window_start, ObservationRow.healthy)
        .where(
            ObservationRow.monitor_id == monitor.id,
            ObservationRow.healthy.is_not(None),
            ObservationRow.window_start >= since,
        )
        .order_by(ObservationRow.window_start)
    ).all()
    return [(as_utc(start), bool(ok)) for start, ok in rows]


def slo_as_of(session: Session, model: Model, monitor: Monitor) -> datetime:
    """The instant an SLO on ``monitor`` is evaluated at: the end of the newest window
    evaluated for the model, with or without rows (the evaluator goes on evaluating windows
    after traffic stops, so the state moves on too; windows in which the monitor had no verdict
    are no events), or of the monitor's newest observation if that is later (evaluations are
    forgotten when the reference changes, until the next pass); now if there is neither."""
    window = timedelta(seconds=model.window_seconds)
    newest = [
        as_utc(start)
        for start in (
            newest_evaluated_window(session, model),
            session.scalar(
                select(func.max(ObservationRow.window_start)).where(
                    ObservationRow.monitor_id == monitor.id
                )
            ),
        )
        if start is not None
    ]
    return max(newest) + window if newest else datetime.now(UTC)
