"""Response metrics read from the store: the incidents detected in a recent period, their
times to detect, acknowledge, mitigate and resolve aggregated by
:func:`smokejumper.incidents.aggregate`, in seconds (for the API and ``/metrics``).

>>> from datetime import timedelta
>>> from smokejumper.incidents import Stat
>>> stat_seconds(Stat(3, timedelta(minutes=5), timedelta(minutes=9)))
{'count': 3, 'median_seconds': 300.0, 'p90_seconds': 540.0}
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy.orm import Session, sessionmaker

from smokejumper.errors import IncidentError
from smokejumper.incidents import Stat, aggregate
from smokejumper.incidents.metrics import By
from smokejumper.store.incidents import find_incidents

#: The period aggregated when none is asked for (and the one ``/metrics`` shows).
DEFAULT_DAYS = 30
#: What the metrics may be grouped by.
GROUPINGS = ("model", "label", "day", "week", "month")
#: The metrics shown, in this order.
SHOWN = ("time_to_detect", "time_to_acknowledge", "time_to_mitigate", "time_to_resolve")


def stat_seconds(stat: Stat) -> dict[str, Any]:
    """``stat`` as JSON data: the count, the median and the 90th percentile in seconds
    (``None`` when no incident had the metric)."""
    return {
        "count": stat.count,
        "median_seconds": _seconds(stat.median),
        "p90_seconds": _seconds(stat.p90),
    }


def _seconds(value: timedelta | None) -> float | None:
    return value.total_seconds() if value is not None else None


def recent_aggregates(
    session: Session, by: str, now: datetime, days: int = DEFAULT_DAYS
) -> dict[str, dict[str, Stat]]:
    """For each group ``by`` (model, label or period) of the incidents detected in the last
    ``days`` before ``now``, each metric of :data:`SHOWN` as a :class:`Stat`."""
    if by not in GROUPINGS:
        raise IncidentError(
            f"cannot group response metrics by {by!r}; use one of {', '.join(GROUPINGS)}"
        )
    if days < 1:
        raise IncidentError(f"days must be at least 1, got {days}")
    found = find_incidents(session, detected_since=now - timedelta(days=days))
    grouped = aggregate(found, cast(By, by))
    return {group: {m: stats[m] for m in SHOWN} for group, stats in grouped.items()}


def response_metrics(
    sessions: sessionmaker[Session], by: str, now: datetime, days: int = DEFAULT_DAYS
) -> dict[str, Any]:
    """The API's answer: the period, the grouping and each group's metrics in seconds."""
    with sessions() as session:
        grouped = recent_aggregates(session, by, now, days)
    return {
        "by": by,
        "since": (now - timedelta(days=days)).isoformat(),
        "until": now.isoformat(),
        "groups": {
            group: {metric: stat_seconds(stat) for metric, stat in stats.items()}
            for group, stats in grouped.items()
        },
    }
