"""Status updates and reminders sent through the alerting receivers, written to the outbox
in the caller's unit of work (so an update is sent if and only if it is stored).

Who hears: the receivers of ``incidents: updates_to:`` when the file names some; else the
receivers the incident's alerts were routed to; else (an incident declared by hand, or
whose alerts are long gone) the receivers an alert of its models would be routed to. Each
gets one message per Slack, email and webhook integration (PagerDuty and Alertmanager push
are told of alerts only). Outbox keys: ``status-update:<id>:<event id>`` and
``update-due:<id>:<due>`` (each with the receiver and integration), so a retried request or
pass writes each once, and a reminder goes once per due time.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from smokejumper.alerting import AlertingConfig, Message, Notification
from smokejumper.alerting.notifications import MESSAGE_KINDS, Reason
from smokejumper.incidents import (
    DEFAULT_SEVERITIES,
    Incident,
    IncidentsConfig,
    Role,
    StatusUpdate,
    TimelineEvent,
    next_update_due,
    update_overdue,
)
from smokejumper.incidents.lifecycle import OPEN_STATUSES
from smokejumper.service.alerting.outbox import enqueue_notification
from smokejumper.store.alerts import load_alerts
from smokejumper.store.incidents import find_incidents, last_update_times


def update_receivers(
    session: Session,
    incident: Incident,
    alerting: AlertingConfig,
    incidents: IncidentsConfig | None,
) -> list[str]:
    """The receivers of the incident's updates and reminders (see the module docstring)."""
    if incidents is not None and incidents.updates_to:
        return [r for r in incidents.updates_to if r in alerting.receivers]
    names: list[str] = []
    alerts = load_alerts(session) if incident.alert_fingerprints else None
    for fingerprint in incident.alert_fingerprints:
        alert = alerts.get(fingerprint) if alerts is not None else None
        if alert is not None:
            names.extend(alerting.receivers_for(alert.labels))
    if not names:
        for model in incident.models or ("",):
            names.extend(alerting.receivers_for({"model": model} if model else {}))
    return list(dict.fromkeys(names))


def _labels(incident: Incident) -> dict[str, str]:
    labels = {
        "incident": incident.id,
        "severity": incident.severity.value,
        "status": incident.status.value,
    }
    if incident.models:
        labels["models"] = ",".join(incident.models)
    return labels


def _heading(incident: Incident) -> str:
    return f"[{incident.severity.value}] {incident.id}: {incident.title} ({incident.status.value})"


def update_message(incident: Incident, update: StatusUpdate, event: TimelineEvent) -> Message:
    """The words of a posted status update.

    >>> from datetime import UTC, datetime
    >>> from smokejumper.incidents import post_update
    >>> t = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
    >>> inc = Incident.open("INC-7", "churn flat", "SEV2", t, source="alerting").incident
    >>> up = StatusUpdate("flat scores", "job at 02:10", "schema change", "roll back")
    >>> _, (event,) = post_update(inc, up, t, actor="ana")
    >>> m = update_message(inc, up, event)
    >>> m.title, m.sections[0], m.footer
    ('[SEV2] INC-7: churn flat (triage)', ('Situation', 'flat scores'), \
'Status update by ana, 2026-11-01 03:00 UTC')
    """
    by = f" by {event.actor}" if event.actor else ""
    return Message(
        _heading(incident),
        tuple(update.parts()),
        footer=f"Status update{by}, {event.at.astimezone(UTC):%Y-%m-%d %H:%M} UTC",
        labels=_labels(incident),
        ongoing=incident.is_open,
    )


def reminder_message(incident: Incident, due: datetime, last: datetime | None) -> Message:
    """The words of a reminder that the incident's next status update is due at ``due``."""
    commander = incident.roles.get(Role.COMMANDER)
    sections = (
        ("Due", f"{due.astimezone(UTC):%Y-%m-%d %H:%M} UTC"),
        ("Last update", f"{last.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if last else "none yet"),
        ("Commander", commander or "nobody yet (smokejumper incident assign ID commander NAME)"),
    )
    return Message(
        f"{_heading(incident)}: a status update is due",
        sections,
        footer=(
            f"Post one: smokejumper incident update {incident.id} --situation ... "
            "--background ... --assessment ... --recommendation ..."
        ),
        labels=_labels(incident),
    )


def _send(
    session: Session,
    incident: Incident,
    message: Message,
    reason: Reason,
    key: str,
    alerting: AlertingConfig,
    incidents: IncidentsConfig | None,
    now: datetime,
) -> int:
    written = 0
    for receiver in update_receivers(session, incident, alerting, incidents):
        notification = Notification(
            receiver,
            f"incident:{incident.id}",
            message.labels,
            (),
            (),
            reason,
            now,
            message=message,
        )
        written += enqueue_notification(
            session, notification, alerting, now, kinds=MESSAGE_KINDS, key=key
        )
    return written


def send_update(
    session: Session,
    incident: Incident,
    update: StatusUpdate,
    event: TimelineEvent,
    alerting: AlertingConfig | None,
    incidents: IncidentsConfig | None,
    now: datetime,
) -> int:
    """Write the update's messages to the outbox; how many (0 without alerting)."""
    if alerting is None:
        return 0
    message = update_message(incident, update, event)
    key = f"status-update:{incident.id}:{event.id}"
    return _send(session, incident, message, "status_update", key, alerting, incidents, now)


def remind_overdue(
    session: Session,
    alerting: AlertingConfig | None,
    incidents: IncidentsConfig | None,
    now: datetime,
) -> int:
    """Write a reminder for each open incident whose status update is overdue at ``now``
    (once per due time); how many messages."""
    if alerting is None:
        return 0
    severities = incidents.severities if incidents is not None else DEFAULT_SEVERITIES
    found = [i for i in find_incidents(session, [s.value for s in OPEN_STATUSES]) if i.is_open]
    last = last_update_times(session, [i.id for i in found])
    written = 0
    for incident in found:
        previous = last.get(incident.id)
        if not update_overdue(incident, previous, now, severities):
            continue
        due = next_update_due(incident, previous, severities)
        assert due is not None
        message = reminder_message(incident, due, previous)
        key = f"update-due:{incident.id}:{due.astimezone(UTC).isoformat()}"
        written += _send(session, incident, message, "update_due", key, alerting, incidents, now)
    return written
