"""The ``actions`` part of the configuration file: where action-item reminders go, how often
an overdue item is reminded of, who owners are in Jira's CSV import, and the GitHub and Jira
trackers items can be filed in. Every key is optional.

.. code-block:: yaml

    actions:
      reminders:
        to: [ml-team]          # receivers; default: those of the incident's status updates
        every: 1d              # while overdue, one reminder per this (default 1d)
        enabled: true
      assignees:               # owner -> Jira user, for the CSV's Assignee column
        ML platform: jdoe
      labels: [postmortem]     # added to every exported or filed issue
      github:
        url: https://api.github.com
        repository: acme/ml-incidents
        token: ${GITHUB_TOKEN} # or token_file: /run/secrets/github
        assignees: {ML platform: [octocat]}
      jira:
        url: https://acme.atlassian.net
        project: MLOPS
        issue_type: Task
        user: bot@acme.example # with user: basic auth (Jira Cloud API token); without: bearer
        token_file: /run/secrets/jira

Tokens are not read here: they are resolved (``${ENV}``, ``token_file``) each time an issue is
filed, like receivers' secrets.

>>> c = parse_actions_config({"reminders": {"to": ["ml-team"], "every": "12h"},
...     "jira": {"url": "https://acme.atlassian.net/", "project": "MLOPS", "token": "t"}})
>>> c.remind_to, c.remind_every, c.jira.url, c.jira.issue_type
(('ml-team',), datetime.timedelta(seconds=43200), 'https://acme.atlassian.net', 'Task')
>>> parse_actions_config({"github": {"repository": "acme"}})
Traceback (most recent call last):
...
smokejumper.errors.ActionConfigError: actions.github.repository: 'acme' is not OWNER/REPO; \
write it as acme/ml-incidents
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from smokejumper.errors import ActionConfigError, IncidentConfigError
from smokejumper.incidents.document import duration, mapping, only_keys, sequence, text
from smokejumper.postmortems.action_reminders import DEFAULT_EVERY

KEYS = frozenset({"reminders", "assignees", "labels", "github", "jira"})
REMINDER_KEYS = frozenset({"to", "every", "enabled"})
GITHUB_KEYS = frozenset({"url", "repository", "token", "token_file", "labels", "assignees"})
JIRA_KEYS = frozenset({"url", "project", "issue_type", "user", "token", "token_file", "labels"})
GITHUB_API = "https://api.github.com"
_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_URL = re.compile(r"https?://[^\s/]+(/[^\s]*)?")


@dataclass(frozen=True)
class Tracker:
    """A tracker items can be filed in: ``kind`` github or jira, its API's base ``url``, the
    ``target`` (GitHub ``OWNER/REPO`` or Jira project key), and its ``settings`` as written
    (the token still unresolved)."""

    kind: str
    url: str
    target: str
    labels: tuple[str, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)
    issue_type: str = "Task"
    user: str | None = None
    #: GitHub: owner -> logins to assign.
    assignees: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class ActionsConfig:
    """The checked ``actions`` configuration (see the module docstring)."""

    remind_to: tuple[str, ...] = ()
    remind_every: timedelta = DEFAULT_EVERY
    reminders: bool = True
    assignees: Mapping[str, str] = field(default_factory=dict)
    labels: tuple[str, ...] = ()
    github: Tracker | None = None
    jira: Tracker | None = None

    def tracker(self, kind: str) -> Tracker | None:
        """The tracker ``kind`` (github or jira), if configured."""
        return {"github": self.github, "jira": self.jira}.get(kind)


def _url(value: object, path: str) -> str:
    found = text(value, path)
    if not _URL.fullmatch(found):
        raise ActionConfigError(path, f"{found!r} is not an http:// or https:// URL")
    return found.rstrip("/")


def _labels(value: object, path: str) -> tuple[str, ...]:
    return tuple(text(v, f"{path}[{i}]") for i, v in enumerate(sequence(value, path)))


def _token(doc: Mapping[str, Any], path: str) -> None:
    if "token" in doc and "token_file" in doc:
        raise ActionConfigError(f"{path}.token", "give either token or token_file, not both")
    if "token" not in doc and "token_file" not in doc:
        raise ActionConfigError(
            f"{path}.token", "missing; give token (may be ${ENV}) or token_file"
        )
    text(
        doc.get("token", doc.get("token_file")),
        path + (".token" if "token" in doc else ".token_file"),
    )


def _github(data: object, path: str) -> Tracker:
    doc = mapping(data, path)
    only_keys(doc, GITHUB_KEYS, path)
    repository = text(doc.get("repository"), f"{path}.repository")
    if not _REPOSITORY.fullmatch(repository):
        raise ActionConfigError(
            f"{path}.repository", f"{repository!r} is not OWNER/REPO; write it as acme/ml-incidents"
        )
    _token(doc, path)
    assignees = {
        text(owner, f"{path}.assignees"): tuple(
            text(v, f"{path}.assignees.{owner}")
            for v in sequence(logins, f"{path}.assignees.{owner}")
        )
        for owner, logins in mapping(doc.get("assignees", {}), f"{path}.assignees").items()
    }
    return Tracker(
        "github",
        _url(doc.get("url", GITHUB_API), f"{path}.url"),
        repository,
        _labels(doc.get("labels", []), f"{path}.labels"),
        {k: doc[k] for k in ("token", "token_file") if k in doc},
        assignees=assignees,
    )


def _jira(data: object, path: str) -> Tracker:
    doc = mapping(data, path)
    only_keys(doc, JIRA_KEYS, path)
    if "url" not in doc:
        raise ActionConfigError(
            f"{path}.url", "missing; give the site, such as https://acme.atlassian.net"
        )
    _token(doc, path)
    user = text(doc["user"], f"{path}.user") if "user" in doc else None
    return Tracker(
        "jira",
        _url(doc["url"], f"{path}.url"),
        text(doc.get("project"), f"{path}.project"),
        _labels(doc.get("labels", []), f"{path}.labels"),
        {k: doc[k] for k in ("token", "token_file") if k in doc},
        issue_type=text(doc.get("issue_type", "Task"), f"{path}.issue_type"),
        user=user,
    )


def parse_actions_config(data: object, path: str = "actions") -> ActionsConfig:
    """The configuration of ``data`` (``None``: the defaults); errors are
    :class:`~smokejumper.errors.ActionConfigError` naming the path."""
    try:
        doc = mapping(data if data is not None else {}, path)
        only_keys(doc, KEYS, path)
        reminders = mapping(doc.get("reminders", {}), f"{path}.reminders")
        only_keys(reminders, REMINDER_KEYS, f"{path}.reminders")
        to = sequence(reminders.get("to", []), f"{path}.reminders.to")
        enabled = reminders.get("enabled", True)
        if not isinstance(enabled, bool):
            raise ActionConfigError(
                f"{path}.reminders.enabled", f"expected true or false, got {enabled!r}"
            )
        every = reminders.get("every")
        owners = mapping(doc.get("assignees", {}), f"{path}.assignees")
        return ActionsConfig(
            tuple(dict.fromkeys(text(r, f"{path}.reminders.to[{i}]") for i, r in enumerate(to))),
            duration(every, f"{path}.reminders.every") if every is not None else DEFAULT_EVERY,
            enabled,
            {
                text(k, f"{path}.assignees"): text(v, f"{path}.assignees.{k}")
                for k, v in owners.items()
            },
            _labels(doc.get("labels", []), f"{path}.labels"),
            _github(doc["github"], f"{path}.github") if "github" in doc else None,
            _jira(doc["jira"], f"{path}.jira") if "jira" in doc else None,
        )
    except IncidentConfigError as err:  # the shared checks of incidents.document
        raise ActionConfigError(err.path, err.reason) from None
