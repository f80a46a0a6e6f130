"""Repository of custom metric values (a user's own metric, per window). Nothing here
commits: the caller's unit of work does."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smokejumper.store.database import as_utc
from smokejumper.store.tables import CustomMetric, Model
from smokejumper.store.upsert import upsert


def store_custom(
    session: Session, model: Model, metric: str, window_start: datetime, value: float
) -> None:
    """Record a custom metric's value for a window (replacing an earlier one)."""
    row = {
        "model_id": model.id,
        "metric": metric,
        "window_start": window_start,
        "value": value,
        "received_at": datetime.now(UTC),
    }
    upsert(session, CustomMetric, [row], ["model_id", "metric", "window_start"])


def custom_for(session: Session, model: Model, window_start: datetime) -> dict[str, float]:
    """Custom metric values posted for one window."""
    query = select(CustomMetric.metric, CustomMetric.value).where(
        CustomMetric.model_id == model.id, CustomMetric.window_start == window_start
    )
    return dict(session.execute(query).all())


def custom_arrivals(session: Session, model: Model) -> dict[datetime, datetime]:
    """For each window with custom metrics, when the newest value for it arrived."""
    query = (
        select(CustomMetric.window_start, func.max(CustomMetric.received_at))
        .where(CustomMetric.model_id == model.id)
        .group_by(CustomMetric.window_start)
    )
    return {as_utc(start): as_utc(at) for start, at in session.execute(query)}
