"""The background thread that delivers the outbox: every ``settings.deliver_every`` seconds
(and at once again while a round was full) it sends the due notifications (see
:mod:`smokejumper.service.alerting.delivery`) and makes the Slack Web API calls of the
incidents' channels (:mod:`smokejumper.service.incidents.slack_tasks`).

Like the evaluator, one process of those sharing a home folder delivers: it holds an exclusive
lock on ``delivery.lock`` until it stops, and another takes over when its process ends, so
``serve --workers N`` never sends a message from two processes at once.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from smokejumper.delivery.http import new_client
from smokejumper.server.home_lock import HomeLock
from smokejumper.server.state import AppState
from smokejumper.service.alerting.delivery import deliver_due
from smokejumper.service.alerting.senders import sender
from smokejumper.service.incidents.slack_outbox import TASK as SLACK_TASK
from smokejumper.service.incidents.slack_tasks import slack_task

log = logging.getLogger(__name__)

LOCK_NAME = "delivery.lock"
#: Messages sent per round before their marks are committed.
ROUND = 100


class Deliverer:
    """Runs :func:`deliver_due` until stopped."""

    def __init__(self, app: AppState) -> None:
        self._app = app
        self._stop = threading.Event()
        self._lock = HomeLock(app.settings.home / LOCK_NAME)
        self._thread = threading.Thread(
            target=self._loop, name="smokejumper-deliverer", daemon=True
        )

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to finish (after the round under way) and wait for it."""
        self._stop.set()
        self._thread.join(timeout=60)
        self._lock.release()

    def _loop(self) -> None:
        settings = self._app.settings
        with new_client() as client:
            external = settings.external_url or settings.url
            send = sender(self._app.alerting_config, external, client)
            incidents = self._app.incidents_config
            slack = incidents.slack if incidents is not None else None
            tasks = {SLACK_TASK: slack_task(self._app.sessions, slack, client, external)}
            full = False
            while not self._stop.wait(0 if full else settings.deliver_every):
                full = False
                if not self._lock.acquire():
                    continue  # another process of this home delivers
                try:
                    done = deliver_due(
                        self._app.sessions, send, datetime.now(UTC), limit=ROUND, tasks=tasks
                    )
                    full = done.attempted == ROUND
                    if done.retried or done.dead:
                        log.warning(
                            "notifications: %d delivered, %d to retry, %d dead",
                            done.delivered,
                            done.retried,
                            done.dead,
                        )
                except Exception:  # one failed round must not stop delivery
                    log.exception("delivering notifications failed; retrying next interval")
