"""PagerDuty Events API v2: one event per alert (trigger, acknowledge or resolve, with the
alert's fingerprint as ``dedup_key``; see :mod:`smokejumper.alerting.payloads.pagerduty`),
each POSTed to the events URL.

Settings: ``routing_key`` (required, secret; or ``routing_key_file``, or ``${ENV}``), ``url``
(default :data:`EVENTS_URL`; tests point it to loopback), ``severity``, ``source``,
``component``, ``group``, ``class``, ``client``, ``timeout``, ``send_resolved``. PagerDuty
answers 202; 400 means the event is invalid (dead, with its answer); 429 and 5xx are retried.
Resending is safe: events with the same ``dedup_key`` fold into one incident.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from smokejumper.alerting.notifications import Notification
from smokejumper.alerting.payloads.pagerduty import pagerduty_events
from smokejumper.delivery.base import Item, Request, deliver, json_bytes
from smokejumper.delivery.outcome import Outcome

#: PagerDuty's Events API v2 endpoint.
EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"


@dataclass(frozen=True)
class PagerDutyIntegration:
    """One ``pagerduty_configs`` item."""

    item: Item

    @property
    def kind(self) -> str:
        """``pagerduty_configs``."""
        return self.item.kind

    def send(self, notification: Notification) -> Outcome:
        """POST one event per alert."""

        def prepare(settings: dict[str, Any]) -> list[Request]:
            url = str(settings.get("url") or EVENTS_URL)
            headers = {"Content-Type": "application/json"}
            events = pagerduty_events(notification, settings, self.item.external_url)
            return [Request(url, json_bytes(event), headers) for event in events]

        return deliver(self.item, notification, prepare)
