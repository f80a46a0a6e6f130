"""Slack's calls: ``/smokejumper`` slash commands and Events API callbacks. Slack sends no
token; each request is checked against the app's signing secret instead (401 when the
signature is missing, wrong or more than five minutes old; 404 when Slack is not
configured). See :mod:`smokejumper.service.incidents.slack_inbound`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from smokejumper.server.body import read_body
from smokejumper.server.openapi import Refusal
from smokejumper.server.state import state
from smokejumper.service.incidents import slack_inbound

router = APIRouter(prefix="/api/v1/integrations/slack", tags=["slack"])

_REFUSED: dict[int | str, dict[str, Any]] = {
    400: {"model": Refusal, "description": "the body is not what Slack sends"},
    401: {"model": Refusal, "description": "no valid Slack signature, or too old a request"},
    404: {"model": Refusal, "description": "Slack is not configured (incidents.slack)"},
    413: {"model": Refusal, "description": "the request body is over the server's limit"},
}


async def _verified(request: Request) -> tuple[bytes, datetime]:
    raw = await read_body(request)
    now = datetime.now(UTC)
    slack_inbound.verify(
        state(request).incidents_config,
        request.headers.get("x-slack-request-timestamp"),
        raw,
        request.headers.get("x-slack-signature"),
        now,
    )
    return raw, now


@router.post("/commands", responses=_REFUSED)
async def slash_command(request: Request) -> dict[str, Any]:
    """A ``/smokejumper ack | status <status> | update <S | B | A | R> | resolve`` command
    (Slack's form-encoded POST, signed): it acts on the incident of the channel it was sent
    from, or the one named (``ack INC-3``), and answers with an ephemeral message."""
    raw, now = await _verified(request)
    form = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    app = state(request)
    return await run_in_threadpool(
        slack_inbound.slash_command,
        app.sessions,
        form,
        now,
        app.alerting_config,
        app.incidents_config,
    )


@router.post("/events", responses=_REFUSED)
async def slack_event(request: Request) -> dict[str, Any]:
    """An Events API request (signed): ``url_verification`` is answered with its
    ``challenge``; a ``message`` in an incident's channel becomes a note on its timeline."""
    raw, _ = await _verified(request)
    try:
        doc = json.loads(raw)
    except ValueError:
        raise HTTPException(400, "the body is not JSON; Slack sends events as JSON") from None
    if not isinstance(doc, dict):
        raise HTTPException(400, "the body is not a JSON object")
    app = state(request)
    return await run_in_threadpool(slack_inbound.event, app.sessions, doc, app.incidents_config)
