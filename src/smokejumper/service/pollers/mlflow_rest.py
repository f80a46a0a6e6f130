"""Reading a model registry through MLflow's REST API (httpx; no MLflow package needed).

Two searches, each read page by page (``page_token`` / ``next_page_token``):

- ``GET {tracking_uri}/api/2.0/mlflow/registered-models/search?max_results=1000`` answers
  ``{"registered_models": [{"name", "aliases": [{"alias", "version"}], ...}],
  "next_page_token"}``; 1,000 is the most MLflow allows per page.
- ``GET {tracking_uri}/api/2.0/mlflow/model-versions/search?max_results=10000`` answers
  ``{"model_versions": [{"name", "version", "current_stage", "status",
  "creation_timestamp", "last_updated_timestamp", ...}], "next_page_token"}``. It does not fill
  the versions' aliases, hence the first search.

MLflow leaves empty lists and fields out of its JSON. No answer, an error status or an answer
of another shape is a :class:`~smokejumper.errors.RegistryUnavailableError` naming the request
(scheme, host, port and path: never the user info of the URI).
"""

from __future__ import annotations

from typing import Any

import httpx

from smokejumper.changes.registry import RegistrySnapshot, snapshot_from_rest
from smokejumper.errors import RegistryUnavailableError
from smokejumper.service.pollers.mlflow_config import MlflowConfig, redacted

API = "api/2.0/mlflow"
#: Per page: the most each search allows.
MODELS_PAGE = 1000
VERSIONS_PAGE = 10_000
#: A registry answering more pages than this is refused (a server repeating its pages).
MAX_PAGES = 10_000
#: The most of an error answer kept in the message.
BODY_LIMIT = 500


def fetch_snapshot(client: httpx.Client, config: MlflowConfig) -> RegistrySnapshot:
    """The registry's state now: every registered model with its aliases, every version."""
    models = _all_pages(
        client, config, "registered-models/search", "registered_models", MODELS_PAGE
    )
    versions = _all_pages(client, config, "model-versions/search", "model_versions", VERSIONS_PAGE)
    return snapshot_from_rest(models, versions)


def _all_pages(
    client: httpx.Client, config: MlflowConfig, path: str, key: str, size: int
) -> list[dict[str, Any]]:
    url = f"{config.tracking_uri.rstrip('/')}/{API}/{path}"
    shown = f"GET {redacted(config.tracking_uri)}/{API}/{path}"
    found: list[dict[str, Any]] = []
    token: str | None = None
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        params: dict[str, str | int] = {"max_results": size}
        if token:
            params["page_token"] = token
        page = _get(client, url, params, shown, config.timeout.total_seconds())
        items = page.get(key, [])
        if not isinstance(items, list):
            raise RegistryUnavailableError(f"{shown}: {key!r} is not a list; is this MLflow?")
        found += items
        token = page.get("next_page_token") or None
        if token is None:
            return found
        if not isinstance(token, str) or token in seen:
            raise RegistryUnavailableError(f"{shown}: the server repeats its next_page_token")
        seen.add(token)
    raise RegistryUnavailableError(f"{shown}: more than {MAX_PAGES} pages; giving up")


def _get(
    client: httpx.Client, url: str, params: dict[str, str | int], shown: str, timeout: float
) -> dict[str, Any]:
    try:
        answer = client.get(url, params=params, timeout=timeout)
    except httpx.TimeoutException:
        raise RegistryUnavailableError(f"{shown}: no answer within {timeout:g} s") from None
    except httpx.HTTPError as err:
        reason = str(err).splitlines()[0] if str(err) else ""
        raise RegistryUnavailableError(f"{shown}: {type(err).__name__}: {reason}") from None
    if answer.status_code != 200:
        body = answer.text[:BODY_LIMIT].strip()
        raise RegistryUnavailableError(f"{shown} answered {answer.status_code}: {body}")
    try:
        page = answer.json()
    except ValueError:
        raise RegistryUnavailableError(
            f"{shown} answered something other than JSON; is this an MLflow tracking server?"
        ) from None
    if not isinstance(page, dict):
        raise RegistryUnavailableError(f"{shown} answered JSON that is not an object")
    return page
