"""Reminders of action items through the alerting receivers, written to the outbox in the
alerting pass's unit of work (:func:`~smokejumper.service.alerting.passes.alert_pass` calls
:func:`remind_action_items`), with the time passed in.

An open item is reminded of once when it falls due and once per ``actions.reminders.every``
(default a day) while it is overdue (see :mod:`smokejumper.postmortems.action_reminders`); the
item keeps the reminder time it was last reminded for, written with the messages, so a pass
sends a reminder once, not on every pass. Outbox keys are ``action-due:<item>:<slot>`` (with
the receiver and integration), so a retried pass writes each once too.

Who hears: the receivers of ``actions: reminders: to:`` when the file names some; else those
of the incident's status updates (``incidents: updates_to``, else the receivers its alerts were
routed to, else those an alert of its models would be routed to). Slack, email and webhook
integrations get them (PagerDuty and Alertmanager push are told of alerts only).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from smokejumper.alerting import AlertingConfig, Message, Notification
from smokejumper.alerting.notifications import MESSAGE_KINDS
from smokejumper.incidents import Incident, IncidentsConfig
from smokejumper.postmortems.action_config import ActionsConfig
from smokejumper.postmortems.action_fields import OPEN_STATUSES
from smokejumper.postmortems.action_reminders import Reminder, reminder_due
from smokejumper.service.alerting.outbox import enqueue_notification
from smokejumper.service.incidents.messages import update_receivers
from smokejumper.store.action_items import find_action_items, save_action_item
from smokejumper.store.incidents import load_incident


def reminder_message(reminder: Reminder, incident: Incident) -> Message:
    """The words of a reminder.

    >>> from datetime import timedelta
    >>> from smokejumper.postmortems.actions import ActionItem
    >>> t = datetime(2026, 11, 2, tzinfo=UTC)
    >>> inc = Incident.open("INC-7", "churn flat", "SEV2", t, source="user", actor="ana").incident
    >>> item, _ = ActionItem.create("ACT-3", "INC-7", type="detect", owner="SRE",
    ...     description="Alert on null rates", due="2026-11-05", now=t, actor="ana")
    >>> m = reminder_message(Reminder(item, t + timedelta(days=5), True, 2), inc)
    >>> m.title, m.labels["action_item"]
    ('[SEV2] INC-7: action item ACT-3 is 2 days overdue', 'ACT-3')
    """
    item = reminder.item
    if reminder.overdue:
        days = reminder.days_late
        state = f"is {days} day{'s' if days != 1 else ''} overdue"
    else:
        state = "is due today"
    sections = [
        ("Action item", item.description),
        ("Type", item.type.value),
        ("Owner", item.owner),
        ("Due", item.due.isoformat()),
        ("Status", item.status.value),
        ("Incident", f"{incident.id}: {incident.title}"),
    ]
    if item.tracker_key:
        sections.append(("Tracked as", f"{item.tracker_key} {item.tracker_url or ''}".strip()))
    return Message(
        f"[{incident.severity.value}] {incident.id}: action item {item.id} {state}",
        tuple(sections),
        footer=(
            f"Close it: smokejumper actions update {item.id} --status done "
            "(or --status wont_do --reason ...)"
        ),
        labels={
            "incident": incident.id,
            "action_item": item.id,
            "owner": item.owner,
            "status": item.status.value,
            "due": item.due.isoformat(),
            "overdue": "true" if reminder.overdue else "false",
        },
        link=item.link or item.tracker_url or "",
    )


def remind_action_items(
    session: Session,
    alerting: AlertingConfig | None,
    incidents: IncidentsConfig | None,
    actions: ActionsConfig | None,
    now: datetime,
) -> int:
    """Write the reminders owed at ``now`` (see the module docstring) in the caller's unit of
    work; how many messages. Without alerting, or with reminders turned off, none (and no
    item is marked reminded, so they start once alerting is configured)."""
    config = actions or ActionsConfig()
    if alerting is None or not config.reminders:
        return 0
    statuses = [s.value for s in OPEN_STATUSES]
    written = 0
    tomorrow = now.astimezone(UTC).date() + timedelta(days=1)
    due = find_action_items(session, None, statuses, due_before=tomorrow, for_update=True)
    for item in due:
        reminder = reminder_due(item, now, config.remind_every)
        if reminder is None:
            continue
        incident = load_incident(session, item.incident_id)
        message = reminder_message(reminder, incident)
        if config.remind_to:
            receivers = [r for r in config.remind_to if r in alerting.receivers]
        else:
            receivers = update_receivers(session, incident, alerting, incidents)
        key = f"action-due:{item.id}:{reminder.slot.astimezone(UTC).isoformat()}"
        for receiver in receivers:
            notification = Notification(
                receiver,
                f"action-item:{item.id}",
                message.labels,
                (),
                (),
                "action_due",
                now,
                message=message,
            )
            written += enqueue_notification(
                session, notification, alerting, now, kinds=MESSAGE_KINDS, key=key
            )
        save_action_item(session, item.reminded(reminder.slot))
    return written
