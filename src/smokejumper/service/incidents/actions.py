"""What people do with incidents, each in one unit of work: the incident and the events its
change implies are stored together (the timeline never misses a step).

Acknowledging an incident acknowledges its firing alerts, and acknowledging an alert
acknowledges the open incident it belongs to: they are the same act.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from smokejumper.alerting import AlertingConfig
from smokejumper.errors import IncidentError
from smokejumper.incidents import (
    Changed,
    Incident,
    IncidentsConfig,
    SlackConfig,
    StatusUpdate,
    merge,
    post_update,
    query_words,
    response_times,
)
from smokejumper.service.changes import change_to_dict
from smokejumper.service.incidents.blast_radius import blast_radius
from smokejumper.service.incidents.last_good import last_known_good
from smokejumper.service.incidents.messages import send_update, update_message
from smokejumper.service.incidents.reconstruction import LOOKBACK_HOURS, reconstruct
from smokejumper.service.incidents.responders import responders_of
from smokejumper.service.incidents.scope import load_scope
from smokejumper.service.incidents.slack_outbox import announce, open_channel, post_message
from smokejumper.store.alerting_state import load_state
from smokejumper.store.alerts import load_alerts, save_alert
from smokejumper.store.changes import changes_between
from smokejumper.store.database import unit_of_work
from smokejumper.store.incidents import (
    find_incidents,
    load_incident,
    next_incident_id,
    store_changed,
    timeline_of,
)
from smokejumper.store.postmortems import postmortem_row
from smokejumper.store.slack import channel_of


def incident_view(incident: Incident) -> dict[str, Any]:
    """The incident as the API answers it: its document and its response times (seconds)."""
    times = response_times(incident)
    seconds = {
        name: (value.total_seconds() if value is not None else None)
        for name, value in (
            ("time_to_detect", times.time_to_detect),
            ("time_to_acknowledge", times.time_to_acknowledge),
            ("time_to_mitigate", times.time_to_mitigate),
            ("time_to_resolve", times.time_to_resolve),
        )
    }
    return {**incident.to_dict(), "response_seconds": seconds}


def list_incidents(
    sessions: sessionmaker[Session],
    status: str | None = None,
    model: str | None = None,
    search: str | None = None,
) -> list[dict[str, Any]]:
    """Incidents, newest first; with ``search``, those whose title, notes and status updates
    hold every word of it."""
    words = query_words(search) if search is not None else None
    with sessions() as session:
        found = find_incidents(session, [status] if status else None, model, words=words)
    return [incident_view(i) for i in found]


def show(
    sessions: sessionmaker[Session], incident_id: str, now: datetime | None = None
) -> dict[str, Any]:
    """The incident with its timeline (oldest first), the changes recorded in the
    :data:`LOOKBACK_HOURS` before its onset up to now, for its models, its last known good
    state (:mod:`.last_good`), its blast radius (:mod:`.blast_radius`), its responders (the
    owners of its models, by discipline) and its Slack channel (``None`` if none was made)."""
    now = now or datetime.now(UTC)
    lookback = timedelta(hours=LOOKBACK_HOURS)
    with sessions() as session:
        scope = load_scope(session, incident_id)
        incident = scope.incident
        events = [e.to_dict() for e in scope.events]
        found = changes_between(session, scope.reference - lookback, now, models=incident.models)
        changes = [change_to_dict(c) for c in found]
        good = last_known_good(session, scope, now, lookback)
        radius = blast_radius(session, scope, now, lookback)
        responders = [r.to_dict() for r in responders_of(session, incident.models)]
        channel = channel_of(session, incident_id)
    return {
        **incident_view(incident),
        "timeline": events,
        "changes": changes,
        "last_known_good": good,
        "blast_radius": radius,
        "responders": responders,
        "slack_channel": (
            {"id": channel.channel_id, "name": channel.name} if channel is not None else None
        ),
    }


def timeline(sessions: sessionmaker[Session], incident_id: str) -> list[dict[str, Any]]:
    """The incident's timeline, oldest first."""
    with sessions() as session:
        load_incident(session, incident_id)
        return [e.to_dict() for e in timeline_of(session, incident_id).ordered()]


