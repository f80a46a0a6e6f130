"""The background thread that evaluates monitors on windows as they close.

Each pass first creates the monitors of the monitors file that waited for a model registered
since (see :mod:`smokejumper.service.config`), and ends with an alerting pass that fires and
resolves alerts from the new observations and queues their notifications (see
:mod:`smokejumper.service.alerting.passes`); the pass also runs when no window closed, so the
notification timers (group wait, repeat, escalation) move on.

Several server processes may share one home folder (``smokejumper serve --workers N``, or
separate processes on one machine); only one of them evaluates at a time. Each evaluator takes
an exclusive lock on ``evaluator.lock`` in the home folder before its first pass and keeps it
until it stops; the others try again at every interval, so one takes over if the holder's
process ends. Where ``fcntl`` is missing (Windows) every evaluator runs.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from smokejumper.server.home_lock import HomeLock
from smokejumper.server.state import AppState
from smokejumper.service.alerting.passes import alert_pass
from smokejumper.service.evaluation.runner import run_once
from smokejumper.service.rca.runs import diagnose_opened

log = logging.getLogger(__name__)

LOCK_NAME = "evaluator.lock"


class Evaluator:
    """Runs :func:`run_once` every ``settings.evaluate_every`` seconds until stopped."""

    def __init__(self, app: AppState) -> None:
        self._app = app
        self._stop = threading.Event()
        self._lock = HomeLock(app.settings.home / LOCK_NAME)
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
        self._lock.release()

    def _loop(self) -> None:
        while not self._stop.wait(self._app.settings.evaluate_every):
            if not self._lock.acquire():
                continue  # another process of this home evaluates
            try:
                self._app.pending.apply(self._app.sessions)
                with self._app.sessions() as session:
                    summary = run_once(session, self._app.raw_log, cache=self._app.window_cache)
                if summary.windows:
                    log.info(
                        "evaluated %d windows, %d observations",
                        summary.windows,
                        summary.observations,
                    )
                alerted = alert_pass(
                    self._app.sessions,
                    self._app.alerting_config,
                    datetime.now(UTC),
                    incidents=self._app.incidents_config,
                    actions=self._app.actions_config,
                )
                if alerted.incidents_opened:  # failures are logged, never raised
                    diagnose_opened(
                        self._app.sessions,
                        self._app.raw_log,
                        alerted.incidents_opened,
                        datetime.now(UTC),
                    )
                if alerted.notifications:
                    log.info(
                        "%d alerts firing; %d notifications queued",
                        alerted.firing,
                        alerted.notifications,
                    )
            except Exception:  # one failed pass must not stop monitoring
                log.exception("monitor evaluation failed; retrying next interval")
