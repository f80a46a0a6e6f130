"""Monitors of the monitors file that wait for their model to be registered.

``smokejumper serve --config monitors.yaml`` may start before the models it names are
registered. Such monitors (and the SLOs on them) are kept here, with a warning, and created as
soon as the model is registered: right after a successful ``POST /api/v1/models`` in the
process that served it, and at every pass of the background evaluator (which also catches models
registered by another process). Only names not yet in the store are created, so a monitor
declared or changed through the API meanwhile is never overwritten.

With ``serve --workers N`` the parent applies the file and hands what waits to the workers in
the environment variable :data:`PENDING_ENV`.
"""

from __future__ import annotations

import logging
import os
import threading

from sqlalchemy.orm import Session

from smokejumper.monitoring.monitors import MonitorConfig
from smokejumper.store.monitoring import apply_config, apply_pending

log = logging.getLogger(__name__)

#: Where ``serve --workers N`` passes the waiting monitors (as JSON) to its workers.
PENDING_ENV = "_SMOKEJUMPER_PENDING_MONITORS"


class PendingMonitors:
    """The waiting part of a monitors file, applied once its models are registered."""

    def __init__(self, config: MonitorConfig | None = None) -> None:
        self._lock = threading.Lock()
        self._config = config if config is not None else MonitorConfig()

    @property
    def config(self) -> MonitorConfig:
        """What still waits."""
        return self._config

    def apply(self, session: Session) -> list[str]:
        """Create what waits for a model that is registered now; the names created."""
        with self._lock:
            if not self._config.monitors:
                return []
            created, self._config = apply_pending(session, self._config)
        if created:
            log.warning(
                "created from the monitors file now that their model is registered: %s",
                ", ".join(created),
            )
        return created


def apply_file(session: Session, config: MonitorConfig) -> PendingMonitors:
    """Apply a monitors file; warn about and keep the monitors whose model is not registered."""
    pending = apply_config(session, config)
    for spec in pending.monitors:
        log.warning(
            "monitor %r in the monitors file is for model %r, which is not registered yet; it "
            "is kept pending and created when the model is registered (POST /api/v1/models or "
            "'smokejumper model register')",
            spec.name,
            spec.model,
        )
    return PendingMonitors(pending)


def to_environment(pending: PendingMonitors) -> None:
    """Hand what waits to worker processes started after this (see :func:`from_environment`)."""
    if pending.config.monitors:
        os.environ[PENDING_ENV] = pending.config.model_dump_json()
    else:
        os.environ.pop(PENDING_ENV, None)


def from_environment() -> PendingMonitors:
    """What the parent process left waiting (nothing when it left nothing)."""
    held = os.environ.get(PENDING_ENV)
    return PendingMonitors(MonitorConfig.model_validate_json(held) if held else None)
