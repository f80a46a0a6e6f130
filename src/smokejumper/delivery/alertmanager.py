"""Pushing alerts into another Alertmanager: ``POST {url}/api/v2/alerts`` with the postable
alerts of :mod:`smokejumper.alerting.payloads.alertmanager`.

Settings: ``url`` (required: the Alertmanager's base URL, such as
``http://alertmanager:9093``; secret, as it may hold credentials; or ``url_file``, or
``${ENV}``), ``bearer_token`` (secret), ``ends_after`` (see the payload module: without it the
receiving Alertmanager resolves firing alerts after its ``resolve_timeout``), ``timeout``,
``send_resolved``. Alertmanager answers 200; 400 means invalid alerts (dead, with its answer).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from smokejumper.alerting.notifications import Notification
from smokejumper.alerting.payloads.alertmanager import postable_alerts
from smokejumper.delivery.base import Item, Request, deliver, idempotency_key, json_bytes
from smokejumper.delivery.outcome import Outcome
from smokejumper.delivery.webhook import auth_headers


def alerts_url(base: str) -> str:
    """The alerts endpoint under an Alertmanager's base URL.

    >>> alerts_url("http://am:9093/")
    'http://am:9093/api/v2/alerts'
    """
    return base.rstrip("/") + "/api/v2/alerts"


@dataclass(frozen=True)
class AlertmanagerIntegration:
    """One ``alertmanager_configs`` item."""

    item: Item

    @property
    def kind(self) -> str:
        """``alertmanager_configs``."""
        return self.item.kind

    def send(self, notification: Notification) -> Outcome:
        """POST the notification's alerts."""

        def prepare(settings: dict[str, Any]) -> list[Request]:
            base = str(settings["url"]).strip()
            alerts = postable_alerts(notification, settings, self.item.external_url)
            headers = {
                "Content-Type": "application/json",
                "Idempotency-Key": idempotency_key(notification),
                **auth_headers(settings),
            }
            return [Request(alerts_url(base), json_bytes(alerts), headers)]

        return deliver(self.item, notification, prepare)
