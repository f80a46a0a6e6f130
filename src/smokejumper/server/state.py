"""What every request shares: settings, the store's sessions and the process-wide resources
(raw log and its writer threads, caches), owned here and closed on shutdown."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from fastapi import Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from smokejumper.alerting import AlertingConfig
from smokejumper.incidents import IncidentsConfig
from smokejumper.postmortems.action_config import ActionsConfig
from smokejumper.postmortems.confluence import ConfluenceSettings
from smokejumper.service.config import PendingMonitors
from smokejumper.service.evaluation.window_cache import WindowCache
from smokejumper.service.pollers.mlflow_config import MlflowConfig
from smokejumper.service.references import ReferenceCache
from smokejumper.settings import Settings
from smokejumper.store.rawlog import RawLog


@dataclass(frozen=True)
class AppState:
    """Long-lived objects of one server process."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    raw_log: RawLog
    references: ReferenceCache = field(default_factory=ReferenceCache)
    #: Monitors of the monitors file waiting for their model to be registered.
    pending: PendingMonitors = field(default_factory=PendingMonitors)
    #: Held while a batch is parsed, validated and profiled: that work needs the GIL, so
    #: requests doing it at once only take turns every few milliseconds, which costs each of
    #: them time (measured: about a third more CPU per request with 4 clients). Writing the raw
    #: log and committing run outside it, so one batch is stored while the next is profiled.
    ingest_gate: threading.Lock = field(default_factory=threading.Lock)
    #: Window rows and profiles kept between the evaluation passes of this process.
    window_cache: WindowCache = field(default_factory=WindowCache)
    #: The alerting part of the ``serve --config`` file (route, receivers, inhibition rules),
    #: checked at load; ``None`` when there is none: alerts are recorded, nothing is sent.
    alerting_config: AlertingConfig | None = None
    #: The ``incidents`` part of the file (``None``: the default policy).
    incidents_config: IncidentsConfig | None = None
    #: Where post-mortems are published (``integrations: confluence:``; ``None``: nowhere).
    confluence: ConfluenceSettings | None = None
    #: The ``actions`` part (action-item reminders, trackers; ``None``: the defaults).
    actions_config: ActionsConfig | None = None
    #: The MLflow poller's settings (``integrations.mlflow`` of the file; ``None``: no poller).
    mlflow_config: MlflowConfig | None = None

    def close(self) -> None:
        """Finish the raw-log writes under way and release the store's connections."""
        self.raw_log.close()
        self.engine.dispose()


def state(request: Request) -> AppState:
    """The app's state (FastAPI dependency)."""
    found: AppState = request.app.state.smokejumper
    return found


def session(request: Request) -> Iterator[Session]:
    """A store session per request (FastAPI dependency)."""
    with state(request).sessions() as s:
        yield s
