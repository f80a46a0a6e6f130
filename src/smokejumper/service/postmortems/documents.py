"""An incident's post-mortem: its facts gathered from the store, the sections people write
(each save a revision, checked for blameless wording), its status, and the document rendered
as Markdown, HTML, PDF or JSON."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from smokejumper.errors import PostmortemError
from smokejumper.postmortems.document import PostMortem, assemble
from smokejumper.postmortems.facts import Facts, Point, Series
from smokejumper.postmortems.pdf import to_pdf
from smokejumper.postmortems.render import to_html, to_markdown
from smokejumper.postmortems.sections import Revision, parse_section, parse_status
from smokejumper.service.changes import change_to_dict
from smokejumper.service.incidents.blast_radius import blast_radius
from smokejumper.service.incidents.reconstruction import LOOKBACK_HOURS
from smokejumper.service.incidents.scope import Scope, load_scope
from smokejumper.service.rca.runs import stored_hypotheses
from smokejumper.store.action_items import find_action_items
from smokejumper.store.changes import changes_between
from smokejumper.store.database import as_utc, unit_of_work
from smokejumper.store.incidents import load_incident, timeline_of
from smokejumper.store.observations import observations_of
from smokejumper.store.postmortems import (
    add_revision,
    latest_revisions,
    postmortem_row,
    revisions_of,
    start_postmortem,
)

#: The formats the document renders to, with their media types.
FORMATS = {
    "markdown": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "json": "application/json",
}
#: Windows shown before the onset in the charts, and at most after it.
CHART_WINDOWS_BEFORE = 12
CHART_WINDOWS_AFTER = 24


def gather(session: Session, incident_id: str, now: datetime) -> Facts:
    """What Smokejumper holds about the incident (see :class:`Facts`)."""
    scope = load_scope(session, incident_id)
    lookback = timedelta(hours=LOOKBACK_HOURS)
    incident = scope.incident
    reference = scope.reference
    changes = [
        change_to_dict(c)
        for c in changes_between(session, reference - lookback, now, models=incident.models)
    ]
    pinned = frozenset(e.id for e in timeline_of(session, incident_id).pinned())
    return Facts(
        incident=incident,
        events=scope.events,
        pinned=pinned,
        changes=changes,
        blast_radius=blast_radius(session, scope, now, lookback),
        series=tuple(_series(session, scope, now)),
        actions=[item.to_dict(now) for item in find_action_items(session, incident_id)],
        hypotheses=stored_hypotheses(session, incident_id),
    )


def _series(session: Session, scope: Scope, now: datetime) -> list[Series]:
    """The values of each monitor that fired, from some windows before the onset on."""
    found = []
    for name, monitors in sorted(scope.monitors.items()):
        model = scope.models[name]
        window = scope.window(name)
        start = scope.reference - CHART_WINDOWS_BEFORE * window
        end = min(now, scope.reference + CHART_WINDOWS_AFTER * window)
        for monitor in monitors:
            rows = observations_of(session, model, monitor.name, start, end)
            points = tuple(
                Point(as_utc(row.window_start), row.value, row.healthy) for _, row in rows
            )
            kind = str(json.loads(monitor.spec_json).get("type") or "value")
            found.append(Series(name, monitor.name, kind, points))
    return found


def document(sessions: sessionmaker[Session], incident_id: str, now: datetime) -> PostMortem:
    """The assembled post-mortem of the incident (a draft if nobody started one)."""
    with sessions() as session:
        facts = gather(session, incident_id, now)
        row = postmortem_row(session, incident_id)
        written = latest_revisions(session, incident_id)
    return assemble(facts, written, status=row.status if row else "draft", now=now)


def render(
    sessions: sessionmaker[Session],
    incident_id: str,
    fmt: str,
    now: datetime,
    templates: Path | None = None,
) -> bytes:
    """The post-mortem in ``fmt`` (one of :data:`FORMATS`); ``templates`` a folder whose
    ``postmortem.md.j2`` / ``postmortem.html.j2`` replace the shipped templates."""
    if fmt not in FORMATS:
        raise PostmortemError(f"no post-mortem format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    pm = document(sessions, incident_id, now)
    markdown, page = _templates(templates)
    if fmt == "markdown":
        return to_markdown(pm, markdown).encode()
    if fmt == "html":
        return to_html(pm, markdown, page).encode()
    if fmt == "pdf":
        return to_pdf(pm, markdown)
    return json.dumps(pm.to_dict(), ensure_ascii=False).encode()


def markdown_template(folder: Path | None) -> str | None:
    """The Markdown template of ``folder``, if it holds one."""
    return _templates(folder)[0]


def _templates(folder: Path | None) -> tuple[str | None, str | None]:
    if folder is None:
        return None, None
    texts = []
    for name in ("postmortem.md.j2", "postmortem.html.j2"):
        path = folder / name
        texts.append(path.read_text("utf-8") if path.is_file() else None)
    return texts[0], texts[1]


def revision_view(revision: Revision) -> dict[str, Any]:
    """A revision as the API answers it."""
    return revision.to_dict()


def state_of(sessions: sessionmaker[Session], incident_id: str) -> dict[str, Any]:
    """The post-mortem's status, its sections' current revisions and the blameless check's
    findings in them."""
    with sessions() as session:
        load_incident(session, incident_id)
        row = postmortem_row(session, incident_id)
        written = latest_revisions(session, incident_id)
    findings = [f.to_dict() for r in written.values() for f in r.findings]
    return {
        "incident_id": incident_id,
        "status": row.status if row else "draft",
        "started": row is not None,
        "updated_at": row.updated_at.isoformat() if row else None,
        "updated_by": row.updated_by if row else None,
        "sections": {s.value: revision_view(r) for s, r in sorted(written.items())},
        "findings": findings,
        "blameless": not findings,
    }


def put_section(
    sessions: sessionmaker[Session],
    incident_id: str,
    section: str,
    content: Any,
    author: str,
    now: datetime,
) -> dict[str, Any]:
    """Save a new revision of ``section``; the answer holds it with the blameless check's
    findings (the text is kept as written: findings are suggestions, never rewrites)."""
    name = parse_section(section)
    with unit_of_work(sessions) as session:
        load_incident(session, incident_id)
        revision = add_revision(session, incident_id, name, content, author, now)
    return revision_view(revision)


def section_history(
    sessions: sessionmaker[Session], incident_id: str, section: str
) -> list[dict[str, Any]]:
    """Every revision of ``section``, oldest first."""
    name = parse_section(section)
    with sessions() as session:
        load_incident(session, incident_id)
        return [revision_view(r) for r in revisions_of(session, incident_id, name)]


def set_status(
    sessions: sessionmaker[Session], incident_id: str, status: str, actor: str, now: datetime
) -> dict[str, Any]:
    """Move the post-mortem to ``status`` (draft, review, final). Final needs a root cause
    written; the incident may close once it is final."""
    status = parse_status(status)
    with unit_of_work(sessions) as session:
        load_incident(session, incident_id)
        written = latest_revisions(session, incident_id)
        if status == "final":
            _check_final(written)
        row = start_postmortem(session, incident_id, now, actor)
        row.status = status
        row.updated_at = now
        row.updated_by = actor
    return state_of(sessions, incident_id)


def _check_final(written: dict[Any, Revision]) -> None:
    missing = [s for s in ("root_cause",) if parse_section(s) not in written]
    if missing:
        raise PostmortemError(
            f"a post-mortem cannot be final without its {', '.join(missing)}; write it with "
            "PUT /api/v1/incidents/{id}/postmortem/sections/root_cause (or smokejumper "
            "postmortem edit INCIDENT root_cause) first"
        )


def media_type(fmt: str) -> str:
    """The media type of format ``fmt``."""
    return FORMATS[fmt]