def reconstruction(
    sessions: sessionmaker[Session],
    incident_id: str,
    lookback_hours: float = LOOKBACK_HOURS,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The incident's reconstruction (:mod:`.reconstruction`) over ``lookback_hours`` before
    its onset up to now."""
    with sessions() as session:
        scope = load_scope(session, incident_id)
        return reconstruct(
            session, scope, now or datetime.now(UTC), timedelta(hours=lookback_hours)
        )


def declare(
    sessions: sessionmaker[Session],
    title: str,
    severity: str,
    now: datetime,
    *,
    actor: str,
    models: list[str] | None = None,
    labels: list[str] | None = None,
    incidents: IncidentsConfig | None = None,
) -> dict[str, Any]:
    """Open an incident by hand (and, with Slack configured, ask for its channel)."""
    with unit_of_work(sessions) as session:
        incident_id = next_incident_id(session)
        changed = Incident.open(
            incident_id,
            title,
            severity,
            now,
            source="user",
            actor=actor,
            models=models or (),
            labels=labels or (),
        )
        store_changed(session, changed)
        open_channel(session, changed.incident, _slack(incidents), now)
    return incident_view(changed.incident)


def _slack(incidents: IncidentsConfig | None) -> SlackConfig | None:
    return incidents.slack if incidents is not None else None


def change(
    sessions: sessionmaker[Session],
    incident_id: str,
    now: datetime,
    how: Callable[[Incident], Changed],
    incidents: IncidentsConfig | None = None,
) -> dict[str, Any]:
    """Apply ``how`` to the incident (locked for the change on PostgreSQL) and store it;
    acknowledgements, status, severity and role changes are posted in its Slack channel."""
    with unit_of_work(sessions) as session:
        incident = load_incident(session, incident_id, for_update=True)
        changed = how(incident)
        store_changed(session, changed)
        if any(e.kind.value == "acknowledged" for e in changed.events):
            _acknowledge_alerts(session, changed.incident, changed.events[0].actor, now)
        announce(session, changed.events, _slack(incidents), now)
    return incident_view(changed.incident)


def update(
    sessions: sessionmaker[Session],
    incident_id: str,
    fields: Mapping[str, Any],
    now: datetime,
    actor: str,
    incidents: IncidentsConfig | None = None,
) -> dict[str, Any]:
    """Change the status, severity, roles, labels or scope (``PATCH``): each field one
    change, in that order, all in one unit of work. Closing needs the post-mortem final, or
    ``force`` with a ``reason`` (recorded on the timeline)."""

    reason = fields.get("reason")
    done = False  # only closing asks whether the post-mortem is final
    if fields.get("status") == "closed" or fields.get("force"):
        with sessions() as session:
            done = _postmortem_final(session, incident_id)
    if fields.get("force") and not done:
        if not reason:
            raise IncidentError(
                "closing an incident whose post-mortem is not final needs a reason: give "
                "reason (--reason) with force (--force); it is recorded on the timeline"
            )
        done = True
        reason = f"closed before its post-mortem was final: {reason}"

    def how(incident: Incident) -> Changed:
        events: list[Any] = []
        steps: list[Callable[[Incident], Changed]] = []
        if fields.get("severity"):
            steps.append(lambda i: i.change_severity(fields["severity"], now, actor=actor))
        for role, person in (fields.get("roles") or {}).items():
            steps.append(functools.partial(_assign, role=role, person=person, now=now, actor=actor))
        if fields.get("add_labels") or fields.get("remove_labels"):
            steps.append(
                lambda i: i.relabel(
                    now,
                    add=fields.get("add_labels") or (),
                    remove=fields.get("remove_labels") or (),
                    actor=actor,
                )
            )
        if fields.get("models") or fields.get("segments"):
            steps.append(
                lambda i: i.affect(
                    now,
                    models=fields.get("models") or (),
                    segments=fields.get("segments") or (),
                    actor=actor,
                )
            )
        if fields.get("status"):
            steps.append(
                lambda i: i.transition(
                    fields["status"], now, actor=actor, reason=reason, postmortem_done=done
                )
            )
        for step in steps:
            incident, more = step(incident)
            events.extend(more)
        return Changed(incident, tuple(events))

    return change(sessions, incident_id, now, how, incidents)


def _postmortem_final(session: Session, incident_id: str) -> bool:
    row = postmortem_row(session, incident_id)
    return row is not None and row.status == "final"


def _assign(
    incident: Incident, *, role: str, person: str | None, now: datetime, actor: str
) -> Changed:
    return incident.assign(role, person, now, actor=actor)


def add_note(
    sessions: sessionmaker[Session], incident_id: str, text: str, now: datetime, actor: str
) -> dict[str, Any]:
    """Write a note on the timeline."""
    return change(sessions, incident_id, now, lambda i: i.note(text, now, actor=actor))


def acknowledge(
    sessions: sessionmaker[Session],
    incident_id: str,
    now: datetime,
    actor: str,
    incidents: IncidentsConfig | None = None,
) -> dict[str, Any]:
    """Acknowledge the incident (and its firing alerts)."""
    return change(sessions, incident_id, now, lambda i: i.acknowledge(now, actor=actor), incidents)


def add_update(
    sessions: sessionmaker[Session],
    incident_id: str,
    sbar: Mapping[str, str],
    now: datetime,
    actor: str,
    alerting: AlertingConfig | None = None,
    incidents: IncidentsConfig | None = None,
    source: str = "user",
) -> dict[str, Any]:
    """Post an SBAR status update on the timeline and, in the same unit of work, its
    messages to the receivers (:func:`~smokejumper.service.incidents.messages.send_update`)
    and to its Slack channel; the answer's ``notifications`` says how many."""
    written = StatusUpdate(
        sbar.get("situation", ""),
        sbar.get("background", ""),
        sbar.get("assessment", ""),
        sbar.get("recommendation", ""),
    )
    with unit_of_work(sessions) as session:
        incident = load_incident(session, incident_id, for_update=True)
        changed = post_update(incident, written, now, actor=actor, source=source)
        store_changed(session, changed)
        (event,) = changed.events
        sent = send_update(session, changed.incident, written, event, alerting, incidents, now)
        message = update_message(changed.incident, written, event)
        sent += post_message(
            session, incident_id, f"update:{event.id}", message, _slack(incidents), now
        )
    return {**incident_view(changed.incident), "notifications": sent}


def merge_into(
    sessions: sessionmaker[Session],
    primary_id: str,
    duplicate_id: str,
    now: datetime,
    actor: str,
    reason: str | None = None,
) -> dict[str, Any]:
    """Merge incident ``duplicate_id`` into ``primary_id``."""
    with unit_of_work(sessions) as session:
        primary = load_incident(session, primary_id, for_update=True)
        duplicate = load_incident(session, duplicate_id, for_update=True)
        done = merge(primary, duplicate, now, actor=actor, reason=reason)
        store_changed(session, Changed(done.primary, done.primary_events))
        store_changed(session, Changed(done.duplicate, done.duplicate_events))
    return incident_view(done.primary)


def _acknowledge_alerts(
    session: Session, incident: Incident, actor: str | None, now: datetime
) -> None:
    """Acknowledge the incident's firing alerts not acknowledged yet (the same act)."""
    load_state(session, for_update=True)
    alerts = load_alerts(session)
    for fingerprint in incident.alert_fingerprints:
        alert = alerts.get(fingerprint)
        if alert is not None and alert.firing and not alert.acknowledged:
            save_alert(session, alert.acknowledge(actor or "incident", now))
