"""Publishing a post-mortem to Confluence: one page per incident in the configured space,
created on the first publish and updated in place afterwards (its id and version are kept
with the post-mortem). A page deleted in Confluence is made anew; a page someone edited there
(a version conflict) is overwritten with the next version number, since Smokejumper's copy is
the record. Failures raise :class:`~smokejumper.errors.PublishError` with Confluence's words;
nothing stored is touched by a failed publish."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from smokejumper.errors import PublishError
from smokejumper.postmortems.confluence import ConfluenceSettings, page_address, page_body
from smokejumper.postmortems.render import body_html, to_markdown
from smokejumper.service.postmortems.documents import document, markdown_template
from smokejumper.store.database import unit_of_work
from smokejumper.store.postmortems import postmortem_row, start_postmortem

TIMEOUT = 20.0


def publish(
    sessions: sessionmaker[Session],
    incident_id: str,
    settings: ConfluenceSettings,
    now: datetime,
    *,
    actor: str,
    templates: Path | None = None,
    client: httpx.Client | None = None,
) -> dict[str, Any]:
    """Create or update the incident's page; its ``{page_id, version, url, published_at}``."""
    pm = document(sessions, incident_id, now)
    xhtml = body_html(to_markdown(pm, markdown_template(templates)))
    with sessions() as session:
        row = postmortem_row(session, incident_id)
        known = json.loads(row.publication) if row is not None and row.publication else None
    own = client is None
    http = client or httpx.Client(timeout=TIMEOUT)
    try:
        answer = _put_page(http, settings, pm.title, xhtml, known)
    finally:
        if own:
            http.close()
    published = {
        "page_id": str(answer["id"]),
        "version": int((answer.get("version") or {}).get("number") or 1),
        "url": page_address(answer),
        "published_at": now.isoformat(),
    }
    with unit_of_work(sessions) as session:
        start_postmortem(session, incident_id, now, actor).publication = json.dumps(published)
    return published


def _put_page(
    http: httpx.Client,
    settings: ConfluenceSettings,
    title: str,
    xhtml: str,
    known: dict[str, Any] | None,
) -> dict[str, Any]:
    headers = {"Authorization": settings.authorization(), "Accept": "application/json"}
    if known is not None:
        current = _current_version(http, settings, known["page_id"], headers)
        if current is not None:
            body = page_body(title, xhtml, settings, version=current + 1, page_id=known["page_id"])
            return _send(http, "PUT", f"{settings.api}/{known['page_id']}", body, headers)
    body = page_body(title, xhtml, settings)
    response = _call(http, "POST", settings.api, body, headers)
    if response.status_code == 400 and "title" in response.text.lower():
        # A page of that title exists in the space (made before its id was kept): update it.
        found = _call(
            http,
            "GET",
            settings.api,
            None,
            headers,
            params={"spaceKey": settings.space, "title": body["title"], "expand": "version"},
        )
        results = found.json().get("results") if found.status_code == 200 else None
        if results:
            page = results[0]
            number = int(page["version"]["number"]) + 1
            update = page_body(title, xhtml, settings, version=number, page_id=str(page["id"]))
            return _send(http, "PUT", f"{settings.api}/{page['id']}", update, headers)
    return _judge(response, "POST")


def _current_version(
    http: httpx.Client, settings: ConfluenceSettings, page_id: str, headers: dict[str, str]
) -> int | None:
    """The page's version number now; ``None`` when it was deleted."""
    response = _call(
        http, "GET", f"{settings.api}/{page_id}", None, headers, params={"expand": "version"}
    )
    if response.status_code == 404:
        return None
    return int(_judge(response, "GET")["version"]["number"])


def _call(
    http: httpx.Client,
    method: str,
    url: str,
    body: dict[str, Any] | None,
    headers: dict[str, str],
    params: dict[str, str] | None = None,
) -> httpx.Response:
    try:
        return http.request(method, url, json=body, headers=headers, params=params)
    except httpx.HTTPError as err:
        raise PublishError(
            f"cannot reach Confluence at {url} ({type(err).__name__}: {err}); the post-mortem "
            "is unchanged, publish again when it answers"
        ) from err


def _send(
    http: httpx.Client, method: str, url: str, body: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    return _judge(_call(http, method, url, body, headers), method)


def _judge(response: httpx.Response, method: str) -> dict[str, Any]:
    if response.status_code >= 400:
        try:
            message = response.json().get("message") or response.text
        except ValueError:
            message = response.text
        raise PublishError(
            f"Confluence refused {method} {response.request.url.path} "
            f"({response.status_code}): {str(message)[:500]}"
        )
    answer: dict[str, Any] = response.json()
    return answer
