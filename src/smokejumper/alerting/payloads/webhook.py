"""Alertmanager's webhook JSON, version 4: what a generic webhook receiver gets, so anything
written for Alertmanager's webhooks reads it unchanged.

Top level: ``version`` (``"4"``), ``groupKey``, ``truncatedAlerts``, ``status``, ``receiver``,
``groupLabels``, ``commonLabels``, ``commonAnnotations``, ``externalURL`` and ``alerts``, each
with ``status``, ``labels``, ``annotations``, ``startsAt``, ``endsAt`` (``0001-01-01T00:00:00Z``
while firing, as Alertmanager writes Go's zero time), ``generatorURL`` and ``fingerprint``.
Settings read: ``max_alerts`` (as Alertmanager's: at most that many alerts, the rest counted in
``truncatedAlerts``; 0 or absent for all), ``send_resolved``.

>>> from datetime import UTC, datetime
>>> t = datetime(2026, 11, 1, 9, tzinfo=UTC)
>>> a = Alert({"model": "churn", "severity": "warning"}, {"summary": "churn drifts"}, t)
>>> n = Notification("team", "g1", {"model": "churn"}, (a,), (), "new", t)
>>> body = webhook_payload(n, {}, "https://sj.example")
>>> body["version"], body["status"], body["alerts"][0]["endsAt"], body["commonLabels"]
('4', 'firing', '0001-01-01T00:00:00Z', {'model': 'churn', 'severity': 'warning'})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from smokejumper.alerting.alert import Alert
from smokejumper.alerting.notifications import Notification
from smokejumper.alerting.payloads.common import (
    ZERO_TIME,
    common_labels,
    generator_url,
    rfc3339,
    wanted,
)
from smokejumper.alerting.payloads.messages import webhook_message


def webhook_payload(
    notification: Notification, settings: Mapping[str, Any], external_url: str
) -> dict[str, Any]:
    """The version-4 document for one notification (see the module docstring); a status
    update or a reminder has no alerts and its words (:func:`~.messages.webhook_message`)."""
    if notification.message is not None:
        return webhook_message(notification, external_url)
    alerts = wanted(notification, settings)
    limit = settings.get("max_alerts") or 0
    shown = alerts[:limit] if isinstance(limit, int) and limit > 0 else alerts
    return {
        "version": "4",
        "groupKey": notification.group_key,
        "truncatedAlerts": len(alerts) - len(shown),
        "status": "firing" if any(a.firing for a in alerts) else "resolved",
        "receiver": notification.receiver,
        "groupLabels": dict(notification.group_labels),
        "commonLabels": common_labels([a.labels for a in alerts]),
        "commonAnnotations": common_labels([a.annotations for a in alerts]),
        "externalURL": external_url.rstrip("/"),
        "alerts": [webhook_alert(a, external_url) for a in shown],
    }


def webhook_alert(alert: Alert, external_url: str) -> dict[str, Any]:
    """One alert as the webhook document lists it."""
    return {
        "status": alert.state,
        "labels": dict(alert.labels),
        "annotations": dict(alert.annotations),
        "startsAt": rfc3339(alert.starts_at),
        "endsAt": rfc3339(alert.ends_at) if alert.ends_at is not None else ZERO_TIME,
        "generatorURL": generator_url(alert, external_url),
        "fingerprint": alert.fingerprint,
    }
