"""The background thread that polls MLflow's model registry: at start, then every
``poll_every`` (``integrations.mlflow`` of the ``serve --config`` file), it records new model
versions, stage and alias moves in the change log (see
:mod:`smokejumper.service.pollers.mlflow_poll`).

An MLflow that does not answer, or answers an error, never stops the server: the failure is
counted in the store (so ``/healthz`` and ``/metrics`` of every process report it) and the poll
is retried with exponential backoff and full jitter (:class:`smokejumper.delivery.backoff.
Backoff`: 1 s, 2 s, 4 s... up to ``retry_max``), then every ``poll_every`` again once it
answers.

Like the deliverer, one process of those sharing a home folder polls: it holds an exclusive
lock on ``mlflow.lock`` until it stops, and another takes over when its process ends.
"""

from __future__ import annotations

import logging
import random
import threading
from datetime import UTC, datetime

import httpx

from smokejumper.delivery.backoff import Backoff
from smokejumper.delivery.http import USER_AGENT
from smokejumper.errors import RegistryUnavailableError
from smokejumper.server.home_lock import HomeLock
from smokejumper.server.state import AppState
from smokejumper.service.pollers.mlflow_config import MlflowConfig
from smokejumper.service.pollers.mlflow_poll import poll_once, record_failure

log = logging.getLogger(__name__)

LOCK_NAME = "mlflow.lock"
#: The first retry's longest wait, and the shortest wait between two attempts, seconds.
RETRY_BASE = 1.0
MIN_WAIT = 0.5


class MlflowPoller:
    """Runs :func:`poll_once` every ``config.poll_every`` until stopped, backing off while
    MLflow fails."""

    def __init__(
        self, app: AppState, config: MlflowConfig, rng: random.Random | None = None
    ) -> None:
        self._app = app
        self._config = config
        self._rng = rng or random.Random()
        self._stop = threading.Event()
        self._lock = HomeLock(app.settings.home / LOCK_NAME)
        self._backoff = Backoff(
            base=RETRY_BASE,
            cap=max(RETRY_BASE, config.retry_max.total_seconds()),
            max_attempts=1 << 30,  # MLflow is never given up on
        )
        self._thread = threading.Thread(target=self._loop, name="smokejumper-mlflow", daemon=True)

    def start(self) -> None:
        """Start the thread (the first poll runs at once)."""
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to finish (after the poll under way) and wait for it."""
        self._stop.set()
        self._thread.join(timeout=self._config.timeout.total_seconds() * 2 + 5)
        self._lock.release()

    def _loop(self) -> None:
        every = self._config.poll_every.total_seconds()
        failures, wait = 0, 0.0
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        with httpx.Client(follow_redirects=False, headers=headers) as client:
            while not self._stop.wait(wait):
                if not self._lock.acquire():
                    wait = every
                    continue  # another process of this home polls
                try:
                    done = poll_once(self._app.sessions, self._config, client)
                except Exception as err:  # MLflow down, or the store: retry, never stop
                    failures += 1
                    wait = max(MIN_WAIT, self._backoff.delay(failures, self._rng))
                    self._failed(err, failures, wait)
                    continue
                if failures:
                    log.warning("MLflow at %s answers again", self._config.source)
                failures, wait = 0, every
                if done.baseline:
                    log.info(
                        "MLflow at %s: baseline of %d registered models, %d versions",
                        self._config.source,
                        done.models,
                        done.versions,
                    )
                for summary in done.recorded:
                    log.info("MLflow change recorded: %s", summary)

    def _failed(self, err: Exception, failures: int, wait: float) -> None:
        known = isinstance(err, RegistryUnavailableError)
        reason = str(err) if known else f"{type(err).__name__}: {err}"
        log.warning(
            "polling MLflow at %s failed (%d in a row): %s; retrying in %.1f s",
            self._config.source,
            failures,
            reason,
            wait,
        )
        try:
            record_failure(self._app.sessions, self._config, reason, datetime.now(UTC))
        except Exception:  # the store is down too: the log has it
            log.exception("could not record the failed MLflow poll in the store")
