"""Window summaries of a model's predictions: parts merged on read, compared with the
reference (:mod:`smokejumper.monitoring.windows` does the merging)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from smokejumper.monitoring.times import query_time
from smokejumper.monitoring.windows import summarise
from smokejumper.service.references import ReferenceCache
from smokejumper.store.models import get_model
from smokejumper.store.windows import window_part_rows


def window_summaries(
    sessions: sessionmaker[Session],
    references: ReferenceCache,
    name: str,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[dict[str, Any]]:
    """Each window starting in ``[start, end)``: rows, rows per version, nulls per column and
    drift against the reference, as the API answers them. Times before 1970 or past the year
    9000 are refused (:class:`~smokejumper.errors.InputError`)."""
    start, end = query_time("start", start), query_time("end", end)
    with sessions() as session:
        model = get_model(session, name)
        rows = window_part_rows(session, model, start, end)
        reference = references.get(session, model)
    return [w.to_dict(reference) for w in summarise(rows, model.window_seconds)]
