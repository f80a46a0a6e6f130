"""PagerDuty Events API v2 events: one per alert of the notification.

``event_action`` is ``trigger`` for a firing alert, ``acknowledge`` for a firing alert someone
acknowledged, ``resolve`` for a resolved one; ``dedup_key`` is the alert's fingerprint, so
PagerDuty folds repeats and a resend after a crash into the same incident. Only a trigger
carries a ``payload``: ``summary`` (at most 1024 characters), ``source``, ``severity``,
``timestamp``, ``component``, ``group``, ``class`` and ``custom_details`` (labels,
annotations and the ML facts: drifted columns with effect sizes, null share, window).

Severity: the alert's ``severity`` label mapped by :data:`SEVERITIES` (``page`` → ``critical``,
``ticket`` → ``error``; ``warning`` and ``info`` as they are; anything else ``warning``); an
item's ``severity`` setting overrides it. Settings read: ``routing_key`` (required; resolved
by the delivery side), ``severity``, ``source`` (default: the alert's model, else
``smokejumper``), ``component``, ``group``, ``class``, ``client`` (default ``Smokejumper``).

>>> from datetime import UTC, datetime
>>> t = datetime(2026, 11, 1, 9, tzinfo=UTC)
>>> a = Alert({"model": "churn", "severity": "page"}, {"summary": "churn drifts"}, t)
>>> n = Notification("on-call", "g", {}, (a, a.acknowledge("ana", t)), (a.resolve(t),), "new", t)
>>> events = pagerduty_events(n, {"routing_key": "k" * 32}, "https://sj.example")
>>> [e["event_action"] for e in events], {e["dedup_key"] for e in events} == {a.fingerprint}
(['trigger', 'acknowledge', 'resolve'], True)
>>> events[0]["payload"]["severity"], events[0]["payload"]["source"]
('critical', 'churn')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from smokejumper.alerting.alert import Alert
from smokejumper.alerting.notifications import Notification
from smokejumper.alerting.payloads.common import links, rfc3339, shorten, summary, wanted

#: The alert's ``severity`` label to PagerDuty's; anything else becomes ``warning``.
SEVERITIES = {"page": "critical", "ticket": "error", "warning": "warning", "info": "info"}
#: PagerDuty's own severities, which an item's ``severity`` setting may name.
PD_SEVERITIES = ("critical", "error", "warning", "info")
SUMMARY_LIMIT = 1024


def severity(alert: Alert, settings: Mapping[str, Any]) -> str:
    """The PagerDuty severity of ``alert``.

    >>> from datetime import UTC, datetime
    >>> t = datetime(2026, 11, 1, tzinfo=UTC)
    >>> [severity(Alert({"severity": s}, {}, t), {}) for s in ("ticket", "info", "urgent")]
    ['error', 'info', 'warning']
    """
    given = settings.get("severity")
    if isinstance(given, str) and given in PD_SEVERITIES:
        return given
    return SEVERITIES.get(alert.labels.get("severity", ""), "warning")


def event_action(alert: Alert) -> str:
    """``trigger``, ``acknowledge`` or ``resolve`` for the alert as it is now."""
    if not alert.firing:
        return "resolve"
    return "acknowledge" if alert.acknowledged else "trigger"


def pagerduty_events(
    notification: Notification, settings: Mapping[str, Any], external_url: str
) -> list[dict[str, Any]]:
    """The events for one notification, firing alerts first."""
    return [
        _event(alert, notification, settings, external_url)
        for alert in wanted(notification, settings)
    ]


def _event(
    alert: Alert, notification: Notification, settings: Mapping[str, Any], external_url: str
) -> dict[str, Any]:
    action = event_action(alert)
    event: dict[str, Any] = {
        "routing_key": str(settings.get("routing_key", "")),
        "event_action": action,
        "dedup_key": alert.fingerprint,
    }
    if action != "trigger":
        return event
    labels = alert.labels
    payload: dict[str, Any] = {
        "summary": shorten(summary(alert), SUMMARY_LIMIT),
        "source": str(settings.get("source") or labels.get("model") or "smokejumper"),
        "severity": severity(alert, settings),
        "timestamp": rfc3339(alert.starts_at),
        "custom_details": _details(alert, notification),
    }
    for key, default in (
        ("component", labels.get("monitor") or labels.get("slo")),
        ("group", labels.get("team")),
        ("class", labels.get("type")),
    ):
        value = settings.get(key) or default
        if value:
            payload[key] = str(value)
    event["payload"] = payload
    event["client"] = str(settings.get("client") or "Smokejumper")
    if external_url:
        event["client_url"] = external_url.rstrip("/")
    found = links(alert, external_url)
    if found:
        event["links"] = [{"href": link.href, "text": link.text} for link in found]
    return event


def _details(alert: Alert, notification: Notification) -> dict[str, Any]:
    details: dict[str, Any] = {
        "labels": dict(alert.labels),
        "annotations": {k: v for k, v in alert.annotations.items() if k != "summary"},
        "fingerprint": alert.fingerprint,
        "firing_in_group": len(notification.firing),
        "reason": notification.reason,
    }
    for key in (
        "drifted_columns",
        "null_share",
        "window_start",
        "window_end",
        "since",
        "value",
        "budget_remaining",
        "slo",
    ):
        if key in alert.context:
            details[key] = alert.context[key]
    return details
