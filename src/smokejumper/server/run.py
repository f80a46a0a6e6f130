"""Running the service: one process, or several worker processes sharing one port.

Parsing and profiling a batch hold Python's GIL, so one process uses about one core for them;
``workers`` > 1 starts that many processes (uvicorn's supervisor) on the same socket and store.
The store is migrated and the monitors file applied once, by the parent, before any worker
starts. Every worker keeps its own connection pool and caches and checks the store on each
request, so what one worker writes the others see; a batch key sent to two workers at once is
stored once (the store's unique key decides, the other answers ``duplicate``). The background
evaluator runs in one worker only (see :class:`~smokejumper.server.evaluator.Evaluator`). A
worker whose parent has gone (``kill -9`` of the supervisor) shuts itself down.
"""

from __future__ import annotations

import os
import signal
import threading

from fastapi import FastAPI

from smokejumper.monitoring.monitors import MonitorConfig
from smokejumper.settings import Settings

#: How often a worker checks that its supervisor is still there, seconds.
PARENT_CHECK_SECONDS = 0.5
#: How long a worker without a parent may take to finish its requests before it is stopped.
GRACE_SECONDS = 30.0


def serve(
    settings: Settings,
    host: str,
    port: int,
    *,
    workers: int = 1,
    config: MonitorConfig | None = None,
) -> None:
    """Serve until interrupted, in one process or in ``workers`` worker processes."""
    import uvicorn

    from smokejumper.server.app import create_app

    if workers <= 1:
        uvicorn.run(create_app(settings, config=config), host=host, port=port, log_level="warning")
        return
    from smokejumper.store.database import make_engine, session_factory, upgrade
    from smokejumper.store.monitoring import apply_config

    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        if config is not None:
            with session_factory(engine)() as session:
                apply_config(session, config)
    finally:
        engine.dispose()
    uvicorn.run(
        f"{__name__}:worker_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )


def worker_app() -> FastAPI:
    """The app of one worker process (the parent has migrated the store already)."""
    from smokejumper.server.app import create_app

    _exit_with_parent()
    return create_app(Settings(), migrate=False)


def _exit_with_parent() -> None:
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            threading.Event().wait(PARENT_CHECK_SECONDS)
        os.kill(os.getpid(), signal.SIGTERM)  # a graceful stop: requests in flight finish
        threading.Event().wait(GRACE_SECONDS)
        os._exit(1)  # still here: stop anyway (every acknowledged batch is on disk already)

    threading.Thread(target=watch, name="smokejumper-parent-watch", daemon=True).start()
