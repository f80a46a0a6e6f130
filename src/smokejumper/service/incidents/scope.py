"""What an incident's analyses read: the incident, its reference time (the onset, or the
detection when no monitor recorded one) and the monitors that fired for it, by model, with
their models' stored rows. The last known good state, the blast radius and the
reconstruction all start from here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from smokejumper.incidents import EventKind, Incident, TimelineEvent
from smokejumper.store.incidents import load_incident, timeline_of
from smokejumper.store.models import models_by_id
from smokejumper.store.monitors import monitors_of
from smokejumper.store.tables import Model, Monitor


@dataclass(frozen=True)
class Scope:
    """An incident and what it involves: ``monitors`` maps each model (stored) to the monitors
    of it that fired for the incident (their alerts' ``monitor`` label, or an onset)."""

    incident: Incident
    events: tuple[TimelineEvent, ...]
    models: Mapping[str, Model]
    monitors: Mapping[str, tuple[Monitor, ...]]

    @property
    def reference(self) -> datetime:
        """The onset (the first unhealthy window of a monitor involved), or the detection."""
        return self.incident.onset_at or self.incident.detected_at

    @property
    def reference_kind(self) -> str:
        """``onset`` or ``detected``: which time :attr:`reference` is."""
        return "onset" if self.incident.onset_at is not None else "detected"

    def window(self, model: str) -> timedelta:
        """The window length of ``model``."""
        return timedelta(seconds=self.models[model].window_seconds)


def fired_monitors(events: Iterable[TimelineEvent]) -> dict[str, set[str]]:
    """``{model: {monitor}}`` named by alert-fired events (their labels) and onsets (model
    unknown there: under ``""``), from an incident's timeline.

    >>> from datetime import UTC, datetime
    >>> from smokejumper.incidents import onset_event
    >>> t = datetime(2026, 11, 1, tzinfo=UTC)
    >>> fired_monitors([onset_event("INC-1", "age-nulls", t)])
    {'': {'age-nulls'}}
    """
    found: dict[str, set[str]] = {}
    for event in events:
        if event.kind is EventKind.ALERT_FIRED:
            labels = event.details.get("labels") or {}
            monitor, model = labels.get("monitor"), labels.get("model", "")
        elif event.kind is EventKind.ONSET:
            monitor, model = event.details.get("monitor"), ""
        else:
            continue
        if isinstance(monitor, str) and monitor:
            found.setdefault(str(model), set()).add(monitor)
    return found


def load_scope(session: Session, incident_id: str) -> Scope:
    """The incident ``incident_id`` with its timeline, models and fired monitors (those still
    declared; an Alertmanager alert names no monitor)."""
    incident = load_incident(session, incident_id)
    events = tuple(timeline_of(session, incident_id).ordered())
    named = set().union(*fired_monitors(events).values())
    by_id = models_by_id(session)
    monitors: dict[str, list[Monitor]] = {}
    for row, _ in monitors_of(session):
        if row.name in named:
            monitors.setdefault(by_id[row.model_id].name, []).append(row)
    wanted = set(incident.models) | set(monitors)
    models = {m.name: m for m in by_id.values() if m.name in wanted}
    return Scope(
        incident,
        events,
        models,
        {model: tuple(rows) for model, rows in sorted(monitors.items())},
    )
