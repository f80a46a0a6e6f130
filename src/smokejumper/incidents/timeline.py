"""An incident's timeline: append-only, typed events with their time, source and details.

Everything that happens to an incident is an event: alerts firing and resolving, status,
severity, role and scope changes, notes, status updates, changes (deploys, pipeline runs,
alias moves...), actions taken, each monitor's onset (its first unhealthy window), merges.
Nothing on a timeline is edited or deleted. Pinning an event as a key moment is itself an
event (``pinned``, undone by ``unpinned``), and so is a correction (``correction``, naming the
event it corrects), so the record of who said what, and when, stays whole.

An event's ``id`` is the first 16 hex digits of the SHA-256 of its content (incident, kind,
time in UTC, source, actor, details): the same fact recorded twice (a poller that sees one
deploy again, a retried request) is one event, and :meth:`Timeline.append` keeps it once.
``at`` is when it happened; ``recorded_at`` when Smokejumper learned of it (a deploy found by
a poller an hour later), which is not part of the identity.

>>> from datetime import UTC, datetime, timedelta
>>> t = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
>>> deploy = change("INC-1", "deploy", "churn v7 rolled out", t, source="ci", actor="deploy-bot")
>>> onset = onset_event("INC-1", "churn-drift", t + timedelta(minutes=40))
>>> line = Timeline().append(onset, deploy, deploy)
>>> [e.kind.value for e in line.ordered()]
['change', 'onset']
>>> line = line.append(pin(onset, t + timedelta(hours=2), actor="ana"))
>>> [e.kind.value for e in line.pinned()]
['onset']
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from smokejumper.errors import IncidentError
from smokejumper.incidents.checks import (
    aware,
    iso,
    json_value,
    missing_time,
    name,
    parse_time,
    shown,
)


class EventKind(StrEnum):
    """What kind of thing an event records."""

    OPENED = "opened"
    ALERT_FIRED = "alert_fired"
    ALERT_RESOLVED = "alert_resolved"
    ACKNOWLEDGED = "acknowledged"
    STATUS_CHANGED = "status_changed"
    REOPENED = "reopened"
    SEVERITY_CHANGED = "severity_changed"
    ROLE_ASSIGNED = "role_assigned"
    SCOPE_CHANGED = "scope_changed"
    LABELS_CHANGED = "labels_changed"
    NOTE = "note"
    STATUS_UPDATE = "status_update"
    CHANGE = "change"
    ACTION = "action"
    ONSET = "onset"
    MERGED = "merged"
    PINNED = "pinned"
    UNPINNED = "unpinned"
    CORRECTION = "correction"
    ACTION_ITEM = "action_item"
    DIAGNOSED = "diagnosed"


#: The details each kind of event must have (more are allowed).
REQUIRED_DETAILS: dict[EventKind, tuple[str, ...]] = {
    EventKind.OPENED: ("title", "severity"),
    EventKind.ALERT_FIRED: ("fingerprint",),
    EventKind.ALERT_RESOLVED: ("fingerprint",),
    EventKind.ACKNOWLEDGED: (),
    EventKind.STATUS_CHANGED: ("from", "to"),
    EventKind.REOPENED: ("from",),
    EventKind.SEVERITY_CHANGED: ("from", "to"),
    EventKind.ROLE_ASSIGNED: ("role", "person"),
    EventKind.SCOPE_CHANGED: (),
    EventKind.LABELS_CHANGED: ("added", "removed"),
    EventKind.NOTE: ("text",),
    EventKind.STATUS_UPDATE: ("situation", "background", "assessment", "recommendation"),
    EventKind.CHANGE: ("kind", "summary"),
    EventKind.ACTION: ("summary",),
    EventKind.ONSET: ("monitor",),
    EventKind.MERGED: ("primary", "duplicate"),
    EventKind.PINNED: ("event_id",),
    EventKind.UNPINNED: ("event_id",),
    EventKind.CORRECTION: ("event_id", "text"),
    EventKind.ACTION_ITEM: ("action_item", "change", "summary"),
    EventKind.DIAGNOSED: ("summary", "diagnosis_id", "hypotheses"),
}

#: Kinds of change a ``change`` event may record.
CHANGE_KINDS = (
    "deploy",
    "config",
    "data",
    "pipeline",
    "feature_store",
    "flag",
    "model_version",
    "alias",
)

#: Kinds whose ``event_id`` must name an event already on the timeline.
_REFERRING = frozenset({EventKind.PINNED, EventKind.UNPINNED, EventKind.CORRECTION})


def parse_kind(value: object) -> EventKind:
    """The event kind ``value`` names, or :class:`IncidentError` listing them."""
    try:
        return EventKind(value if isinstance(value, str) else str(value))
    except ValueError:
        known = ", ".join(k.value for k in EventKind)
        raise IncidentError(f"unknown timeline event kind {value!r}; known: {known}") from None


@dataclass(frozen=True)
class TimelineEvent:
    """One thing that happened to incident ``incident_id`` at ``at``, told by ``source``
    (``alerting``, ``user``, ``mlflow``, ``openlineage``, ``slack``...), done by ``actor`` (a
    person or a system; ``None`` when nobody in particular), with ``details`` as JSON data."""

    incident_id: str
    kind: EventKind
    at: datetime
    source: str
    actor: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    recorded_at: datetime | None = None
    id: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "incident_id", name(self.incident_id, "incident_id"))
        object.__setattr__(self, "kind", parse_kind(self.kind))
        aware(self.at, f"the time of a {self.kind} event")
        if self.recorded_at is not None:
            aware(self.recorded_at, "recorded_at")
        object.__setattr__(self, "source", name(self.source, "an event's source"))
        if self.actor is not None:
            object.__setattr__(self, "actor", name(self.actor, "an event's actor"))
        if not isinstance(self.details, Mapping):
            raise IncidentError(f"an event's details must be a mapping, got {shown(self.details)}")
        details = json_value(self.details, f"{self.kind} details")
        missing = [k for k in REQUIRED_DETAILS[self.kind] if k not in details]
        if missing:
            raise IncidentError(
                f"a {self.kind} event needs the details {', '.join(missing)}; "
                f"it has {', '.join(sorted(details)) or 'none'}"
            )
        object.__setattr__(self, "details", details)
        canonical = json.dumps(
            [self.incident_id, self.kind.value, iso(self.at), self.source, self.actor, details],
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        object.__setattr__(self, "id", hashlib.sha256(canonical.encode()).hexdigest()[:16])

    def to_dict(self) -> dict[str, Any]:
        """The event as JSON data (times in ISO 8601, UTC)."""
        return {
            "id": self.id,
            "incident_id": self.incident_id,
            "kind": self.kind.value,
            "at": iso(self.at),
            "source": self.source,
            "actor": self.actor,
            "details": dict(self.details),
            "recorded_at": iso(self.recorded_at),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TimelineEvent:
        """The event of :meth:`to_dict`'s data; an ``id`` that does not match the content
        means the data was altered, and is refused.

        >>> from datetime import UTC, datetime
        >>> e = note("INC-1", "rolled back to v6", datetime(2026, 11, 1, tzinfo=UTC), actor="ana")
        >>> TimelineEvent.from_dict(e.to_dict()) == e
        True
        """
        if not isinstance(data, Mapping):
            raise IncidentError(f"a timeline event must be a mapping, got {shown(data)}")
        missing = [k for k in ("incident_id", "kind", "at", "source") if k not in data]
        if missing:
            raise IncidentError(f"a timeline event needs {', '.join(missing)}")
        recorded = data.get("recorded_at")
        event = cls(
            data["incident_id"],
            parse_kind(data["kind"]),
            parse_time(data["at"], "at") or missing_time("at"),
            data["source"],
            data.get("actor"),
            data.get("details") or {},
            parse_time(recorded, "recorded_at"),
        )
        if data.get("id") not in (None, event.id):
            raise IncidentError(
                f"timeline event {data['id']!r} does not match its content (its id would be "
                f"{event.id!r}); events are never edited: record a correction instead"
            )
        return event


@dataclass(frozen=True)
class Timeline:
    """An incident's events in the order they were recorded. Immutable: :meth:`append`
    returns a new timeline. A merged incident's timeline holds the events of its duplicates
    too (each keeps its ``incident_id``)."""

    events: tuple[TimelineEvent, ...] = ()

    def __iter__(self) -> Iterator[TimelineEvent]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)

    def __contains__(self, event_id: object) -> bool:
        return any(e.id == event_id for e in self.events)

    def get(self, event_id: str) -> TimelineEvent:
        """The event with ``event_id``, or :class:`IncidentError`."""
        for event in self.events:
            if event.id == event_id:
                return event
        raise IncidentError(f"no event {event_id!r} on this timeline")

    def append(self, *events: TimelineEvent | Iterable[TimelineEvent]) -> Timeline:
        """The timeline with ``events`` added (events or iterables of them); an event already
        on it (the same id) is kept once. A pin, unpin or correction must name an event on
        the timeline (or earlier in the same call)."""
        flat: list[TimelineEvent] = []
        for item in events:
            flat.extend([item] if isinstance(item, TimelineEvent) else item)
        ids = {e.id for e in self.events}
        added: list[TimelineEvent] = []
        for event in flat:
            if not isinstance(event, TimelineEvent):
                raise IncidentError(f"a timeline holds TimelineEvent objects, got {shown(event)}")
            if event.id in ids:
                continue
            target = event.details.get("event_id")
            if event.kind in _REFERRING and target not in ids:
                raise IncidentError(
                    f"a {event.kind} event names event {target!r}, which is not on the "
                    "timeline; name one of its events"
                )
            ids.add(event.id)
            added.append(event)
        return Timeline((*self.events, *added))

    def ordered(self) -> list[TimelineEvent]:
        """The events by time (``at``); events at the same time in the order recorded."""
        return sorted(self.events, key=lambda e: e.at)

    def of_kind(self, *kinds: EventKind) -> list[TimelineEvent]:
        """The events of ``kinds``, by time."""
        return [e for e in self.ordered() if e.kind in kinds]

    def between(self, start: datetime, end: datetime) -> list[TimelineEvent]:
        """The events with ``start <= at < end``, by time."""
        aware(start, "start")
        aware(end, "end")
        return [e for e in self.ordered() if start <= e.at < end]

    def pinned(self) -> list[TimelineEvent]:
        """The events pinned as key moments (pinned and not unpinned since), by time."""
        state: dict[str, bool] = {}
        for event in self.events:
            if event.kind in (EventKind.PINNED, EventKind.UNPINNED):
                state[event.details["event_id"]] = event.kind is EventKind.PINNED
        return [e for e in self.ordered() if state.get(e.id)]

    def corrections(self, event_id: str) -> list[TimelineEvent]:
        """The corrections recorded for event ``event_id``, by time."""
        return [e for e in self.of_kind(EventKind.CORRECTION) if e.details["event_id"] == event_id]

    def to_list(self) -> list[dict[str, Any]]:
        """Every event as JSON data, in the order recorded."""
        return [e.to_dict() for e in self.events]

    @classmethod
    def from_list(cls, data: Sequence[Mapping[str, Any]]) -> Timeline:
        """The timeline of :meth:`to_list`'s data."""
        return cls().append(TimelineEvent.from_dict(item) for item in data)


