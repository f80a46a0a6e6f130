"""Diagnosing an incident: gather its inputs, run every collector, store the ranked
hypotheses (table ``diagnoses``) and put a ``diagnosed`` event on its timeline, in one unit
of work; an incident just opened also gets the top hypothesis's taxonomy label when it is
confident enough. It runs when an incident opens (after the alerting pass that opened it has
committed: a diagnosis that fails is logged and never undoes or stops the pass) and on demand
(``POST /api/v1/incidents/{id}/diagnose``)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from smokejumper.incidents import diagnosed
from smokejumper.rca import diagnose
from smokejumper.service.rca.gather import LOOKBACK_HOURS, gather
from smokejumper.store.database import unit_of_work
from smokejumper.store.diagnoses import add_diagnosis, latest_diagnosis
from smokejumper.store.incidents import append_events, load_incident, store_changed
from smokejumper.store.rawlog import RawLog

log = logging.getLogger(__name__)

#: Hypotheses named on the timeline event.
ON_TIMELINE = 3
#: The confidence from which the top hypothesis labels an incident just opened.
LABEL_CONFIDENCE = 0.5


def run_diagnosis(
    sessions: sessionmaker[Session],
    raw_log: RawLog | None,
    incident_id: str,
    now: datetime,
    *,
    trigger: str = "on_demand",
    actor: str | None = None,
    lookback_hours: float = LOOKBACK_HOURS,
) -> dict[str, Any]:
    """Diagnose the incident now; the stored diagnosis as the API answers it."""
    with sessions() as session:
        inputs = gather(session, raw_log, incident_id, now, timedelta(hours=lookback_hours))
    found = diagnose(inputs)
    document = found.to_dict()
    document["lookback_hours"] = lookback_hours
    top = [
        {k: h[k] for k in ("id", "title", "label", "category", "confidence")}
        for h in document["hypotheses"][:ON_TIMELINE]
    ]
    with unit_of_work(sessions) as session:
        load_incident(session, incident_id)
        number = add_diagnosis(session, incident_id, now, trigger, actor, document)
        event = diagnosed(
            incident_id,
            found.summary,
            now,
            diagnosis_id=number,
            hypotheses=top,
            trigger=trigger,
            actor=actor,
        )
        append_events(session, [event])
        if trigger == "opened":
            label_from_diagnosis(session, incident_id, document["hypotheses"], now)
    return {
        **document,
        "diagnosis_id": number,
        "trigger": trigger,
        "actor": actor,
        "event_id": event.id,
    }


def label_from_diagnosis(
    session: Session, incident_id: str, hypotheses: list[dict[str, Any]], now: datetime
) -> None:
    """Add the top hypothesis's taxonomy label to an incident just opened, when its confidence
    is at least :data:`LABEL_CONFIDENCE` (a ``labels_changed`` event from ``rca``: people may
    remove it). The labels guessed from the alerts' monitor types stay."""
    if not hypotheses or float(hypotheses[0]["confidence"]) < LABEL_CONFIDENCE:
        return
    incident = load_incident(session, incident_id, for_update=True)
    if incident.merged_into is not None or incident.status.value == "closed":
        return
    changed = incident.relabel(now, add=[hypotheses[0]["label"]], actor=None, source="rca")
    if changed.events:
        store_changed(session, changed)


def diagnose_opened(
    sessions: sessionmaker[Session],
    raw_log: RawLog | None,
    incident_ids: Iterable[str],
    now: datetime,
) -> int:
    """Diagnose each incident just opened; how many were diagnosed. A failure is logged and
    skipped: the alerting pass that opened them stands whatever happens here."""
    done = 0
    for incident_id in incident_ids:
        try:
            run_diagnosis(sessions, raw_log, incident_id, now, trigger="opened")
            done += 1
        except Exception:
            log.exception(
                "diagnosing %s when it opened failed; ask again with "
                "POST /api/v1/incidents/%s/diagnose",
                incident_id,
                incident_id,
            )
    return done


def hypotheses_of(sessions: sessionmaker[Session], incident_id: str) -> dict[str, Any]:
    """The incident's latest diagnosis (``diagnosed`` false, with no hypotheses, when it was
    never diagnosed)."""
    with sessions() as session:
        load_incident(session, incident_id)
        found = latest_diagnosis(session, incident_id)
    if found is None:
        return {
            "incident_id": incident_id,
            "diagnosed": False,
            "hypotheses": [],
            "summary": None,
            "reason": "not diagnosed yet; POST "
            f"/api/v1/incidents/{incident_id}/diagnose (smokejumper incident diagnose "
            f"{incident_id}) runs it",
        }
    return {**found, "diagnosed": True}


def stored_hypotheses(session: Session, incident_id: str) -> list[dict[str, Any]]:
    """The latest diagnosis's hypotheses (none when never diagnosed), for the post-mortem."""
    found = latest_diagnosis(session, incident_id)
    return list(found["hypotheses"]) if found else []
