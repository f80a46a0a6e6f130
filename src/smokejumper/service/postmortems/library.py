"""The library of post-mortems: list and search them, and count their causes by taxonomy
label and fishbone category over time, to show what keeps recurring."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from smokejumper.errors import PostmortemError
from smokejumper.incidents import Incident, query_words
from smokejumper.postmortems.sections import Section
from smokejumper.store.incidents import find_incidents, load_incident
from smokejumper.store.postmortems import incidents_mentioning, latest_revisions, postmortem_rows

#: How causes may be counted over time.
PERIODS = ("month", "quarter", "year")


def _entry(
    session: Session, incident: Incident, status: str, updated_at: datetime
) -> dict[str, Any]:
    written = latest_revisions(session, incident.id)
    root = written.get(Section.ROOT_CAUSE)
    fishbone = written.get(Section.FISHBONE)
    return {
        "incident_id": incident.id,
        "title": incident.title,
        "severity": incident.severity.value,
        "incident_status": incident.status.value,
        "status": status,
        "labels": list(incident.labels),
        "models": list(incident.models),
        "detected_at": incident.detected_at.isoformat(),
        "updated_at": updated_at.isoformat(),
        "root_cause": root.content.splitlines()[0] if root and root.content else None,
        "categories": sorted({c["category"] for c in fishbone.content}) if fishbone else [],
        "findings": sum(len(r.findings) for r in written.values()),
    }


def library(
    sessions: sessionmaker[Session], search: str | None = None, status: str | None = None
) -> list[dict[str, Any]]:
    """Post-mortems, most recently changed first; ``search`` keeps those whose sections, or
    whose incident's title, notes and updates, hold every word of it."""
    with sessions() as session:
        rows = postmortem_rows(session, [status] if status else None)
        if search is not None:
            words = query_words(search)
            hits = incidents_mentioning(session, words)
            hits |= {i.id for i in find_incidents(session, words=words)}
            rows = [r for r in rows if r.incident_id in hits]
        return [
            _entry(session, load_incident(session, r.incident_id), r.status, r.updated_at)
            for r in rows
        ]


def period_of(at: datetime, period: str) -> str:
    """The name of the ``period`` holding ``at``: ``2026-11``, ``2026-Q4`` or ``2026``.

    >>> from datetime import UTC, datetime
    >>> period_of(datetime(2026, 11, 3, tzinfo=UTC), "quarter")
    '2026-Q4'
    """
    if period == "month":
        return f"{at.year}-{at.month:02d}"
    if period == "quarter":
        return f"{at.year}-Q{(at.month - 1) // 3 + 1}"
    return str(at.year)


def causes(sessions: sessionmaker[Session], period: str = "month") -> dict[str, Any]:
    """For each ``period``, how many post-mortems name each taxonomy label (the incident's
    labels) and each fishbone category (the causes written under it), with totals."""
    if period not in PERIODS:
        raise PostmortemError(f"no period {period!r}; choose one of: {', '.join(PERIODS)}")
    labels: dict[str, Counter[str]] = defaultdict(Counter)
    categories: dict[str, Counter[str]] = defaultdict(Counter)
    with sessions() as session:
        for row in postmortem_rows(session):
            incident = load_incident(session, row.incident_id)
            when = period_of(incident.detected_at, period)
            labels[when].update(incident.labels)
            fishbone = latest_revisions(session, row.incident_id).get(Section.FISHBONE)
            categories[when].update({c["category"] for c in fishbone.content} if fishbone else ())
    periods = sorted(set(labels) | set(categories))
    total_labels = sum(labels.values(), Counter[str]())
    total_categories = sum(categories.values(), Counter[str]())
    return {
        "period": period,
        "periods": [
            {
                "period": p,
                "labels": dict(sorted(labels[p].items())),
                "categories": dict(sorted(categories[p].items())),
            }
            for p in periods
        ],
        "total": {
            "labels": dict(total_labels.most_common()),
            "categories": dict(total_categories.most_common()),
        },
    }
