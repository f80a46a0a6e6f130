"""Alertmanager API v2 postable alerts: what ``POST {url}/api/v2/alerts`` takes, for teams that
route through their own Alertmanager.

Each alert is ``{labels, annotations, startsAt, endsAt, generatorURL}``. A resolved alert's
``endsAt`` is when it resolved, which resolves it there too. A firing alert has no ``endsAt``
unless the item sets ``ends_after`` (a duration such as ``5h``): then it ends that long after
the notification unless sent again. Without it the receiving Alertmanager applies its
``resolve_timeout`` (5m by default) and resolves the alert if no newer push comes: set
``ends_after`` longer than the route's ``repeat_interval``. Settings read: ``ends_after``,
``send_resolved``.

>>> from datetime import UTC, datetime
>>> from smokejumper.alerting.alert import Alert
>>> t = datetime(2026, 11, 1, 9, tzinfo=UTC)
>>> a = Alert({"model": "churn"}, {"summary": "churn drifts"}, t)
>>> n = Notification("team", "g", {}, (a,), (), "new", t)
>>> postable_alerts(n, {"ends_after": "5h"}, "https://sj.example")[0]["endsAt"]
'2026-11-01T14:00:00Z'
>>> "endsAt" in postable_alerts(n, {}, "https://sj.example")[0]
False
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from smokejumper.alerting.durations import parse_duration
from smokejumper.alerting.notifications import Notification
from smokejumper.alerting.payloads.common import generator_url, rfc3339, wanted


def postable_alerts(
    notification: Notification, settings: Mapping[str, Any], external_url: str
) -> list[dict[str, Any]]:
    """The alerts to post for one notification (see the module docstring)."""
    ends_after = settings.get("ends_after")
    lasting = parse_duration(str(ends_after), "ends_after") if ends_after else None
    out = []
    for alert in wanted(notification, settings):
        item: dict[str, Any] = {
            "labels": dict(alert.labels),
            "annotations": dict(alert.annotations),
            "startsAt": rfc3339(alert.starts_at),
        }
        end = alert.ends_at if alert.ends_at is not None else _planned_end(notification, lasting)
        if end is not None:
            item["endsAt"] = rfc3339(end)
        url = generator_url(alert, external_url)
        if url:
            item["generatorURL"] = url
        out.append(item)
    return out


def _planned_end(notification: Notification, lasting: timedelta | None) -> datetime | None:
    return notification.at + lasting if lasting is not None else None
