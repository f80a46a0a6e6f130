"""Running the service: one process, or several worker processes sharing one port.

Parsing and profiling a batch hold Python's GIL, so one process uses about one core for them;
``workers`` > 1 starts that many processes (uvicorn's supervisor) on the same socket and store.
The store is migrated and the monitors file applied once, by the parent, before any worker
starts; its alerting part is handed to every worker (see
:mod:`~smokejumper.server.alerting_handover`), and so are its monitors of models not registered
yet, which each worker creates once the model is registered (see
:mod:`~smokejumper.service.config`). Every worker keeps its
own connection pool and caches and checks the store on each request, so what one worker writes
the others see; a batch key sent to two workers at once is stored once (the store's unique key
decides, the other answers ``duplicate``). The background evaluator runs in one worker only (see
:class:`~smokejumper.server.evaluator.Evaluator`). A worker whose parent has gone (``kill -9`` of
the supervisor) shuts itself down.

Each serving process also keeps glibc's allocator from hoarding freed memory (see
:func:`_tame_malloc`), so that its resident memory stays flat over long runs.
"""

from __future__ import annotations

import ctypes
import os
import signal
import threading

from fastapi import FastAPI

from smokejumper.service.config_file import ConfigFile
from smokejumper.settings import Settings

#: How often a worker checks that its supervisor is still there, seconds.
PARENT_CHECK_SECONDS = 0.5
#: How long a worker without a parent may take to finish its requests before it is stopped.
GRACE_SECONDS = 30.0
#: glibc ``mallopt`` parameter: the most malloc arenas (default 8 per core).
_M_ARENA_MAX = -8
#: At most this many arenas, and free memory handed back to the system this often, seconds.
MALLOC_ARENAS = 2
TRIM_EVERY_SECONDS = 30.0


def serve(
    settings: Settings,
    host: str,
    port: int,
    *,
    workers: int = 1,
    config: ConfigFile | None = None,
) -> None:
    """Serve until interrupted, in one process or in ``workers`` worker processes.

    ``config`` is the checked ``--config`` file (see
    :func:`~smokejumper.service.config_file.load_config_file`)."""
    import uvicorn

    from smokejumper.server.app import create_app

    if workers <= 1:
        _tame_malloc()
        app = create_app(
            settings,
            config=config.monitors if config else None,
            alerting=config.alerting if config else None,
            incidents=config.incidents if config else None,
            actions=config.actions if config else None,
            mlflow=config.integrations.mlflow if config else None,
            confluence=config.integrations.confluence if config else None,
        )
        uvicorn.run(app, host=host, port=port, log_level="warning")
        return
    from smokejumper.server import alerting_handover
    from smokejumper.server.pending import to_environment
    from smokejumper.service.config import apply_file
    from smokejumper.service.setup import open_store

    engine, sessions = open_store(settings.database_url)
    try:
        if config is not None:
            to_environment(apply_file(sessions, config.monitors))
    finally:
        engine.dispose()
    alerting_handover.to_environment(
        config.alerting_data if config else {},
        config.incidents_data if config else None,
        config.actions_data if config else None,
        config.integrations_data if config else None,
    )
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
    from smokejumper.server import alerting_handover
    from smokejumper.server.app import create_app
    from smokejumper.server.pending import from_environment

    _exit_with_parent()
    _tame_malloc()
    integrations = alerting_handover.integrations_from_environment()
    return create_app(
        Settings(),
        migrate=False,
        pending=from_environment(),
        alerting=alerting_handover.from_environment(),
        incidents=alerting_handover.incidents_from_environment(),
        actions=alerting_handover.actions_from_environment(),
        mlflow=integrations.mlflow,
        confluence=integrations.confluence,
    )


def _tame_malloc() -> None:
    """Keep glibc's malloc from holding freed memory: few arenas, trimmed now and then.

    Request bodies and batches are megabytes each and handled on whichever thread the pool
    gives; glibc gives threads their own arenas (up to 8 per core) and keeps what they free for
    reuse, so resident memory creeps up in steps as more arenas fill. Two arenas and a periodic
    ``malloc_trim`` (which returns free pages inside the heap, not only at its top) keep it
    flat; the GIL means the threads seldom malloc at the same moment anyway. Elsewhere than
    glibc this does nothing.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt, trim = libc.mallopt, libc.malloc_trim
    except (OSError, AttributeError):
        return
    mallopt(_M_ARENA_MAX, MALLOC_ARENAS)

    def trim_now_and_then() -> None:
        while True:
            threading.Event().wait(TRIM_EVERY_SECONDS)
            trim(0)

    threading.Thread(target=trim_now_and_then, name="smokejumper-malloc-trim", daemon=True).start()


def _exit_with_parent() -> None:
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            threading.Event().wait(PARENT_CHECK_SECONDS)
        os.kill(os.getpid(), signal.SIGTERM)  # a graceful stop: requests in flight finish
        threading.Event().wait(GRACE_SECONDS)
        os._exit(1)  # still here: stop anyway (every acknowledged batch is on disk already)

    threading.Thread(target=watch, name="smokejumper-parent-watch", daemon=True).start()
