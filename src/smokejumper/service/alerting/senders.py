"""The sender the delivery worker uses: an outbox message's receiver and integration looked up
in the configuration now, then sent with :func:`smokejumper.delivery.registry.send`."""

from __future__ import annotations

import httpx

from smokejumper.alerting import AlertingConfig, Notification
from smokejumper.delivery.outcome import Outcome
from smokejumper.delivery.registry import send as send_through
from smokejumper.service.alerting.delivery import Send


def sender(config: AlertingConfig | None, external_url: str, client: httpx.Client) -> Send:
    """Send through ``config``'s receivers, with ``client``; links use ``external_url``."""

    def send(receiver: str, kind: str, index: int, notification: Notification) -> Outcome:
        found = config.receivers.get(receiver) if config is not None else None
        if found is None:
            return Outcome.dead(
                f"receiver {receiver!r} is no longer in the configuration file; the message "
                "was written before it was removed"
            )
        items = found.integrations.get(kind, ())
        if index >= len(items):
            return Outcome.dead(
                f"{receiver}.{kind}[{index}] is no longer in the configuration file; the "
                "message was written before it was removed"
            )
        return send_through(
            kind,
            items[index],
            notification,
            external_url,
            client=client,
            global_settings=config.global_settings if config is not None else None,
        )

    return send
