"""Merging a duplicate incident into its primary.

Two incidents opened for one problem (an alert of another model, a hand declaration while the
alert's incident already ran) are merged: the primary takes the duplicate's alerts, models,
versions, segments and labels, the roles it lacks, the earlier detection, onset and
acknowledgement, and the worse severity. The duplicate keeps everything it had, is marked
``merged_into`` the primary and takes no more changes. Both timelines get a ``merged`` event;
the primary's timeline is the union of both (:func:`merged_timeline`; each event keeps its
``incident_id``, so nothing is copied or edited: the store reads the events of the primary and
of the incidents merged into it).

>>> from datetime import UTC, datetime, timedelta
>>> from smokejumper.incidents.incident import Incident
>>> t = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
>>> a = Incident("INC-1", "churn drifts", "SEV3", t, models=["churn"])
>>> b = Incident("INC-2", "upsell drifts", "SEV2", t - timedelta(minutes=5), models=["upsell"])
>>> result = merge(a, b, t + timedelta(hours=1), actor="ana")
>>> result.primary.models, result.primary.severity.value, result.duplicate.merged_into
(('churn', 'upsell'), 'SEV2', 'INC-1')
>>> [e.kind.value for e in result.primary_events], [e.kind.value for e in result.duplicate_events]
(['merged', 'severity_changed'], ['merged'])
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from smokejumper.errors import IncidentError
from smokejumper.incidents.checks import aware, name
from smokejumper.incidents.incident import Incident
from smokejumper.incidents.lifecycle import Status
from smokejumper.incidents.taxonomy import taxonomy_slugs
from smokejumper.incidents.timeline import EventKind, Timeline, TimelineEvent


@dataclass(frozen=True)
class Merged:
    """The result of a merge: both incidents after it and the events for each timeline."""

    primary: Incident
    duplicate: Incident
    primary_events: tuple[TimelineEvent, ...]
    duplicate_events: tuple[TimelineEvent, ...]


def _earliest(*times: datetime | None) -> datetime | None:
    known = [t for t in times if t is not None]
    return min(known) if known else None


def merge(
    primary: Incident,
    duplicate: Incident,
    now: datetime,
    *,
    actor: str,
    source: str = "user",
    reason: str | None = None,
) -> Merged:
    """Merge ``duplicate`` into ``primary`` (see the module docstring)."""
    aware(now, "now")
    actor = name(actor, "actor")
    if primary.id == duplicate.id:
        raise IncidentError(f"cannot merge incident {primary.id} into itself; name two incidents")
    for incident in (primary, duplicate):
        if incident.merged_into is not None:
            raise IncidentError(
                f"incident {incident.id} was already merged into {incident.merged_into}; "
                f"merge into {incident.merged_into} instead"
            )
    if primary.status is Status.CLOSED:
        raise IncidentError(
            f"incident {primary.id} is closed; reopen it before merging {duplicate.id} into it"
        )
    alerts = dict(primary.alerts)
    for fp, at in duplicate.alerts.items():
        alerts[fp] = max(at, alerts.get(fp, at))
    worse = min(primary.severity, duplicate.severity, key=lambda s: s.rank)
    merged = replace(
        primary,
        alerts=alerts,
        models=tuple({*primary.models, *duplicate.models}),
        versions=tuple({*primary.versions, *duplicate.versions}),
        segments=tuple({*primary.segments, *duplicate.segments}),
        labels=taxonomy_slugs({*primary.labels, *duplicate.labels}),
        roles={**duplicate.roles, **primary.roles},
        detected_at=min(primary.detected_at, duplicate.detected_at),
        onset_at=_earliest(primary.onset_at, duplicate.onset_at),
        acknowledged_at=_earliest(primary.acknowledged_at, duplicate.acknowledged_at),
    )
    details = {
        "primary": primary.id,
        "duplicate": duplicate.id,
        "alerts_added": sorted(set(duplicate.alerts) - set(primary.alerts)),
        "models_added": sorted(set(duplicate.models) - set(primary.models)),
    }
    if reason:
        details["reason"] = reason
    primary_events = [TimelineEvent(primary.id, EventKind.MERGED, now, source, actor, details)]
    if worse is not primary.severity:
        merged, more = merged.change_severity(
            worse, now, actor=actor, source=source, reason=f"merged with {duplicate.id}"
        )
        primary_events.extend(more)
    marked = replace(duplicate, merged_into=primary.id)
    dup_event = TimelineEvent(duplicate.id, EventKind.MERGED, now, source, actor, details)
    return Merged(merged, marked, tuple(primary_events), (dup_event,))


def merged_timeline(primary: Timeline, duplicate: Timeline, result: Merged) -> Timeline:
    """The primary's timeline after the merge: its events, the duplicate's, and both
    ``merged`` events (by time with :meth:`Timeline.ordered`)."""
    return primary.append(result.primary_events).append(duplicate, result.duplicate_events)