def note(
    incident_id: str, text: str, at: datetime, *, actor: str | None, source: str = "user"
) -> TimelineEvent:
    """A note written on the incident."""
    return TimelineEvent(
        incident_id, EventKind.NOTE, at, source, actor, {"text": name(text, "a note")}
    )


def change(
    incident_id: str,
    kind: str,
    summary: str,
    at: datetime,
    *,
    source: str,
    actor: str | None = None,
    model: str | None = None,
    link: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> TimelineEvent:
    """A change to the system (one of :data:`CHANGE_KINDS`), as the change log, a pipeline
    run or a registry poller reports it."""
    if kind not in CHANGE_KINDS:
        raise IncidentError(f"unknown change kind {kind!r}; known: {', '.join(CHANGE_KINDS)}")
    facts: dict[str, Any] = {**(details or {}), "kind": kind, "summary": name(summary, "summary")}
    if model is not None:
        facts["model"] = model
    if link is not None:
        facts["link"] = link
    return TimelineEvent(incident_id, EventKind.CHANGE, at, source, actor, facts)


def action(
    incident_id: str,
    summary: str,
    at: datetime,
    *,
    actor: str | None,
    source: str = "user",
    details: Mapping[str, Any] | None = None,
) -> TimelineEvent:
    """An action taken (a rollback, a quarantine, a restart)."""
    facts = {**(details or {}), "summary": name(summary, "summary")}
    return TimelineEvent(incident_id, EventKind.ACTION, at, source, actor, facts)


def diagnosed(
    incident_id: str,
    summary: str,
    at: datetime,
    *,
    diagnosis_id: int,
    hypotheses: Sequence[Mapping[str, Any]],
    trigger: str,
    actor: str | None = None,
) -> TimelineEvent:
    """A root-cause diagnosis ran (when the incident opened, or asked for): its one-line
    ``summary``, the stored diagnosis's id and its top ``hypotheses`` (``{id, title, label,
    category, confidence}``), so the timeline says what was suspected when."""
    facts = {
        "summary": name(summary, "summary"),
        "diagnosis_id": diagnosis_id,
        "hypotheses": [dict(h) for h in hypotheses],
        "trigger": trigger,
    }
    return TimelineEvent(incident_id, EventKind.DIAGNOSED, at, "rca", actor, facts)


def onset_event(
    incident_id: str,
    monitor: str,
    at: datetime,
    *,
    source: str = "monitoring",
    details: Mapping[str, Any] | None = None,
) -> TimelineEvent:
    """Monitor ``monitor``'s first unhealthy window began at ``at``. Prefer
    :meth:`~smokejumper.incidents.incident.Incident.record_onset`, which also moves the
    incident's onset."""
    facts = {**(details or {}), "monitor": name(monitor, "monitor")}
    return TimelineEvent(incident_id, EventKind.ONSET, at, source, None, facts)


def pin(event: TimelineEvent, now: datetime, *, actor: str, source: str = "user") -> TimelineEvent:
    """Pin ``event`` as a key moment."""
    details = {"event_id": event.id}
    actor = name(actor, "actor")
    return TimelineEvent(event.incident_id, EventKind.PINNED, now, source, actor, details)


def unpin(
    event: TimelineEvent, now: datetime, *, actor: str, source: str = "user"
) -> TimelineEvent:
    """Take ``event`` off the key moments."""
    return TimelineEvent(
        event.incident_id,
        EventKind.UNPINNED,
        now,
        source,
        name(actor, "actor"),
        {"event_id": event.id},
    )


def correction(
    event: TimelineEvent, text: str, now: datetime, *, actor: str, source: str = "user"
) -> TimelineEvent:
    """Say what was wrong in ``event`` (the event itself stays as it was)."""
    return TimelineEvent(
        event.incident_id,
        EventKind.CORRECTION,
        now,
        source,
        name(actor, "actor"),
        {"event_id": event.id, "text": name(text, "a correction")},
    )
