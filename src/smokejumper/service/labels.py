"""Labels (ground truth, joined to predictions by id) and custom metric values."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from smokejumper.errors import InputError
from smokejumper.monitoring.times import record_time
from smokejumper.service.evaluation.runner import LABEL_LOOKBACK, window_of
from smokejumper.store.batches import paths_received_since
from smokejumper.store.custom_metrics import store_custom
from smokejumper.store.database import unit_of_work
from smokejumper.store.labels import store_labels
from smokejumper.store.models import get_model
from smokejumper.store.rawlog import RawLog


def log_labels(
    sessions: sessionmaker[Session], raw_log: RawLog, name: str, pairs: Sequence[tuple[str, str]]
) -> tuple[int, int]:
    """Store ``(prediction id, label)`` pairs; returns how many were stored and how many ids
    are not (yet) among the predictions logged in the last :data:`LABEL_LOOKBACK` (they are
    kept, and joined when their prediction arrives)."""
    with unit_of_work(sessions) as session:
        model = get_model(session, name)
        stored = store_labels(session, model, pairs)
        paths = paths_received_since(session, model, datetime.now(UTC) - LABEL_LOOKBACK)
    wanted = {pid for pid, _ in pairs}
    return stored, len(wanted - raw_log.ids_present(paths, wanted))


def log_metric(
    sessions: sessionmaker[Session], name: str, metric: str, value: float, at: datetime | None
) -> datetime:
    """Record a custom metric's value for the window holding ``at`` (now when ``None``);
    returns that window's start."""
    now = datetime.now(UTC)
    try:
        moment = record_time(at, now) if at is not None else now
    except ValueError as err:
        raise InputError(f"the metric's timestamp {err}") from None
    with unit_of_work(sessions) as session:
        model = get_model(session, name)
        start = window_of(moment, model.window_seconds)
        store_custom(session, model, metric, start, value)
    return start
