"""Repository of post-mortems and the revisions of their sections. Nothing here commits: the
caller's unit of work does. Revisions are appended, never updated or deleted; a section's
current text is its revision with the highest number."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smokejumper.postmortems.blameless import Finding
from smokejumper.postmortems.sections import Revision, Section, parse_section
from smokejumper.store.database import as_utc
from smokejumper.store.tables import PostmortemRevisionRow, PostmortemRow


def postmortem_row(
    session: Session, incident_id: str, for_update: bool = False
) -> PostmortemRow | None:
    """The post-mortem of ``incident_id``, if one was started."""
    return session.get(PostmortemRow, incident_id, with_for_update=for_update)


def start_postmortem(
    session: Session, incident_id: str, now: datetime, actor: str
) -> PostmortemRow:
    """The post-mortem of ``incident_id``, started as a draft if it was not (locked for the
    change on PostgreSQL)."""
    row = postmortem_row(session, incident_id, for_update=True)
    if row is None:
        row = PostmortemRow(
            incident_id=incident_id,
            status="draft",
            created_at=now,
            updated_at=now,
            updated_by=actor,
        )
        session.add(row)
        session.flush()
    return row


def add_revision(
    session: Session, incident_id: str, section: Section, content: Any, author: str, at: datetime
) -> Revision:
    """Append the next revision of ``section`` (checked, with its blameless findings)."""
    row = start_postmortem(session, incident_id, at, author)
    number = (
        session.scalar(
            select(func.max(PostmortemRevisionRow.number)).where(
                PostmortemRevisionRow.incident_id == incident_id,
                PostmortemRevisionRow.section == section.value,
            )
        )
        or 0
    ) + 1
    revision = Revision.make(section, number, content, author, at)
    session.add(
        PostmortemRevisionRow(
            incident_id=incident_id,
            section=section.value,
            number=number,
            content=json.dumps(revision.content, ensure_ascii=False),
            author=revision.author,
            at=at,
            findings=json.dumps([f.to_dict() for f in revision.findings]),
        )
    )
    row.updated_at = at
    row.updated_by = revision.author
    session.flush()
    return revision


def _revision(row: PostmortemRevisionRow) -> Revision:
    return Revision(
        parse_section(row.section),
        row.number,
        json.loads(row.content),
        row.author,
        as_utc(row.at),
        tuple(Finding.from_dict(f) for f in json.loads(row.findings)),
    )


def latest_revisions(session: Session, incident_id: str) -> dict[Section, Revision]:
    """The current revision of each section written so far."""
    rows = session.scalars(
        select(PostmortemRevisionRow)
        .where(PostmortemRevisionRow.incident_id == incident_id)
        .order_by(PostmortemRevisionRow.section, PostmortemRevisionRow.number)
    )
    return {parse_section(r.section): _revision(r) for r in rows}


def revisions_of(session: Session, incident_id: str, section: Section) -> list[Revision]:
    """Every revision of ``section``, oldest first."""
    rows = session.scalars(
        select(PostmortemRevisionRow)
        .where(
            PostmortemRevisionRow.incident_id == incident_id,
            PostmortemRevisionRow.section == section.value,
        )
        .order_by(PostmortemRevisionRow.number)
    )
    return [_revision(r) for r in rows]


def postmortem_rows(session: Session, status: Sequence[str] | None = None) -> list[PostmortemRow]:
    """Every post-mortem started, most recently changed first."""
    query = select(PostmortemRow).order_by(PostmortemRow.updated_at.desc())
    if status:
        query = query.where(PostmortemRow.status.in_(list(status)))
    return list(session.scalars(query))


def incidents_mentioning(session: Session, words: Sequence[str]) -> set[str]:
    """Incidents whose post-mortem sections (any revision) hold every one of ``words``
    (case-insensitive)."""
    found: set[str] | None = None
    for word in words:
        pattern = f"%{word.lower()}%"
        ids = set(
            session.scalars(
                select(PostmortemRevisionRow.incident_id).where(
                    func.lower(PostmortemRevisionRow.content).like(pattern)
                )
            )
        )
        found = ids if found is None else found & ids
    return found or set()
