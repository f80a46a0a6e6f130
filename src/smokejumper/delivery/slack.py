"""Slack incoming webhooks: the Block Kit message of
:func:`~smokejumper.alerting.payloads.slack.slack_message`, POSTed to ``api_url``.

Settings: ``api_url`` (required, secret: the incoming webhook's URL; or ``api_url_file``, or
``${ENV}``), ``channel``, ``username``, ``icon_emoji``, ``icon_url``, ``title``, ``timeout``,
``send_resolved``. Slack answers 200 ``ok``; its errors are plain text (``invalid_blocks``,
``no_service``), kept in a dead outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from smokejumper.alerting.notifications import Notification
from smokejumper.alerting.payloads.slack import slack_message
from smokejumper.delivery.base import Item, Request, deliver, json_bytes
from smokejumper.delivery.outcome import Outcome


@dataclass(frozen=True)
class SlackIntegration:
    """One ``slack_configs`` item."""

    item: Item

    @property
    def kind(self) -> str:
        """``slack_configs``."""
        return self.item.kind

    def send(self, notification: Notification) -> Outcome:
        """POST the notification's message to the webhook."""

        def prepare(settings: dict[str, Any]) -> list[Request]:
            url = str(settings["api_url"]).strip()
            message = slack_message(notification, settings, self.item.external_url)
            return [Request(url, json_bytes(message), {"Content-Type": "application/json"})]

        return deliver(self.item, notification, prepare)
