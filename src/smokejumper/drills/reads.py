"""Reads the SDK does not wrap (yet): answers that may not exist on this server, such as an
incident's root-cause hypotheses, which arrive with diagnosis. A 404 means "not here", None.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from smokejumper.errors import ServerError


def optional_get(url: str, token: str, path: str, *, timeout: float = 30.0) -> Any | None:
    """The JSON answer of ``GET url+path``, or None when the server answers 404."""
    try:
        response = httpx.get(
            url + path, headers={"Authorization": f"Bearer {token}"}, timeout=timeout
        )
    except httpx.HTTPError as err:
        raise ServerError(f"cannot reach {url} (GET {path}): {err}") from err
    if response.status_code == 404:
        return None
    if response.status_code >= 400:
        raise ServerError(
            f"GET {path} failed ({response.status_code}): {response.text[:300]}",
            status=response.status_code,
        )
    return response.json()


def hypotheses(url: str, token: str, incident_id: str) -> list[dict[str, Any]] | None:
    """The incident's ranked root-cause hypotheses, or None while the server has none to give
    (no diagnosis endpoint). Accepts a list or ``{"hypotheses": [...]}``."""
    answer = optional_get(url, token, f"/api/v1/incidents/{quote(incident_id, safe='')}/hypotheses")
    if answer is None:
        return None
    items = answer.get("hypotheses", []) if isinstance(answer, dict) else answer
    return [item for item in items if isinstance(item, dict)]
