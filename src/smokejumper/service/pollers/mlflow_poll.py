"""One poll of an MLflow registry, and how the polls are going.

:func:`poll_once` reads the registry (:mod:`.mlflow_rest`), compares it with the state stored
at the previous poll (:func:`smokejumper.changes.registry_moves.registry_changes`) and, in one
unit of work, records the changes in the change log and stores the new state. So a restart
neither records a move twice (the state it compares with is the one stored with the move) nor
misses one made while the server was down (the first poll after it compares with the state
stored before).

The first successful poll of a registry (no state stored for its tracking URI) is the
**baseline**: its state is stored and nothing is recorded, since MLflow cannot say when the
existing versions got their stages and aliases.

A failed poll is counted (:func:`record_failure`); :func:`poll_status` is what ``/healthz``
and ``/metrics`` report.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from smokejumper.changes.registry import RegistrySnapshot
from smokejumper.changes.registry_moves import registry_changes
from smokejumper.service.pollers.mlflow_config import MlflowConfig
from smokejumper.service.pollers.mlflow_rest import fetch_snapshot
from smokejumper.store.changes import add_change
from smokejumper.store.database import unit_of_work
from smokejumper.store.registry_polls import RegistryPoll, get_poll, save_failure, save_success

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PollResult:
    """What a poll did: ``baseline`` (the first poll: nothing recorded), the changes
    recorded (their summaries), and the registry's size."""

    baseline: bool
    recorded: tuple[str, ...]
    models: int
    versions: int


def poll_once(
    sessions: sessionmaker[Session],
    config: MlflowConfig,
    client: httpx.Client,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> PollResult:
    """Read the registry and record what changed since the stored state (see the module).
    Raises :class:`~smokejumper.errors.RegistryUnavailableError` when MLflow cannot be read."""
    snapshot = fetch_snapshot(client, config)
    return apply_snapshot(sessions, config, snapshot, clock())


def apply_snapshot(
    sessions: sessionmaker[Session], config: MlflowConfig, snapshot: RegistrySnapshot, now: datetime
) -> PollResult:
    """Record the changes from the stored state to ``snapshot`` (seen at ``now``) and store
    it, in one unit of work."""
    models, versions = snapshot.counts()
    with unit_of_work(sessions) as session:
        stored = get_poll(session, config.source, for_update=True)
        if stored is None or stored.state is None:
            save_success(session, config.source, snapshot.to_dict(), now, 0)
            return PollResult(True, (), models, versions)
        changes = registry_changes(
            RegistrySnapshot.from_dict(stored.state),
            snapshot,
            now=now,
            since=stored.polled_at,
            ui_url=config.ui_url,
            mapping=config.mapping,
        )
        recorded = []
        for change in changes:
            kept, new = add_change(session, change, now)
            if new:
                recorded.append(change.summary)
            elif not kept.same_content(change):
                log.warning("MLflow change %s is recorded already as something else", change.key)
        save_success(session, config.source, snapshot.to_dict(), now, len(recorded))
    return PollResult(False, tuple(recorded), models, versions)


def record_failure(
    sessions: sessionmaker[Session], config: MlflowConfig, error: str, now: datetime
) -> RegistryPoll:
    """Count a failed poll; the registry's memory with it."""
    with unit_of_work(sessions) as session:
        return save_failure(session, config.source, error, now)


def poll_status(
    sessions: sessionmaker[Session], config: MlflowConfig, now: datetime
) -> dict[str, Any]:
    """How the polls of the registry go, as ``/healthz`` shows it. ``status`` is ``ok`` (the
    last poll read it), ``error`` (the last poll failed: ``last_error`` says why), ``starting``
    (no poll yet) or ``stale`` (no poll for over three intervals: the poller is not running)."""
    with sessions() as session:
        poll = get_poll(session, config.source)
    if poll is None:
        return {"status": "starting", "tracking_uri": config.source}
    late = (now - poll.attempted_at).total_seconds() if poll.attempted_at else 0.0
    wait = 3 * max(config.poll_every, config.retry_max).total_seconds() + 60
    status = "error" if poll.consecutive_failures else ("stale" if late > wait else "ok")
    models, versions = (
        RegistrySnapshot.from_dict(poll.state).counts() if poll.state is not None else (0, 0)
    )
    return {
        "status": status,
        "tracking_uri": config.source,
        "last_success_at": _iso(poll.polled_at),
        "last_attempt_at": _iso(poll.attempted_at),
        "consecutive_failures": poll.consecutive_failures,
        "failing_since": _iso(poll.failing_since),
        "last_error": poll.last_error if poll.consecutive_failures else None,
        "last_error_at": _iso(poll.last_error_at),
        "errors_total": poll.errors_total,
        "changes_recorded": poll.changes_total,
        "registered_models": models,
        "model_versions": versions,
    }


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat()
