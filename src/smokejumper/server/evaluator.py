"""The background thread that evaluates monitors on windows as they close."""

from __future__ import annotations

import logging
import threading

from smokejumper.monitoring.runner import run_once
from smokejumper.server.state import AppState

log = logging.getLogger(__name__)


class Evaluator:
    """Runs :func:`run_once` every ``settings.evaluate_every`` seconds until stopped."""

    def __init__(self, app: AppState) -> None:
        self._app = app
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, name="smokejumper-evaluator", daemon=True
        )

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to finish and wait for it."""
        self._stop.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._stop.wait(self._app.settings.evaluate_every):
            try:
                with self._app.sessions() as session:
                    summary = run_once(session, self._app.raw_log)
                if summary.windows:
                    log.info(
                        "evaluated %d windows, %d observations",
                        summary.windows,
                        summary.observations,
                    )
            except Exception:  # one failed pass must not stop monitoring
                log.exception("monitor evaluation failed; retrying next interval")
