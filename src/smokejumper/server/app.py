"""The FastAPI application: ``create_app(settings)``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from smokejumper._version import __version__
from smokejumper.alerting import AlertingConfig
from smokejumper.incidents import IncidentsConfig
from smokejumper.monitoring.monitors import MonitorConfig
from smokejumper.postmortems.action_config import ActionsConfig
from smokejumper.postmortems.confluence import ConfluenceSettings
from smokejumper.server.auth import require
from smokejumper.server.body import BodyLimit
from smokejumper.server.deliverer import Deliverer
from smokejumper.server.evaluator import Evaluator
from smokejumper.server.metrics import registry_for
from smokejumper.server.mlflow_poller import MlflowPoller
from smokejumper.server.openapi import refusals
from smokejumper.server.refusals import install
from smokejumper.server.routes import actions as action_routes
from smokejumper.server.routes import alerting as alerting_routes
from smokejumper.server.routes import changes, ingest, lineage, models, monitors, slices, windows
from smokejumper.server.routes import diagnosis as diagnosis_routes
from smokejumper.server.routes import incidents as incident_routes
from smokejumper.server.routes import postmortems as postmortem_routes
from smokejumper.server.routes import slack as slack_routes
from smokejumper.server.state import AppState
from smokejumper.service.config import PendingMonitors, apply_file
from smokejumper.service.pollers.mlflow_config import MlflowConfig
from smokejumper.service.pollers.mlflow_poll import poll_status
from smokejumper.service.setup import open_store
from smokejumper.settings import Settings
from smokejumper.store.rawlog import RawLog


def create_app(
    settings: Settings,
    *,
    migrate: bool = True,
    config: MonitorConfig | None = None,
    pending: PendingMonitors | None = None,
    alerting: AlertingConfig | None = None,
    incidents: IncidentsConfig | None = None,
    confluence: ConfluenceSettings | None = None,
    actions: ActionsConfig | None = None,
    mlflow: MlflowConfig | None = None,
) -> FastAPI:
    """The API over the store that ``settings`` name; migrates it first unless told not to.

        ``config`` (a monitors file) is applied to the store before serving; its monitors of models
        not registered yet wait in ``pending`` (see :mod:`smokejumper.service.config`), as do those
        handed over in ``pending``. ``alerting`` (the file's alerting part, checked) is kept as
        ``AppState.alerting_config`` and routes the alerts to receivers; ``incidents`` says which
    alerts open incidents (default: page alerts), ``actions`` where action-item reminders go and
    the trackers items are filed in, ``confluence`` where post-mortems are published. With
        ``settings.evaluate_every`` > 0 a background thread evaluates due windows that often, and
        with ``settings.deliver_every`` > 0 another delivers the outbox. Request bodies over
        ``settings.max_body_bytes`` get 413. With ``mlflow`` (``integrations.mlflow`` of the
        file) a third thread polls MLflow's registry into the change log, and ``/healthz``
        and ``/metrics`` report how its polls go.
    """
    engine, sessions = open_store(settings.database_url, migrate=migrate)
    if config is not None:
        pending = apply_file(sessions, config)
    shared = AppState(
        settings=settings,
        engine=engine,
        sessions=sessions,
        raw_log=RawLog(settings.home / "raw"),
        pending=pending or PendingMonitors(),
        alerting_config=alerting,
        incidents_config=incidents,
        confluence=confluence,
        actions_config=actions,
        mlflow_config=mlflow,
    )
    worker = Evaluator(shared) if settings.evaluate_every > 0 else None
    deliverer = Deliverer(shared) if settings.deliver_every > 0 else None
    poller = MlflowPoller(shared, mlflow) if mlflow is not None else None

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        for background in (worker, deliverer, poller):
            if background is not None:
                background.start()
        yield
        for background in (worker, deliverer, poller):
            if background is not None:
                background.stop()
        shared.close()

    app = FastAPI(
        title="Smokejumper",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,  # no unauthenticated pages: the schema is at /openapi.json, with a token
        redoc_url=None,
        openapi_url=None,
        # no 307 to the same path without its trailing '/': its Location would echo the
        # request's Host header; such a path gets a 404 saying which path to ask for
        redirect_slashes=False,
    )
    app.state.smokejumper = shared
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)

    install(app)  # how errors are answered (see smokejumper.server.refusals)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, Any]:
        """Liveness and store reachability; needs no token. ``details`` reports the background
        integrations (``mlflow``: how the registry's polls go; an unreachable MLflow shows
        there, and the server stays up: ``status`` stays ``ok``)."""
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        answer: dict[str, Any] = {"status": "ok", "version": __version__}
        if mlflow is not None:
            answer["details"] = {"mlflow": poll_status(shared.sessions, mlflow, datetime.now(UTC))}
        return answer

    registry = registry_for(shared.sessions, mlflow)

    @app.get("/metrics", tags=["health"], response_class=PlainTextResponse, responses=refusals())
    def metrics(_: Annotated[str, Depends(require("read"))]) -> PlainTextResponse:
        """Prometheus exposition (needs a read token: set it as the scrape's bearer token)."""
        return PlainTextResponse(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/openapi.json", tags=["health"], include_in_schema=False)
    def openapi(_: Annotated[str, Depends(require("read"))]) -> dict[str, Any]:
        """The OpenAPI schema of this API (needs a read token)."""
        return app.openapi()

    routers = (models, ingest, windows, monitors, slices, alerting_routes, changes, lineage)
    extra = (incident_routes, diagnosis_routes, postmortem_routes, slack_routes, action_routes)
    for module in (*routers, *extra):
        app.include_router(module.router)
    return app
