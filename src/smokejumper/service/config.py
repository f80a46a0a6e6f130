"""Configuration: monitors and SLOs declared in a monitors file or through the API.

``smokejumper serve --config monitors.yaml`` may start before the models it names are
registered. Such monitors (and the SLOs on them) wait in :class:`PendingMonitors`, with one
short warning per model, and are created as soon as the model is registered: right after a
successful ``POST /api/v1/models`` in the process that served it, and at every pass of the
background evaluator (which also catches models registered by another process). Only names
not yet in the store are created, so a monitor declared or changed through the API meanwhile is
never overwritten.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from smokejumper.monitoring.monitors import MonitorConfig, MonitorSpec, SloSpec
from smokejumper.monitoring.waiting import split_config
from smokejumper.store.database import unit_of_work
from smokejumper.store.models import model_names
from smokejumper.store.monitors import monitor_exists, monitors_of, save_monitor
from smokejumper.store.slos import save_slo, slo_exists

log = logging.getLogger(__name__)


def declare_monitor(sessions: sessionmaker[Session], spec: MonitorSpec) -> None:
    """Create the monitor, or replace the spec of the one with its name."""
    with unit_of_work(sessions) as session:
        save_monitor(session, spec)


def declare_slo(sessions: sessionmaker[Session], spec: SloSpec) -> None:
    """Create or replace an SLO."""
    with unit_of_work(sessions) as session:
        save_slo(session, spec)


def declared_monitors(sessions: sessionmaker[Session]) -> list[MonitorSpec]:
    """Every declared monitor, by name."""
    with sessions() as session:
        return [spec for _, spec in monitors_of(session)]


def apply_config(session: Session, config: MonitorConfig) -> MonitorConfig:
    """Save the monitors and SLOs of a monitors file whose models are registered (in the
    caller's unit of work).

    What is left (monitors of models not registered yet, and the SLOs on them) is returned
    without being saved, for :func:`apply_pending` once the model is registered. Any other
    problem raises as before.
    """
    ready, pending = split_config(config, model_names(session))
    for spec in ready.monitors:
        save_monitor(session, spec)
    for slo in ready.slos:
        save_slo(session, slo)
    return pending


def apply_pending(
    sessions: sessionmaker[Session], pending: MonitorConfig
) -> tuple[list[str], MonitorConfig]:
    """Create the pending monitors and SLOs whose model is registered now, in one unit of work.

    Returns the names created and what still waits. Only a monitor or SLO whose name is not in
    the store yet is created, so one declared or changed through the API meanwhile (or created
    by another server process) is left as it is; calling this again does nothing more.
    """
    if not pending.monitors:
        return [], pending
    created: list[str] = []
    try:
        with unit_of_work(sessions) as session:
            ready, still = split_config(pending, model_names(session))
            for spec in ready.monitors:
                if not monitor_exists(session, spec.name):
                    save_monitor(session, spec)
                    created.append(spec.name)
            for slo in ready.slos:
                if not slo_exists(session, slo.name):
                    save_slo(session, slo)
                    created.append(slo.name)
    except IntegrityError:  # another server process created one at the same moment
        return [], pending  # the next call finds it and moves on
    return created, still


class PendingMonitors:
    """The waiting part of a monitors file, applied once its models are registered."""

    def __init__(self, config: MonitorConfig | None = None) -> None:
        self._lock = threading.Lock()
        self._config = config if config is not None else MonitorConfig()

    @property
    def config(self) -> MonitorConfig:
        """What still waits."""
        return self._config

    def apply(self, sessions: sessionmaker[Session]) -> list[str]:
        """Create what waits for a model that is registered now; the names created."""
        with self._lock:
            if not self._config.monitors:
                return []
            created, self._config = apply_pending(sessions, self._config)
        if created:
            log.warning(
                "created from the monitors file now that their model is registered: %s",
                ", ".join(created),
            )
        return created


def waiting_lines(pending: MonitorConfig, shown: int = 3) -> list[str]:
    """One short line per model that monitors wait for, naming up to ``shown`` of them.

    >>> from smokejumper.monitoring.monitors import MonitorConfig
    >>> config = MonitorConfig.model_validate({"monitors": [
    ...     {"name": f"churn-{n}", "model": "churn", "type": "volume"} for n in range(5)]})
    >>> waiting_lines(config)
    ["model 'churn' is not registered yet: 5 monitors wait for it (churn-0, churn-1, churn-2, ...)"]
    """
    by_model: dict[str, list[str]] = {}
    for spec in pending.monitors:
        by_model.setdefault(spec.model, []).append(spec.name)
    lines = []
    for model, names in by_model.items():
        listed = ", ".join(names[:shown]) + (", ..." if len(names) > shown else "")
        count = f"{len(names)} monitors wait" if len(names) > 1 else "1 monitor waits"
        lines.append(f"model {model!r} is not registered yet: {count} for it ({listed})")
    return lines


def apply_file(sessions: sessionmaker[Session], config: MonitorConfig) -> PendingMonitors:
    """Apply a monitors file in one unit of work; keep the monitors whose model is not
    registered, with one short warning per such model (see :func:`waiting_lines`)."""
    with unit_of_work(sessions) as session:
        pending = apply_config(session, config)
    for line in waiting_lines(pending):
        log.warning("%s", line)
    return PendingMonitors(pending)
