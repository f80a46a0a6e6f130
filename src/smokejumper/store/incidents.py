"""Repository of incidents and their timelines. Nothing here commits: the caller's unit of
work does. An incident is one row (its document as JSON, with the fields lists filter on); its
timeline is append-only rows, one per event, in the order they were recorded; an event already
recorded (same id: same incident, kind, time, source, actor and details) is not recorded twice."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smokejumper.errors import UnknownIncidentError
from smokejumper.incidents import Changed, Incident, Timeline, TimelineEvent, searchable_text
from smokejumper.store.database import as_utc
from smokejumper.store.search import matching, reindex
from smokejumper.store.tables import IncidentEventRow, IncidentRow
from smokejumper.store.upsert import insert_statement


def next_incident_id(session: Session) -> str:
    """The id of the next incident: ``INC-<n>``, one more than the largest so far."""
    largest = session.scalar(select(func.max(IncidentRow.number))) or 0
    return f"INC-{largest + 1}"


def save_incident(session: Session, incident: Incident) -> None:
    """Create or replace ``incident`` (a new one, or a new title, is indexed for search)."""
    row = session.get(IncidentRow, incident.id)
    document = json.dumps(incident.to_dict(), sort_keys=True)
    if row is None:
        number = int(incident.id.rsplit("-", 1)[-1]) if incident.id.startswith("INC-") else None
        row = IncidentRow(id=incident.id, number=number, search_text="")
        session.add(row)
    titled = row.title != incident.title
    row.title = incident.title
    row.status = incident.status.value
    row.severity = incident.severity.value
    row.detected_at = incident.detected_at
    row.model = incident.models[0] if incident.models else ""
    row.document = document
    session.flush()
    if titled:
        reindex(session, [incident.id])


def load_incident(session: Session, incident_id: str, for_update: bool = False) -> Incident:
    """The incident ``incident_id``, or :class:`UnknownIncidentError`."""
    row = session.get(IncidentRow, incident_id, with_for_update=for_update)
    if row is None:
        raise UnknownIncidentError(
            f"no incident has id {incident_id!r}; smokejumper incident list shows them"
        )
    return Incident.from_dict(json.loads(row.document))


def find_incidents(
    session: Session,
    status: Iterable[str] | None = None,
    model: str | None = None,
    limit: int | None = None,
    detected_since: datetime | None = None,
    words: Sequence[str] | None = None,
) -> list[Incident]:
    """Incidents, newest first, with one of ``status``, (as first model) ``model``, detected
    at or after ``detected_since`` and whose title, notes and updates hold every one of
    ``words`` (see :mod:`smokejumper.store.search`); at most ``limit``."""
    query = select(IncidentRow.document).order_by(
        IncidentRow.detected_at.desc(), IncidentRow.id.desc()
    )
    if limit is not None:
        query = query.limit(limit)
    if status is not None:
        query = query.where(IncidentRow.status.in_(list(status)))
    if model is not None:
        query = query.where(IncidentRow.model == model)
    if detected_since is not None:
        query = query.where(IncidentRow.detected_at >= detected_since)
    if words:
        query = query.where(matching(session, words))
    return [Incident.from_dict(json.loads(doc)) for doc in session.scalars(query)]


def count_by_status_and_severity(session: Session) -> dict[tuple[str, str], int]:
    """How many incidents per (status, severity), for the metrics."""
    query = select(IncidentRow.status, IncidentRow.severity, func.count()).group_by(
        IncidentRow.status, IncidentRow.severity
    )
    return {(status, severity): int(n) for status, severity, n in session.execute(query)}


def append_events(session: Session, events: Iterable[TimelineEvent]) -> None:
    """Append ``events`` to their incidents' timelines (those already there are skipped); the
    text of notes, corrections and updates is added to their incident's search text."""
    texts: dict[str, list[str]] = {}
    stmt = (  # one statement, its values bound per event (compiled once, cached)
        insert_statement(session)(IncidentEventRow)
        .on_conflict_do_nothing(index_elements=["incident_id", "event_id"])
        .returning(IncidentEventRow.id)
    )
    for event in events:
        row = {
            "incident_id": event.incident_id,
            "event_id": event.id,
            "kind": event.kind.value,
            "at": event.at,
            "document": json.dumps(event.to_dict(), sort_keys=True),
        }
        added = session.execute(stmt, row).first() is not None
        found = searchable_text(event) if added else None
        if found:
            texts.setdefault(event.incident_id, []).append(found)
    for incident_id, said in texts.items():
        incident = session.get(IncidentRow, incident_id)
        if incident is not None:
            incident.search_text = "\n".join(t for t in (incident.search_text, *said) if t)
    if texts:
        session.flush()
        reindex(session, texts)


def store_changed(session: Session, changed: Changed) -> None:
    """Write a change: the incident after it and the events it implies, together."""
    save_incident(session, changed.incident)
    append_events(session, changed.events)


def timeline_of(session: Session, incident_id: str) -> Timeline:
    """The incident's timeline."""
    docs = session.scalars(
        select(IncidentEventRow.document)
        .where(IncidentEventRow.incident_id == incident_id)
        .order_by(IncidentEventRow.id)
    )
    return Timeline.from_list([json.loads(d) for d in docs])


def last_update_times(session: Session, incident_ids: Iterable[str]) -> dict[str, datetime]:
    """When the newest status update of each of ``incident_ids`` was posted (those with
    none are left out)."""
    ids = list(incident_ids)
    if not ids:
        return {}
    query = (
        select(IncidentEventRow.incident_id, func.max(IncidentEventRow.at))
        .where(IncidentEventRow.incident_id.in_(ids), IncidentEventRow.kind == "status_update")
        .group_by(IncidentEventRow.incident_id)
    )
    return {iid: as_utc(at) for iid, at in session.execute(query) if at is not None}
