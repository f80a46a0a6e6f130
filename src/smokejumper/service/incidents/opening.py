"""Incidents from alerts, in the alerting pass's unit of work: firing alerts that the policy
takes open an incident or join the open one of their model (see
:func:`smokejumper.incidents.decide`); a monitor alert's first unhealthy window is recorded as
the incident's onset; alerts of an incident that resolve are recorded on its timeline."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from smokejumper.alerting import Alert, AlertSet, parse_matcher
from smokejumper.incidents import (
    Changed,
    IncidentsConfig,
    Join,
    Open,
    decide,
    parse_incidents_config,
)
from smokejumper.service.incidents.slack_outbox import open_channel
from smokejumper.store.incidents import (
    find_incidents,
    load_incident,
    next_incident_id,
    store_changed,
)

#: The policy without an ``incidents:`` section: page-severity alerts open incidents, and an
#: alert of the same model within 2 hours joins the open one.
DEFAULT_INCIDENTS: IncidentsConfig = parse_incidents_config({}, parse_matcher)

#: Incidents read when deciding (the newest): enough to know every open one and the alerts
#: recently attached to closed ones.
RECENT = 500


def incidents_from_alerts(
    session: Session,
    before: AlertSet,
    after: AlertSet,
    config: IncidentsConfig | None,
    now: datetime,
) -> list[str]:
    """Open or join incidents for the firing alerts of ``after`` and record the resolution of
    attached alerts that were firing in ``before``; the ids of incidents opened (each gets its
    Slack channel when ``config.slack`` is set)."""
    policy = (config or DEFAULT_INCIDENTS).policy
    slack = config.slack if config is not None else None
    known = find_incidents(session, limit=RECENT)
    opened: list[str] = []
    for decision in decide(after.firing(), known, policy):
        if isinstance(decision, Open):
            incident_id = next_incident_id(session)
            changed = _with_onsets(decision.apply(incident_id, now), decision.alerts, now)
            opened.append(incident_id)
            store_changed(session, changed)
            open_channel(session, changed.incident, slack, now)  # with Slack configured
            continue
        if isinstance(decision, Join):
            incident = load_incident(session, decision.incident_id)
            changed = _with_onsets(decision.apply(incident, now), [decision.alert], now)
        else:
            continue
        store_changed(session, changed)
    resolved = {
        a.fingerprint: a.ends_at
        for a in after
        if a.ends_at is not None and (was := before.get(a.fingerprint)) is not None and was.firing
    }
    if resolved:
        for incident in find_incidents(session, limit=RECENT):
            for fingerprint in set(incident.alert_fingerprints) & set(resolved):
                at = resolved[fingerprint]
                assert at is not None
                incident, events = incident.alert_resolved(fingerprint, at)
                store_changed(session, Changed(incident, events))
    return opened


def _with_onsets(changed: Changed, alerts: Iterable[object], now: datetime) -> Changed:
    """``changed`` with the onset of each monitor alert (its unhealthy run's first window)."""
    incident, events = changed.incident, list(changed.events)
    for alert in alerts:
        if not isinstance(alert, Alert) or not incident.is_open:
            continue
        since = alert.context.get("since")
        monitor = alert.labels.get("monitor")
        if since and monitor:
            incident, more = incident.record_onset(
                monitor, datetime.fromisoformat(since), details={"fingerprint": alert.fingerprint}
            )
            events.extend(more)
    return Changed(incident, tuple(events))
