"""Repository of root-cause diagnoses (table ``diagnoses``, migration 0016): each run of an
incident's diagnosis, its document as JSON. Nothing here commits."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smokejumper.store.database import as_utc
from smokejumper.store.tables import DiagnosisRow


def add_diagnosis(
    session: Session,
    incident_id: str,
    at: datetime,
    trigger: str,
    actor: str | None,
    document: dict[str, Any],
) -> int:
    """Store a diagnosis run; its id."""
    row = DiagnosisRow(
        incident_id=incident_id,
        at=at,
        trigger=trigger,
        actor=actor,
        summary=str(document.get("summary", "")),
        document=json.dumps(document, ensure_ascii=False, allow_nan=False),
    )
    session.add(row)
    session.flush()
    return row.id


def latest_diagnosis(session: Session, incident_id: str) -> dict[str, Any] | None:
    """The newest diagnosis of the incident (its document with ``id``, ``trigger``,
    ``actor``), or ``None``."""
    row = session.scalars(
        select(DiagnosisRow)
        .where(DiagnosisRow.incident_id == incident_id)
        .order_by(DiagnosisRow.at.desc(), DiagnosisRow.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    document: dict[str, Any] = json.loads(row.document)
    return {
        **document,
        "diagnosis_id": row.id,
        "trigger": row.trigger,
        "actor": row.actor,
        "stored_at": as_utc(row.at).isoformat(),
    }
