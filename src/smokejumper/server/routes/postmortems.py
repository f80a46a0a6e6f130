"""Post-mortems: the document of an incident in Markdown, HTML, PDF or JSON; the sections
people write, each save a revision checked for blameless wording; the status; the library."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from smokejumper.errors import PostmortemError, PublishError
from smokejumper.monitoring.text import Text
from smokejumper.postmortems.blameless import lint_markdown
from smokejumper.server.auth import require
from smokejumper.server.openapi import refusals
from smokejumper.server.state import AppState, state
from smokejumper.service.postmortems import documents, library, publish

router = APIRouter(prefix="/api/v1", tags=["postmortems"])


def _now() -> datetime:
    return datetime.now(UTC)


@router.get(
    "/incidents/{incident_id}/postmortem",
    responses={
        **refusals(404, 422),
        200: {
            "content": {media: {} for media in documents.FORMATS.values()},
            "description": "the post-mortem in the format asked",
        },
    },
)
def get_postmortem(
    incident_id: str,
    request: Request,
    _: Annotated[str, Depends(require("read"))],
    format: Annotated[str, Query(description="markdown, html, pdf or json")] = "markdown",
) -> Response:
    """The incident's post-mortem, assembled now from its facts and the sections written: a
    draft until someone moves it to final."""
    app = state(request)
    body = documents.render(
        app.sessions, incident_id, format, _now(), app.settings.postmortem_templates
    )
    headers = {}
    if format == "pdf":
        headers["Content-Disposition"] = f'inline; filename="postmortem-{incident_id}.pdf"'
    return Response(body, media_type=documents.media_type(format), headers=headers)


@router.get("/incidents/{incident_id}/postmortem/sections", responses=refusals(404))
def get_sections(
    incident_id: str, request: Request, _: Annotated[str, Depends(require("read"))]
) -> dict[str, Any]:
    """The post-mortem's status, the current revision of each section written and the
    blameless check's findings in them."""
    return documents.state_of(state(request).sessions, incident_id)


class SectionIn(BaseModel):
    """A new revision of a section: Markdown text, or for ``five_whys`` a list of
    ``{why, because, evidence: [{kind, id}]}``, for ``fishbone`` a list of
    ``{category, cause, evidence}``."""

    model_config = ConfigDict(extra="forbid")

    content: str | list[dict[str, Any]] = Field(description="text, or the list described")
    by: Text = Field(min_length=1, max_length=200)


@router.put(
    "/incidents/{incident_id}/postmortem/sections/{section}",
    responses=refusals(400, 404, 413, 422),
)
def put_section(
    incident_id: str,
    section: str,
    body: SectionIn,
    request: Request,
    _: Annotated[str, Depends(require("write"))],
) -> dict[str, Any]:
    """Save a new revision of a section (the earlier ones are kept). The answer lists the
    blameless check's findings, each with a suggested rephrasing; nothing is rewritten. With
    Confluence configured to publish on save, ``published`` says where the page is now (or
    why it could not be updated: the save stands either way)."""
    app = state(request)
    saved = documents.put_section(app.sessions, incident_id, section, body.content, body.by, _now())
    if app.confluence is not None and app.confluence.publish_on_save:
        try:
            saved["published"] = _publish(app, incident_id, body.by)
        except PublishError as err:
            saved["published"] = {"error": str(err)}
    return saved


def _publish(app: AppState, incident_id: str, by: str) -> dict[str, Any]:
    if app.confluence is None:
        raise PostmortemError(
            "Confluence is not configured: add integrations: confluence: {url, space, token} "
            "to the serve --config file (docs/postmortems.md)"
        )
    return publish.publish(
        app.sessions,
        incident_id,
        app.confluence,
        _now(),
        actor=by,
        templates=app.settings.postmortem_templates,
    )


class PublishIn(BaseModel):
    """Who publishes."""

    model_config = ConfigDict(extra="forbid")

    by: Text = Field(min_length=1, max_length=200)


@router.post(
    "/incidents/{incident_id}/postmortem/publish", responses=refusals(400, 404, 413, 422, 502)
)
def post_publish(
    incident_id: str,
    body: PublishIn,
    request: Request,
    _: Annotated[str, Depends(require("write"))],
) -> dict[str, Any]:
    """Publish the post-mortem to Confluence: a page in the configured space, created once
    and updated in place afterwards. 502 with Confluence's message when it refuses."""
    return _publish(state(request), incident_id, body.by)


@router.get(
    "/incidents/{incident_id}/postmortem/sections/{section}/revisions",
    responses=refusals(404, 422),
)
def get_revisions(
    incident_id: str, section: str, request: Request, _: Annotated[str, Depends(require("read"))]
) -> list[dict[str, Any]]:
    """Every revision of a section: who changed what, when."""
    return documents.section_history(state(request).sessions, incident_id, section)


class StatusIn(BaseModel):
    """The post-mortem's new status."""

    model_config = ConfigDict(extra="forbid")

    status: Text = Field(description="draft, review or final")
    by: Text = Field(min_length=1, max_length=200)


@router.put("/incidents/{incident_id}/postmortem/status", responses=refusals(400, 404, 413, 422))
def put_status(
    incident_id: str, body: StatusIn, request: Request, _: Annotated[str, Depends(require("write"))]
) -> dict[str, Any]:
    """Move the post-mortem to draft, review or final (final needs a root cause; the incident
    can only close once its post-mortem is final)."""
    return documents.set_status(state(request).sessions, incident_id, body.status, body.by, _now())


@router.get("/postmortems", responses=refusals(422))
def get_library(
    request: Request,
    _: Annotated[str, Depends(require("read"))],
    q: Annotated[str | None, Query(max_length=500, description="words all must hold")] = None,
    status: Annotated[str | None, Query(description="draft, review or final")] = None,
) -> list[dict[str, Any]]:
    """The post-mortems, most recently changed first; ``q`` searches their sections and
    their incidents' text."""
    return library.library(state(request).sessions, q, status)


@router.get("/postmortems/causes", responses=refusals(422))
def get_causes(
    request: Request,
    _: Annotated[str, Depends(require("read"))],
    period: Annotated[str, Query(description="month, quarter or year")] = "month",
) -> dict[str, Any]:
    """How often each taxonomy label and fishbone category appears, per period."""
    return library.causes(state(request).sessions, period)


class LintIn(BaseModel):
    """Markdown to check for blaming wording."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=1_000_000)


@router.post("/postmortems/lint", responses=refusals(400, 413, 422))
def post_lint(body: LintIn, _: Annotated[str, Depends(require("read"))]) -> dict[str, Any]:
    """The blameless check on any Markdown (code blocks are skipped)."""
    found = lint_markdown(body.text)
    return {"findings": [f.to_dict() for f in found], "blameless": not found}
