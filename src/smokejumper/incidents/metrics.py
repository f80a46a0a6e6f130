"""Response metrics: how fast incidents were detected, acknowledged, mitigated and resolved.

Per incident (:func:`response_times`):

* **time to detect**: detection minus onset (the first unhealthy window of a monitor
  involved); unknown without an onset;
* **time to acknowledge**, **to mitigate**, **to resolve**: from detection to the first
  acknowledgement, mitigation and resolution (the response's own pace);
* **impact**: from onset (or detection) to mitigation (or resolution): how long users felt it.

Aggregated (:func:`aggregate`) by period (``day``, ``week``, ``month`` of detection, UTC),
model or taxonomy label, each metric as its count, median and 90th percentile (linear
interpolation between closest ranks, as ``numpy.percentile`` by default). An incident with
two models or labels counts under each; incidents merged into another are left out (their
primary counts). Durations are ``timedelta``; ``/metrics`` wants ``total_seconds()``.

>>> from datetime import UTC, datetime, timedelta
>>> from smokejumper.incidents.incident import Incident
>>> t = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
>>> inc = Incident("INC-1", "drift", "SEV2", t, onset_at=t - timedelta(minutes=40),
...                acknowledged_at=t + timedelta(minutes=5), models=["churn"])
>>> times = response_times(inc)
>>> times.time_to_detect, times.time_to_acknowledge, times.time_to_resolve
(datetime.timedelta(seconds=2400), datetime.timedelta(seconds=300), None)
>>> aggregate([inc], by="model")["churn"]["time_to_acknowledge"]
Stat(count=1, median=datetime.timedelta(seconds=300), p90=datetime.timedelta(seconds=300))
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from smokejumper.errors import IncidentError
from smokejumper.incidents.incident import Incident

By = Literal["day", "week", "month", "model", "label"]
METRICS = ("time_to_detect", "time_to_acknowledge", "time_to_mitigate", "time_to_resolve", "impact")


@dataclass(frozen=True)
class ResponseTimes:
    """One incident's response metrics (``None`` where a time is not known yet)."""

    incident_id: str
    time_to_detect: timedelta | None
    time_to_acknowledge: timedelta | None
    time_to_mitigate: timedelta | None
    time_to_resolve: timedelta | None
    impact: timedelta | None


def _since(end: datetime | None, start: datetime | None) -> timedelta | None:
    return end - start if end is not None and start is not None else None


def response_times(incident: Incident) -> ResponseTimes:
    """The metrics of ``incident`` (see the module docstring)."""
    detected = incident.detected_at
    end = incident.mitigated_at or incident.resolved_at
    return ResponseTimes(
        incident.id,
        _since(detected, incident.onset_at),
        _since(incident.acknowledged_at, detected),
        _since(incident.mitigated_at, detected),
        _since(incident.resolved_at, detected),
        _since(end, incident.onset_at or detected),
    )


@dataclass(frozen=True)
class Stat:
    """How many incidents had the metric, its median and 90th percentile."""

    count: int
    median: timedelta | None
    p90: timedelta | None


def percentile(values: Iterable[timedelta], q: float) -> timedelta | None:
    """The ``q``-th percentile (0-100) of ``values``, interpolating between ranks.

    >>> percentile([timedelta(minutes=m) for m in (1, 2, 3, 10)], 90)
    datetime.timedelta(seconds=474)
    """
    ordered = sorted(values)
    if not ordered:
        return None
    if not 0 <= q <= 100:
        raise IncidentError(f"a percentile is between 0 and 100, got {q}")
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarize(times: Iterable[ResponseTimes]) -> dict[str, Stat]:
    """Each metric's :class:`Stat` over ``times``."""
    rows = list(times)
    out = {}
    for metric in METRICS:
        values = [v for r in rows if (v := getattr(r, metric)) is not None]
        out[metric] = Stat(len(values), percentile(values, 50), percentile(values, 90))
    return out


def _period(at: datetime, by: str) -> str:
    if by == "day":
        return f"{at:%Y-%m-%d}"
    if by == "month":
        return f"{at:%Y-%m}"
    year, week, _ = at.isocalendar()
    return f"{year}-W{week:02d}"


def _keys(incident: Incident, by: By) -> tuple[str, ...]:
    if by in ("day", "week", "month"):
        return (_period(incident.detected_at.astimezone(UTC), by),)
    if by == "model":
        return incident.models or ("(no model)",)
    if by == "label":
        return incident.labels or ("(unlabelled)",)
    raise IncidentError(f"cannot aggregate by {by!r}; use day, week, month, model or label")


def aggregate(incidents: Iterable[Incident], by: By) -> dict[str, dict[str, Stat]]:
    """The metrics of ``incidents`` grouped ``by`` period, model or label: for each group
    (sorted), each metric's :class:`Stat`."""
    groups: dict[str, list[ResponseTimes]] = {}
    for incident in incidents:
        if incident.merged_into is not None:
            continue
        times = response_times(incident)
        for key in _keys(incident, by):
            groups.setdefault(key, []).append(times)
    return {key: summarize(groups[key]) for key in sorted(groups)}
