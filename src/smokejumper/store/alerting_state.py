"""Repository of the notification pipeline's state (one row). Nothing here commits."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.orm import Session

from smokejumper.alerting import PipelineState
from smokejumper.store.database import as_utc
from smokejumper.store.tables import AlertingStateRow

_ID = 1


def load_state(session: Session, for_update: bool = False) -> PipelineState:
    """The pipeline's state after the last pass (empty before the first). With
    ``for_update``, the row is locked until the caller's transaction ends (PostgreSQL), so
    two passes never interleave."""
    row = session.get(AlertingStateRow, _ID, with_for_update=for_update)
    return PipelineState() if row is None else PipelineState.from_dict(json.loads(row.document))


def last_pass_at(session: Session) -> datetime | None:
    """When the last pass ran (its ``now``), or ``None`` before the first."""
    row = session.get(AlertingStateRow, _ID)
    return None if row is None else as_utc(row.updated_at)


def save_state(session: Session, state: PipelineState, now: datetime) -> None:
    """Keep ``state`` for the next pass."""
    document = json.dumps(state.to_dict(), sort_keys=True)
    row = session.get(AlertingStateRow, _ID)
    if row is None:
        session.add(AlertingStateRow(id=_ID, document=document, updated_at=now))
    else:
        row.document, row.updated_at = document, now
    session.flush()
