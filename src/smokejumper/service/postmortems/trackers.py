"""Filing an action item as an issue in GitHub or Jira, through their REST APIs.

GitHub: ``POST {url}/repos/{owner}/{repo}/issues`` with ``{title, body, labels, assignees}``
and the headers GitHub documents (``Accept: application/vnd.github+json``,
``Authorization: Bearer <token>``, ``X-GitHub-Api-Version: 2022-11-28``); the answer's
``number`` and ``html_url`` give the key (``owner/repo#number``) and URL.

Jira: ``POST {url}/rest/api/2/issue`` with ``{"fields": {"project": {"key"}, "summary",
"description", "issuetype": {"name"}, "duedate", "labels"}}`` (API version 2 takes the
description as plain text; version 3 would want Atlassian Document Format), authenticated
with ``Bearer <token>`` (a Data Center personal access token) or, when ``user`` is set, basic
``user:token`` (a Jira Cloud API token); the answer's ``key`` is the key and
``{url}/browse/{key}`` the URL.

Tokens are resolved at each call (``${ENV}``, ``token_file``; see
:mod:`smokejumper.delivery.secrets`). Anything but a 201 with the published answer is a
:class:`~smokejumper.errors.TrackerError` holding the tracker's own message (never the token).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import httpx

from smokejumper.delivery.http import BODY_LIMIT, new_client, target
from smokejumper.delivery.secrets import resolve
from smokejumper.errors import TrackerError
from smokejumper.postmortems.action_config import Tracker
from smokejumper.postmortems.action_export import IssueFacts, issue_body, issue_labels, summary

GITHUB_API_VERSION = "2022-11-28"


@dataclass(frozen=True)
class FiledIssue:
    """An issue made in a tracker: its key (``MLOPS-12``, ``acme/ml#7``) and web URL."""

    tracker: str
    key: str
    url: str


def github_request(tracker: Tracker, facts: IssueFacts) -> dict[str, Any]:
    """The JSON body of GitHub's create-an-issue call for ``facts``."""
    item = facts.item
    return {
        "title": summary(item),
        "body": issue_body(facts),
        "labels": issue_labels(item, tracker.labels),
        "assignees": list(tracker.assignees.get(item.owner, ())),
    }


def jira_request(tracker: Tracker, facts: IssueFacts) -> dict[str, Any]:
    """The JSON body of Jira's create-issue call (REST API 2) for ``facts``."""
    item = facts.item
    return {
        "fields": {
            "project": {"key": tracker.target},
            "summary": summary(item),
            "description": issue_body(facts),
            "issuetype": {"name": tracker.issue_type},
            "duedate": item.due.isoformat(),
            "labels": issue_labels(item, tracker.labels),
        }
    }


def _token(tracker: Tracker) -> str:
    resolved = resolve(tracker.kind, tracker.settings, f"actions.{tracker.kind}")
    return str(resolved["token"])


def _message(response: httpx.Response) -> str:
    """What the tracker said: Jira's ``errorMessages`` and ``errors``, GitHub's ``message``
    and ``errors``, else the body's text."""
    try:
        data = response.json()
    except ValueError:
        return response.text[:BODY_LIMIT].strip() or "(an empty answer)"
    if not isinstance(data, dict):
        return str(data)[:BODY_LIMIT]
    parts: list[str] = [str(m) for m in data.get("errorMessages") or []]
    errors = data.get("errors")
    if isinstance(errors, dict):
        parts += [f"{k}: {v}" for k, v in errors.items()]
    if data.get("message"):
        parts.insert(0, str(data["message"]))
    if isinstance(errors, list):
        parts += [str(e.get("message") or e) if isinstance(e, dict) else str(e) for e in errors]
    return "; ".join(parts)[:BODY_LIMIT] or response.text[:BODY_LIMIT]


def _post(
    client: httpx.Client, tracker: Tracker, url: str, body: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    name = {"github": "GitHub", "jira": "Jira"}[tracker.kind]
    try:
        response = client.post(url, json=body, headers=headers)
    except httpx.HTTPError as err:
        raise TrackerError(
            f"{name} at {target(url)} could not be reached ({type(err).__name__}); the action "
            "item is unchanged: try again, or check actions." + tracker.kind + ".url"
        ) from None
    if response.status_code != 201:
        raise TrackerError(
            f"{name} refused to create the issue ({response.status_code}): {_message(response)}; "
            "the action item is unchanged"
        )
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise TrackerError(
            f"{name} answered 201 without a JSON object; the action item is unchanged"
        )
    return data


def create_issue(
    tracker: Tracker, facts: IssueFacts, client: httpx.Client | None = None
) -> FiledIssue:
    """File ``facts``' item in ``tracker``; the issue's key and URL."""
    token = _token(tracker)
    own = client is None
    http = client or new_client()
    try:
        if tracker.kind == "github":
            headers = {
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {token}",
                "X-GitHub-Api-Version": GITHUB_API_VERSION,
            }
            url = f"{tracker.url}/repos/{tracker.target}/issues"
            data = _post(http, tracker, url, github_request(tracker, facts), headers)
            number, html = data.get("number"), data.get("html_url")
            if not isinstance(number, int) or not isinstance(html, str):
                raise TrackerError(
                    "GitHub's answer lacks number or html_url; the action item is unchanged"
                )
            return FiledIssue("github", f"{tracker.target}#{number}", html)
        if tracker.user:
            basic = base64.b64encode(f"{tracker.user}:{token}".encode()).decode()
            auth = f"Basic {basic}"
        else:
            auth = f"Bearer {token}"
        headers = {"Accept": "application/json", "Authorization": auth}
        url = f"{tracker.url}/rest/api/2/issue"
        data = _post(http, tracker, url, jira_request(tracker, facts), headers)
        key = data.get("key")
        if not isinstance(key, str) or not key:
            raise TrackerError("Jira's answer lacks the issue's key; the action item is unchanged")
        return FiledIssue("jira", key, f"{tracker.url}/browse/{key}")
    finally:
        if own:
            http.close()
