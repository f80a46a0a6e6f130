"""One alerting pass: the sources' evaluations fire and resolve alerts, the pure pipeline
decides what to send, and the alerts, the pipeline's state, the notifications, the incidents
the alerts open or join, the reminders of overdue status updates and those of due and overdue
post-mortem action items are written in one unit of
work, so a notification is in the outbox if and only if the pass that decided it is stored (a
crash in between sends nothing and loses nothing: the next pass decides again).

Without an alerting configuration, alerts are still kept (``GET /api/v1/alerts`` lists them)
and go to :data:`NOWHERE`, a receiver without integrations: nothing is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from smokejumper.alerting import AlertingConfig, Evaluation, parse_config, run_pass
from smokejumper.incidents import IncidentsConfig
from smokejumper.postmortems.action_config import ActionsConfig
from smokejumper.service.alerting.outbox import enqueue_notification
from smokejumper.service.alerting.sources import source_evaluations
from smokejumper.service.incidents.messages import remind_overdue
from smokejumper.service.incidents.opening import incidents_from_alerts
from smokejumper.service.postmortems.reminders import remind_action_items
from smokejumper.store.alerting_state import load_state, save_state
from smokejumper.store.alerts import load_alerts, save_alerts
from smokejumper.store.database import unit_of_work
from smokejumper.store.silences import load_silences

#: The configuration used when the file has none: every alert recorded, none sent.
NOWHERE = parse_config({"route": {"receiver": "nowhere"}, "receivers": [{"name": "nowhere"}]})

#: How long a resolved alert is kept (listed, and known to the pipeline) after it resolved.
KEEP_RESOLVED = timedelta(days=7)


@dataclass(frozen=True)
class PassSummary:
    """What a pass did: alerts firing after it, notifications and messages written."""

    firing: int
    notifications: int
    messages: int
    escalations: int
    incidents_opened: tuple[str, ...] = ()


def alert_pass(
    sessions: sessionmaker[Session],
    config: AlertingConfig | None,
    now: datetime,
    extra: list[Evaluation] | None = None,
    incidents: IncidentsConfig | None = None,
    actions: ActionsConfig | None = None,
) -> PassSummary:
    """Evaluate every source at ``now`` (plus ``extra`` evaluations, e.g. from an inbound
    webhook), run the pipeline, open or join incidents by the ``incidents`` policy (default:
    page alerts open one), remind of action items by the ``actions`` configuration and store the
    outcome (see the module docstring)."""
    configured, config = config, config or NOWHERE
    with sessions() as session:
        evaluations = source_evaluations(session)
    evaluations.extend(extra or [])
    with unit_of_work(sessions) as session:
        state = load_state(session, for_update=True)
        before = load_alerts(session)
        alerts = before.apply(evaluations, now)
        result = run_pass(alerts, config, load_silences(session, since=now), state, now)
        alerts = alerts.record_escalations(result.escalations).forget_resolved(now, KEEP_RESOLVED)
        save_alerts(session, before, alerts)
        opened = incidents_from_alerts(session, before, alerts, incidents, now)
        save_state(session, result.state, now)
        messages = sum(enqueue_notification(session, n, config, now) for n in result.notifications)
        messages += remind_overdue(session, configured, incidents, now)
        messages += remind_action_items(session, configured, incidents, actions, now)
    return PassSummary(
        len(alerts.firing()),
        len(result.notifications),
        messages,
        len(result.escalations),
        tuple(opened),
    )
