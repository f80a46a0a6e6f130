"""Generic webhooks: Alertmanager's webhook JSON, version 4
(:mod:`smokejumper.alerting.payloads.webhook`), POSTed to ``url`` and signed.

**Signature.** With a ``secret``, the request carries
``X-Smokejumper-Signature: sha256=<hex>``, the HMAC-SHA256 of the exact body bytes keyed with
the secret (UTF-8). A receiver recomputes it over the raw body it read (before any JSON
parsing) and compares in constant time, e.g. ``hmac.compare_digest``. Every request also
carries ``Idempotency-Key``, the same on each resend of a notification.

Settings: ``url`` (required, secret; or ``url_file``, or ``${ENV}``), ``secret`` (secret),
``bearer_token`` (secret; sent as ``Authorization: Bearer``), ``max_alerts``, ``timeout``,
``send_resolved``.

>>> signature(b'{"version":"4"}', "s3cret")
'sha256=afa6c091d9d41c83d3deb28420d4e0e40b2c2d4c81a8a9f4364255fe6a69f15a'
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from smokejumper.alerting.notifications import Notification
from smokejumper.alerting.payloads.webhook import webhook_payload
from smokejumper.delivery.base import Item, Request, deliver, idempotency_key, json_bytes
from smokejumper.delivery.outcome import Outcome

SIGNATURE_HEADER = "X-Smokejumper-Signature"


def signature(body: bytes, secret: str) -> str:
    """The signature header's value for ``body``: ``sha256=`` and the HMAC's hex digest."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def auth_headers(settings: dict[str, Any]) -> dict[str, str]:
    """``Authorization: Bearer`` when the item has a ``bearer_token``."""
    token = settings.get("bearer_token")
    return {"Authorization": f"Bearer {token}"} if token else {}


@dataclass(frozen=True)
class WebhookIntegration:
    """One ``webhook_configs`` item."""

    item: Item

    @property
    def kind(self) -> str:
        """``webhook_configs``."""
        return self.item.kind

    def send(self, notification: Notification) -> Outcome:
        """POST the version-4 document, signed when the item has a secret."""

        def prepare(settings: dict[str, Any]) -> list[Request]:
            url = str(settings["url"]).strip()
            body = json_bytes(webhook_payload(notification, settings, self.item.external_url))
            headers = {
                "Content-Type": "application/json",
                "Idempotency-Key": idempotency_key(notification),
                **auth_headers(settings),
            }
            if settings.get("secret"):
                headers[SIGNATURE_HEADER] = signature(body, str(settings["secret"]))
            return [Request(url, body, headers)]

        return deliver(self.item, notification, prepare)
