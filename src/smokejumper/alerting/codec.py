"""Alerts and notifications as JSON-ready data, and back: what the store keeps and what the
outbox carries to the delivery side. Times are ISO 8601 strings; reading gives back equal
objects.

>>> from datetime import UTC, datetime
>>> t = datetime(2026, 11, 1, 9, tzinfo=UTC)
>>> a = Alert({"model": "churn"}, {"summary": "churn drifts"}, t, links=(Link("u", "Model"),))
>>> alert_from_dict(alert_to_dict(a)) == a
True
>>> n = Notification("team", "g", {"model": "churn"}, (a,), (), "new", t)
>>> notification_from_dict(notification_to_dict(n)) == n
True
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from smokejumper.alerting.alert import Alert, EscalationRecord, Link
from smokejumper.alerting.notifications import Message, Notification, Reason


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def alert_to_dict(alert: Alert) -> dict[str, Any]:
    """``alert`` as JSON-ready data, with its fingerprint and state (ignored on reading)."""
    return {
        "fingerprint": alert.fingerprint,
        "state": alert.state,
        "labels": dict(alert.labels),
        "annotations": dict(alert.annotations),
        "starts_at": alert.starts_at.isoformat(),
        "ends_at": _time(alert.ends_at),
        "links": [{"href": link.href, "text": link.text} for link in alert.links],
        "context": dict(alert.context),
        "acknowledged_by": alert.acknowledged_by,
        "acknowledged_at": _time(alert.acknowledged_at),
        "escalations": [
            {"receiver": e.receiver, "level": e.level, "at": e.at.isoformat()}
            for e in alert.escalations
        ],
    }


def alert_from_dict(data: Mapping[str, Any]) -> Alert:
    """The alert :func:`alert_to_dict` wrote."""
    starts = _parse(data["starts_at"])
    assert starts is not None  # an alert always has a start
    return Alert(
        labels=data["labels"],
        annotations=data.get("annotations", {}),
        starts_at=starts,
        ends_at=_parse(data.get("ends_at")),
        links=tuple(Link(link["href"], link["text"]) for link in data.get("links", [])),
        context=data.get("context", {}),
        acknowledged_by=data.get("acknowledged_by"),
        acknowledged_at=_parse(data.get("acknowledged_at")),
        escalations=tuple(
            EscalationRecord(e["receiver"], int(e["level"]), datetime.fromisoformat(e["at"]))
            for e in data.get("escalations", [])
        ),
    )


def notification_to_dict(notification: Notification) -> dict[str, Any]:
    """``notification`` as JSON-ready data, its alerts included."""
    return {
        "receiver": notification.receiver,
        "group_key": notification.group_key,
        "group_labels": dict(notification.group_labels),
        "firing": [alert_to_dict(a) for a in notification.firing],
        "resolved": [alert_to_dict(a) for a in notification.resolved],
        "reason": notification.reason,
        "at": notification.at.isoformat(),
        "level": notification.level,
        "status": notification.status,
        **({"message": notification.message.to_dict()} if notification.message else {}),
    }


def notification_from_dict(data: Mapping[str, Any]) -> Notification:
    """The notification :func:`notification_to_dict` wrote."""
    return Notification(
        receiver=data["receiver"],
        group_key=data["group_key"],
        group_labels=data.get("group_labels", {}),
        firing=tuple(alert_from_dict(a) for a in data.get("firing", [])),
        resolved=tuple(alert_from_dict(a) for a in data.get("resolved", [])),
        reason=cast(Reason, data["reason"]),
        at=datetime.fromisoformat(data["at"]),
        level=int(data.get("level", 0)),
        message=Message.from_dict(data["message"]) if data.get("message") else None,
    )
