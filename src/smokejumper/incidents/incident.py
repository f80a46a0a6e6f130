"""The incident: what is wrong, how bad, who leads, what it touches, and where it stands.

An :class:`Incident` is immutable. Every change returns a :class:`Changed`: the new incident
*and* the timeline events the change implies, so the store writes both in one transaction and
the timeline never misses a step. A change that changes nothing (acknowledging twice,
assigning the same person) returns the incident as it was and no events.

Times are stamped the first time each is reached: ``acknowledged_at`` at the first
acknowledgement (leaving triage counts as one), ``mitigated_at`` on reaching mitigated (or
resolved, if mitigated was skipped), ``resolved_at`` and ``closed_at`` likewise. A reopened
incident keeps them; its timeline tells the rest.

>>> from datetime import UTC, datetime, timedelta
>>> t = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
>>> inc, events = Incident.open("INC-7", "churn: key feature null", "SEV2", t,
...                             source="alerting", models=["churn"], labels=["data quality"])
>>> inc.status.value, inc.labels, [e.kind.value for e in events]
('triage', ('data_quality',), ['opened'])
>>> inc, events = inc.assign("commander", "ana", t + timedelta(minutes=3), actor="ana")
>>> inc, events = inc.transition("mitigated", t + timedelta(minutes=20), actor="ana")
>>> [e.kind.value for e in events]
['acknowledged', 'status_changed']
>>> inc.acknowledged_at - t, inc.mitigated_at - t
(datetime.timedelta(seconds=1200), datetime.timedelta(seconds=1200))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, NamedTuple

from smokejumper.errors import IncidentError
from smokejumper.incidents.checks import (
    aware,
    iso,
    missing_time,
    name,
    names,
    parse_time,
    shown,
    version_pairs,
)
from smokejumper.incidents.lifecycle import Status, check_transition, is_reopening, parse_status
from smokejumper.incidents.roles import Role, parse_role
from smokejumper.incidents.severity import Severity, parse_severity
from smokejumper.incidents.taxonomy import taxonomy_slugs
from smokejumper.incidents.timeline import EventKind, TimelineEvent, onset_event

_TIMES = (
    "onset_at",
    "acknowledged_at",
    "mitigated_at",
    "resolved_at",
    "closed_at",
)


class Changed(NamedTuple):
    """The result of a change: the incident after it and the events it implies (in order)."""

    incident: Incident
    events: tuple[TimelineEvent, ...]


@dataclass(frozen=True)
class Incident:
    """One incident (see the module docstring). Build a new one with :meth:`open`; change it
    with its methods, which check their input and return a :class:`Changed`.

    ``models``, ``segments`` and ``labels`` (taxonomy slugs) are sorted tuples without
    repeats; ``versions`` holds ``(model, version)`` pairs. ``alerts`` maps the fingerprint of
    each alert attached to the start of its newest episode attached. ``onset_at`` is the
    earliest onset recorded (the first unhealthy window of a monitor involved).
    """

    id: str
    title: str
    severity: Severity
    detected_at: datetime
    status: Status = Status.TRIAGE
    roles: Mapping[Role, str] = field(default_factory=dict)
    models: tuple[str, ...] = ()
    versions: tuple[tuple[str, str], ...] = ()
    segments: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    alerts: Mapping[str, datetime] = field(default_factory=dict)
    onset_at: datetime | None = None
    acknowledged_at: datetime | None = None
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    merged_into: str | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "id", name(self.id, "an incident's id"))
        set_(self, "title", name(self.title, "an incident's title"))
        set_(self, "severity", parse_severity(self.severity))
        set_(self, "status", parse_status(self.status))
        if not isinstance(self.roles, Mapping):
            raise IncidentError(f"roles must map a role to a person, got {shown(self.roles)}")
        set_(
            self,
            "roles",
            {parse_role(r): name(p, f"the {r}") for r, p in self.roles.items()},
        )
        set_(self, "models", names(self.models, "a model"))
        set_(self, "versions", version_pairs(self.versions))
        set_(self, "segments", names(self.segments, "a segment"))
        set_(self, "labels", taxonomy_slugs(self.labels))
        if not isinstance(self.alerts, Mapping):
            raise IncidentError(
                f"alerts must map a fingerprint to its start, got {shown(self.alerts)}"
            )
        set_(
            self,
            "alerts",
            {
                name(fp, "an alert's fingerprint"): aware(at, f"the start of alert {fp}")
                for fp, at in sorted(self.alerts.items())
            },
        )
        aware(self.detected_at, "detected_at")
        for what in _TIMES:
            if getattr(self, what) is not None:
                aware(getattr(self, what), what)
        if self.merged_into is not None:
            set_(self, "merged_into", name(self.merged_into, "merged_into"))
            if self.merged_into == self.id:
                raise IncidentError(f"incident {self.id} cannot be merged into itself")

    # -- reading -------------------------------------------------------------------------

    @property
    def alert_fingerprints(self) -> tuple[str, ...]:
        """The fingerprints of the alerts attached, sorted."""
        return tuple(self.alerts)

    @property
    def last_alert_at(self) -> datetime | None:
        """The start of the newest alert episode attached (``None`` without alerts); the
        join window counts from it."""
        return max(self.alerts.values(), default=None)

    @property
    def is_open(self) -> bool:
        """Whether it still needs work: not resolved or closed, and not merged into another."""
        return self.status.open and self.merged_into is None

    def _event(
        self,
        kind: EventKind,
        at: datetime,
        source: str,
        actor: str | None,
        details: Mapping[str, Any] | None = None,
    ) -> TimelineEvent:
        return TimelineEvent(self.id, kind, at, source, actor, details or {})

    def _live(self, doing: str) -> None:
        if self.merged_into is not None:
            raise IncidentError(
                f"incident {self.id} was merged into {self.merged_into}; {doing} on "
                f"{self.merged_into} instead"
            )

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        id: str,
        title: str,
        severity: Severity | str,
        now: datetime,
        *,
        source: str,
        actor: str | None = None,
        detected_at: datetime | None = None,
        models: Iterable[str] = (),
        versions: Iterable[tuple[str, str]] = (),
        segments: Iterable[str] = (),
        labels: Iterable[str] = (),
    ) -> Changed:
        """A new incident in triage, opened at ``now`` (by alerts when ``source`` is
        ``alerting``, declared by ``actor`` otherwise). ``detected_at`` defaults to ``now``;
        for an incident opened from an alert it is when the alert fired."""
        incident = cls(
            id,
            title,
            parse_severity(severity),
            aware(detected_at if detected_at is not None else now, "detected_at"),
            models=tuple(models),
            versions=tuple(versions),
            segments=tuple(segments),
            labels=tuple(labels),
        )
        details = {
            "title": incident.title,
            "severity": incident.severity.value,
            "detected_at": iso(incident.detected_at),
            "models": list(incident.models),
            "labels": list(incident.labels),
        }
        event = incident._event(EventKind.OPENED, aware(now, "now"), source, actor, details)
        return Changed(incident, (event,))

    # -- status --------------------------------------------------------------------------

    def acknowledge(self, now: datetime, *, actor: str, source: str = "user") -> Changed:
        """Someone took the incident on. Only the first acknowledgement is stamped and
        recorded; acknowledging its alerts is the same act (the service does both)."""
        self._live("acknowledge")
        if self.acknowledged_at is not None:
            return Changed(self, ())
        event = self._event(EventKind.ACKNOWLEDGED, aware(now, "now"), source, name(actor, "actor"))
        return Changed(replace(self, acknowledged_at=now), (event,))

    def transition(
        self,
        to: Status | str,
        now: datetime,
        *,
        actor: str,
        source: str = "user",
        postmortem_done: bool = False,
        reason: str | None = None,
    ) -> Changed:
        """Move to status ``to`` (see :mod:`~smokejumper.incidents.lifecycle` for the legal
        moves; closing needs ``postmortem_done``). Leaving triage acknowledges the incident
        if nobody had; reaching resolved stamps mitigated too if it was skipped; reopening
        adds a ``reopened`` event."""
        self._live("change the status")
        target = check_transition(self.status, parse_status(to), postmortem_done=postmortem_done)
        aware(now, "now")
        actor = name(actor, "actor")
        events: list[TimelineEvent] = []
        incident = self
        if self.acknowledged_at is None:
            incident = replace(self, acknowledged_at=now)
            implied = {"implied_by": target.value}
            events.append(self._event(EventKind.ACKNOWLEDGED, now, source, actor, implied))
        ended = target in (Status.MITIGATED, Status.RESOLVED)
        incident = replace(
            incident,
            status=target,
            mitigated_at=self.mitigated_at or (now if ended else None),
            resolved_at=self.resolved_at or (now if target is Status.RESOLVED else None),
            closed_at=self.closed_at or (now if target is Status.CLOSED else None),
        )
        details: dict[str, Any] = {"from": self.status.value, "to": target.value}
        if reason:
            details["reason"] = reason
        events.append(self._event(EventKind.STATUS_CHANGED, now, source, actor, details))
        if is_reopening(self.status, target):
            events.append(self._event(EventKind.REOPENED, now, source, actor, details))
        return Changed(incident, tuple(events))

    def change_severity(
        self,
        severity: Severity | str,
        now: datetime,
        *,
        actor: str | None,
        source: str = "user",
        reason: str | None = None,
    ) -> Changed:
        """Set the severity (no change, no event)."""
        self._live("change the severity")
        new = parse_severity(severity)
        if new is self.severity:
            return Changed(self, ())
        details: dict[str, Any] = {"from": self.severity.value, "to": new.value}
        if reason:
            details["reason"] = reason
        event = self._event(EventKind.SEVERITY_CHANGED, aware(now, "now"), source, actor, details)
        return Changed(replace(self, severity=new), (event,))

    # -- people and scope ----------------------------------------------------------------

    def assign(
        self,
        role: Role | str,
        person: str | None,
        now: datetime,
        *,
        actor: str | None,
        source: str = "user",
    ) -> Changed:
        """Give ``role`` to ``person`` (``None`` leaves the role empty)."""
        self._live("assign roles")
        which = parse_role(role)
        who = name(person, f"the {which}") if person is not None else None
        if self.roles.get(which) == who:
            return Changed(self, ())
        roles = {r: p for r, p in self.roles.items() if r is not which}
        if who is not None:
            roles[which] = who
        details = {"role": which.value, "person": who, "previous": self.roles.get(which)}
        event = self._event(EventKind.ROLE_ASSIGNED, aware(now, "now"), source, actor, details)
        return Changed(replace(self, roles=roles), (event,))

    def affect(
        self,
        now: datetime,
        *,
        models: Iterable[str] = (),
        versions: Iterable[tuple[str, str]] = (),
        segments: Iterable[str] = (),
        actor: str | None = None,
        source: str = "user",
    ) -> Changed:
        """Add affected models, versions and segments (scope only grows; a correction note
        says when something was wrongly added)."""
        self._live("change the scope")
        new_models = sorted(set(names(models, "a model")) - set(self.models))
        new_versions = sorted(set(version_pairs(versions)) - set(self.versions))
        new_segments = sorted(set(names(segments, "a segment")) - set(self.segments))
        if not (new_models or new_versions or new_segments):
            return Changed(self, ())
        details = {
            "models": new_models,
            "versions": [{"model": m, "version": v} for m, v in new_versions],
            "segments": new_segments,
        }
        event = self._event(EventKind.SCOPE_CHANGED, aware(now, "now"), source, actor, details)
        incident = replace(
            self,
            models=(*self.models, *new_models),
            versions=(*self.versions, *new_versions),
            segments=(*self.segments, *new_segments),
        )
        return Changed(incident, (event,))

    def relabel(
        self,
        now: datetime,
        *,
        add: Iterable[str] = (),
        remove: Iterable[str] = (),
        actor: str | None,
        source: str = "user",
    ) -> Changed:
        """Add and remove taxonomy labels (by slug or name)."""
        self._live("change the labels")
        added = set(taxonomy_slugs(add)) - set(self.labels)
        removed = set(taxonomy_slugs(remove)) & set(self.labels)
        if not (added or removed):
            return Changed(self, ())
        labels = taxonomy_slugs((set(self.labels) | added) - removed)
        details = {"added": sorted(added), "removed": sorted(removed)}
        event = self._event(EventKind.LABELS_CHANGED, aware(now, "now"), source, actor, details)
        return Changed(replace(self, labels=labels), (event,))

    # -- alerts and facts ----------------------------------------------------------------

    def attach_alert(
        self,
        fingerprint: str,
        starts_at: datetime,
        now: datetime,
        *,
        labels: Mapping[str, str] | None = None,
        summary: str | None = None,
        source: str = "alerting",
    ) -> Changed:
        """An alert fired (at ``starts_at``) and belongs to this incident: its fingerprint is
        kept, its ``model`` and ``version`` labels join the scope."""
        self._live("attach alerts")
        fingerprint = name(fingerprint, "an alert's fingerprint")
        labels = dict(labels or {})
        details: dict[str, Any] = {"fingerprint": fingerprint, "labels": labels}
        if summary:
            details["summary"] = summary
        fired = self._event(
            EventKind.ALERT_FIRED, aware(starts_at, "starts_at"), source, None, details
        )
        model, version = labels.get("model"), labels.get("version")
        incident = replace(
            self,
            alerts={
                **self.alerts,
                fingerprint: max(starts_at, self.alerts.get(fingerprint, starts_at)),
            },
        )
        scope = incident.affect(
            now,
            models=[model] if model else [],
            versions=[(model, version)] if model and version else [],
            source=source,
        )
        return Changed(scope.incident, (fired, *scope.events))

    def alert_resolved(
        self, fingerprint: str, at: datetime, *, source: str = "alerting"
    ) -> Changed:
        """An alert of this incident resolved at ``at`` (the incident itself stays as it is:
        people, not alerts, decide it is over)."""
        if fingerprint not in self.alert_fingerprints:
            raise IncidentError(
                f"alert {fingerprint!r} is not attached to incident {self.id}; its alerts: "
                f"{', '.join(self.alert_fingerprints) or 'none'}"
            )
        event = self._event(
            EventKind.ALERT_RESOLVED, aware(at, "at"), source, None, {"fingerprint": fingerprint}
        )
        return Changed(self, (event,))

    def record_onset(
        self,
        monitor: str,
        at: datetime,
        *,
        source: str = "monitoring",
        details: Mapping[str, Any] | None = None,
    ) -> Changed:
        """Monitor ``monitor``'s first unhealthy window began at ``at``; the incident's onset
        is the earliest recorded."""
        self._live("record onsets")
        event = onset_event(self.id, monitor, aware(at, "at"), source=source, details=details)
        onset = min(at, self.onset_at) if self.onset_at is not None else at
        return Changed(replace(self, onset_at=onset), (event,))

    def note(self, text: str, now: datetime, *, actor: str | None, source: str = "user") -> Changed:
        """A note on the timeline (the incident is unchanged)."""
        self._live("write notes")
        event = self._event(
            EventKind.NOTE, aware(now, "now"), source, actor, {"text": name(text, "a note")}
        )
        return Changed(self, (event,))

    # -- data ----------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The incident as JSON data (times in ISO 8601, UTC)."""
        return {
            "id": self.id,
            "title": self.title,
            "severity": self.severity.value,
            "status": self.status.value,
            "roles": {r.value: p for r, p in sorted(self.roles.items())},
            "models": list(self.models),
            "versions": [{"model": m, "version": v} for m, v in self.versions],
            "segments": list(self.segments),
            "labels": list(self.labels),
            "alerts": {fp: iso(at) for fp, at in self.alerts.items()},
            "detected_at": iso(self.detected_at),
            "onset_at": iso(self.onset_at),
            "acknowledged_at": iso(self.acknowledged_at),
            "mitigated_at": iso(self.mitigated_at),
            "resolved_at": iso(self.resolved_at),
            "closed_at": iso(self.closed_at),
            "merged_into": self.merged_into,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Incident:
        """The incident of :meth:`to_dict`'s data.

        >>> from datetime import UTC, datetime
        >>> inc = Incident.open("INC-1", "drift", "SEV3", datetime(2026, 11, 1, tzinfo=UTC),
        ...                     source="user", actor="ana", versions=[("churn", "7")]).incident
        >>> Incident.from_dict(inc.to_dict()) == inc
        True
        """
        if not isinstance(data, Mapping):
            raise IncidentError(f"an incident must be a mapping, got {shown(data)}")
        missing = [k for k in ("id", "title", "severity", "detected_at") if k not in data]
        if missing:
            raise IncidentError(f"an incident needs {', '.join(missing)}")
        times = {key: parse_time(data.get(key), key) for key in _TIMES}
        detected = parse_time(data["detected_at"], "detected_at")
        if detected is None:
            raise IncidentError("an incident needs detected_at (an ISO 8601 time)")
        return cls(
            data["id"],
            data["title"],
            data["severity"],
            detected,
            status=data.get("status", "triage"),
            roles=data.get("roles") or {},
            models=tuple(data.get("models") or ()),
            versions=tuple(data.get("versions") or ()),
            segments=tuple(data.get("segments") or ()),
            labels=tuple(data.get("labels") or ()),
            alerts={
                fp: parse_time(at, f"alerts.{fp}") or missing_time(f"alerts.{fp}")
                for fp, at in (data.get("alerts") or {}).items()
            },
            merged_into=data.get("merged_into"),
            **times,
        )
