"""Repository of alerts: one row per fingerprint holding the alert's last episode. Nothing here
commits: the caller's unit of work does."""

from __future__ import annotations

import json

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from smokejumper.alerting import Alert, AlertSet
from smokejumper.alerting.codec import alert_from_dict, alert_to_dict
from smokejumper.store.tables import AlertRow
from smokejumper.store.upsert import upsert_many


def load_alerts(session: Session) -> AlertSet:
    """Every stored alert."""
    docs = session.scalars(select(AlertRow.document))
    return AlertSet(alert_from_dict(json.loads(doc)) for doc in docs)


def find_alerts(
    session: Session,
    state: str | None = None,
    model: str | None = None,
    severity: str | None = None,
) -> list[Alert]:
    """Stored alerts, filtered, newest start first."""
    query = select(AlertRow.document).order_by(AlertRow.starts_at.desc(), AlertRow.fingerprint)
    if state is not None:
        query = query.where(AlertRow.state == state)
    if model is not None:
        query = query.where(AlertRow.model == model)
    if severity is not None:
        query = query.where(AlertRow.severity == severity)
    return [alert_from_dict(json.loads(doc)) for doc in session.scalars(query)]


def save_alerts(session: Session, before: AlertSet, after: AlertSet) -> None:
    """Write what changed from ``before`` to ``after``: changed alerts are replaced, alerts no
    longer in ``after`` deleted."""
    changed = [a for a in after if before.get(a.fingerprint) != a]
    upsert_many(session, AlertRow, [_row(a) for a in changed], ["fingerprint"])
    gone = [a.fingerprint for a in before if a.fingerprint not in after]
    if gone:
        session.execute(delete(AlertRow).where(AlertRow.fingerprint.in_(gone)))


def save_alert(session: Session, alert: Alert) -> None:
    """Create or replace one alert."""
    upsert_many(session, AlertRow, [_row(alert)], ["fingerprint"])


def _row(alert: Alert) -> dict[str, object]:
    return {
        "fingerprint": alert.fingerprint,
        "state": alert.state,
        "model": alert.labels.get("model", ""),
        "severity": alert.labels.get("severity", ""),
        "starts_at": alert.starts_at,
        "ends_at": alert.ends_at,
        "document": json.dumps(alert_to_dict(alert), sort_keys=True),
    }


def count_by_state_and_severity(session: Session) -> dict[tuple[str, str], int]:
    """How many alerts per (state, severity), for the metrics."""
    counts: dict[tuple[str, str], int] = {}
    for state, severity in session.execute(select(AlertRow.state, AlertRow.severity)):
        counts[(state, severity)] = counts.get((state, severity), 0) + 1
    return counts
