"""What people do with alerts: list them, acknowledge one, silence some, read the outbox."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from smokejumper.alerting import AlertingConfig, Evaluation, Notification, Silence, unmatched
from smokejumper.alerting.codec import alert_to_dict
from smokejumper.errors import UnknownSilenceError
from smokejumper.service.alerting.outbox import enqueue_notification
from smokejumper.service.incidents.opening import RECENT
from smokejumper.store import outbox
from smokejumper.store.alerting_state import load_state
from smokejumper.store.alerts import find_alerts, load_alerts, save_alert, save_alerts
from smokejumper.store.database import unit_of_work
from smokejumper.store.incidents import find_incidents, store_changed
from smokejumper.store.silences import add_silence, expire_silence, load_silences
from smokejumper.store.tables import OutboxMessage

#: The integrations told of an acknowledgement as it happens (others hear of it in the next
#: notification of the group, if any).
PAGERDUTY = frozenset({"pagerduty_configs"})


def list_alerts(
    sessions: sessionmaker[Session],
    state: str | None = None,
    model: str | None = None,
    severity: str | None = None,
) -> list[dict[str, Any]]:
    """Stored alerts as JSON-ready data, newest first, filtered."""
    with sessions() as session:
        return [alert_to_dict(a) for a in find_alerts(session, state, model, severity)]


def acknowledge(
    sessions: sessionmaker[Session],
    fingerprint: str,
    by: str,
    now: datetime,
    config: AlertingConfig | None = None,
) -> dict[str, Any]:
    """Acknowledge alert ``fingerprint`` (repeats and escalation stop); the alert after it.

    The open incidents holding the alert are acknowledged too (the same act). PagerDuty is
    told at once: every PagerDuty integration of a receiver that was notified of
    the alert gets an ``acknowledge`` event for it (through the outbox, in this unit of work),
    so the incident there stops paging too. The pipeline's state row is locked first
    (PostgreSQL), as a pass does, so an acknowledgement is never overwritten by a pass running
    at the same time."""
    with unit_of_work(sessions) as session:
        state = load_state(session, for_update=True)
        alert = load_alerts(session).acknowledge(fingerprint, by, now).get(fingerprint)
        assert alert is not None
        save_alert(session, alert)
        for incident in find_incidents(session, limit=RECENT):
            if incident.is_open and fingerprint in incident.alert_fingerprints:
                store_changed(session, incident.acknowledge(now, actor=by, source="alerting"))
        if config is not None:
            for channel in state.channels.values():
                if fingerprint in channel.firing:
                    told = Notification(
                        channel.receiver,
                        f"{channel.group_key}|ack:{fingerprint}",
                        {},
                        (alert,),
                        (),
                        "changed",
                        now,
                        channel.level,
                    )
                    enqueue_notification(session, told, config, now, PAGERDUTY)
        return alert_to_dict(alert)


def create_silence(
    sessions: sessionmaker[Session],
    matchers: Sequence[str],
    starts_at: datetime,
    ends_at: datetime,
    created_by: str,
    comment: str,
    now: datetime,
) -> tuple[dict[str, Any], list[str]]:
    """Store a new silence; the silence and warnings (its matchers match no alert seen)."""
    silence = Silence.of(str(uuid.uuid4()), matchers, starts_at, ends_at, created_by, comment)
    with unit_of_work(sessions) as session:
        seen = [a.labels for a in load_alerts(session)]
        add_silence(session, silence, now)
    warnings = []
    if unmatched(silence, seen):
        warnings.append(
            "its matchers match no alert seen so far; check the label names and values "
            "(smokejumper alert list shows them)"
        )
    return silence_to_dict(silence, now), warnings


def list_silences(
    sessions: sessionmaker[Session], now: datetime, expired: bool = False
) -> list[dict[str, Any]]:
    """Silences, oldest first: active and pending ones, and with ``expired`` the rest too."""
    with sessions() as session:
        found = load_silences(session, since=None if expired else now)
    return [silence_to_dict(s, now) for s in found]


def expire(sessions: sessionmaker[Session], silence_id: str, now: datetime) -> dict[str, Any]:
    """End silence ``silence_id`` now."""
    with unit_of_work(sessions) as session:
        silence = expire_silence(session, silence_id, now)
    if silence is None:
        raise UnknownSilenceError(f"no silence has id {silence_id!r}; list the silences to find it")
    return silence_to_dict(silence, now)


def silence_to_dict(silence: Silence, now: datetime) -> dict[str, Any]:
    """``silence`` as JSON-ready data, with its state at ``now``."""
    return {
        "id": silence.id,
        "matchers": [str(m) for m in silence.matchers],
        "starts_at": silence.starts_at.isoformat(),
        "ends_at": silence.ends_at.isoformat(),
        "created_by": silence.created_by,
        "comment": silence.comment,
        "state": silence.state(now),
    }


def list_notifications(
    sessions: sessionmaker[Session], status: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """Outbox messages, newest first: receiver, integration, status, attempts, last error
    and a summary of the notification (its alerts' summaries)."""
    with sessions() as session:
        rows = outbox.recent(session, status, limit)
        return [_message(row) for row in rows]


def _message(row: OutboxMessage) -> dict[str, Any]:
    payload = json.loads(row.payload)
    notification = payload.get("notification", {})
    alerts = [*notification.get("firing", []), *notification.get("resolved", [])]
    return {
        "id": row.id,
        "key": row.key,
        "receiver": payload.get("receiver"),
        "integration": f"{payload.get('kind')}[{payload.get('index')}]",
        "status": row.status,
        "attempts": row.attempts,
        "created_at": row.created_at.isoformat(),
        "due_at": row.due_at.isoformat(),
        "sent_at": row.sent_at.isoformat() if row.sent_at else None,
        "last_error": row.last_error,
        "reason": notification.get("reason"),
        "group": notification.get("group_labels", {}),
        "alerts": [a.get("annotations", {}).get("summary", a.get("fingerprint")) for a in alerts],
    }


def receive_external(
    sessions: sessionmaker[Session], evaluations: Sequence[Evaluation], now: datetime
) -> dict[str, int]:
    """Apply alerts from outside (Alertmanager's webhook) to the stored alerts; the next pass
    routes them like Smokejumper's own. How many fire and resolved in the payload."""
    with unit_of_work(sessions) as session:
        load_state(session, for_update=True)  # as a pass does: no interleaving
        before = load_alerts(session)
        save_alerts(session, before, before.apply(evaluations, now))
    firing = sum(1 for e in evaluations if e.firing)
    return {"firing": firing, "resolved": len(evaluations) - firing}
