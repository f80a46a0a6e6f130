"""Notifications into the outbox: one message per integration of the receiver, so each is
retried on its own (a Slack outage does not hold back the email).

A message's key is derived from the notification's key (group, receiver, instant) and the
integration, so writing the same notification twice (a retried pass, two processes) stores it
once. The payload carries the notification itself, never the receiver's settings: secrets stay
in the configuration and are read when the message is sent.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from smokejumper.alerting import AlertingConfig, Notification
from smokejumper.alerting.codec import notification_to_dict
from smokejumper.store import outbox


def message_key(notification: Notification, kind: str, index: int) -> str:
    """The outbox key of ``notification``'s message to integration ``kind[index]``: 32 hex
    digits of the SHA-256 of the notification's key, then the integration.

    >>> from datetime import UTC, datetime
    >>> n = Notification("team", "g", {}, (), (), "new", datetime(2026, 11, 1, tzinfo=UTC))
    >>> message_key(n, "slack_configs", 0)
    '90ce0f78d79e6a4319872b59d84c187e|slack_configs[0]'
    """
    digest = hashlib.sha256(notification.key.encode()).hexdigest()[:32]
    return f"{digest}|{kind}[{index}]"


def keyed(key: str, receiver: str, kind: str, index: int) -> str:
    """The outbox key of a message written under the caller's ``key`` (such as
    ``update-due:INC-7:<due>``) to integration ``kind[index]`` of ``receiver``; the receiver's
    part is a digest when the whole would pass the column's 255 characters.

    >>> keyed("update-due:INC-7:2026-11-01T04:30:00+00:00", "ml-team", "slack_configs", 0)
    'update-due:INC-7:2026-11-01T04:30:00+00:00|ml-team/slack_configs[0]'
    """
    whole = f"{key}|{receiver}/{kind}[{index}]"
    if len(whole) <= 255:
        return whole
    digest = hashlib.sha256(f"{receiver}/{kind}[{index}]".encode()).hexdigest()[:32]
    return f"{key[: 255 - len(digest) - 1]}|{digest}"


def enqueue_notification(
    session: Session,
    notification: Notification,
    config: AlertingConfig,
    now: datetime,
    kinds: frozenset[str] | None = None,
    key: str | None = None,
) -> int:
    """Write ``notification``'s messages (in the caller's unit of work), to every integration
    of its receiver or only those of ``kinds``; how many. With ``key``, each message's outbox
    key is :func:`keyed` from it (else :func:`message_key`)."""
    receiver = config.receivers.get(notification.receiver)
    if receiver is None:
        return 0
    written = 0
    for kind, items in sorted(receiver.integrations.items()):
        if kinds is not None and kind not in kinds:
            continue
        for index, settings in enumerate(items):
            if (
                notification.message is None
                and notification.status == "resolved"
                and not settings.get("send_resolved", True)
            ):
                continue
            payload: dict[str, Any] = {
                "receiver": notification.receiver,
                "kind": kind,
                "index": index,
                "notification": notification_to_dict(notification),
            }
            channel = f"{notification.receiver}/{kind}[{index}]"
            made = keyed(key, notification.receiver, kind, index) if key else None
            outbox.enqueue(
                session,
                channel,
                made or message_key(notification, kind, index),
                json.dumps(payload),
                now,
            )
            written += 1
    return written
