"""Changes: what was done to a model or a service (a deploy, a config edit, a pipeline run, an
alias move...) and when, so that an incident's timeline can show what changed before it began.

A change is checked here, pure: its kind is one of :data:`KINDS`, its time has a zone, it names
a model or a service, its summary says something, its link is a web address and its details a
JSON object.

>>> from datetime import UTC, datetime, timedelta
>>> change = make_change(
...     key="deploy-4711", at=datetime(2026, 11, 3, 9, 30, tzinfo=UTC), kind="deploy",
...     model="churn", summary="churn v7 to production", details={"version": "7"})
>>> change.kind, change.model, change.details
('deploy', 'churn', {'version': '7'})
>>> try:
...     make_change(key="x", at=datetime(2026, 11, 3, tzinfo=UTC), kind="release",
...                 model="churn", summary="s")
... except InvalidChangeError as err:
...     print(err.field, "|", err.reason[:40])
kind | 'release' is not a kind of change; use o
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from smokejumper.errors import InvalidChangeError, InvalidLineageEventError

#: The kinds of change, in the order the docs list them.
KINDS = (
    "deploy",
    "config",
    "data",
    "pipeline",
    "feature_store",
    "flag",
    "model_version",
    "alias_move",
    "other",
)

#: Where a change came from: the changes API (and the CLI), an OpenLineage run, or the MLflow
#: poller (new model versions, stage and alias moves).
SOURCES = ("api", "openlineage", "mlflow")

MAX_KEY = 200
MAX_NAME = 200
MAX_SUMMARY = 1000
MAX_LINK = 2000
#: The largest ``details`` object, as compact JSON.
MAX_DETAILS_BYTES = 65_536


@dataclass(frozen=True)
class Change:
    """One change. ``key`` identifies it (the caller's id, making a repeated send count once);
    ``at`` is when it happened (in UTC, whatever offset it was given in); ``model`` and
    ``service`` say what it touched (one of them at least)."""

    key: str
    at: datetime
    kind: str
    summary: str
    model: str | None = None
    service: str | None = None
    link: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    source: str = "api"

    def same_content(self, other: Change) -> bool:
        """Whether ``other`` says the same as this change (its key aside): a repeated send.

        >>> from datetime import UTC, datetime, timedelta
        >>> a = make_change(key="k", at=datetime(2026, 1, 1, tzinfo=UTC), kind="flag",
        ...                 service="api", summary="dark mode on")
        >>> a.same_content(a), a.same_content(make_change(
        ...     key="k", at=a.at, kind="flag", service="api", summary="dark mode off"))
        (True, False)
        """
        mine = (self.at, self.kind, self.summary, self.model, self.service, self.link)
        theirs = (other.at, other.kind, other.summary, other.model, other.service, other.link)
        return mine == theirs and canonical(self.details) == canonical(other.details)


def canonical(details: Mapping[str, Any]) -> str:
    """``details`` as compact JSON with sorted keys (how it is stored and compared).

    >>> canonical({"b": 1, "a": [1, 2]})
    '{"a":[1,2],"b":1}'
    """
    return json.dumps(details, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def make_change(
    *,
    key: str,
    at: datetime,
    kind: str,
    summary: str,
    model: str | None = None,
    service: str | None = None,
    link: str | None = None,
    details: Mapping[str, Any] | None = None,
    source: str = "api",
) -> Change:
    """A checked :class:`Change`, or :class:`InvalidChangeError` naming the field at fault."""
    if not key or len(key) > MAX_KEY:
        raise InvalidChangeError("id", f"give 1 to {MAX_KEY} characters")
    if at.tzinfo is None:
        raise InvalidChangeError("time", "give a timezone, e.g. 2026-11-30T12:00:00Z")
    at = in_range(at, "time", InvalidChangeError)
    if kind not in KINDS:
        raise InvalidChangeError(
            "kind", f"{kind!r} is not a kind of change; use one of: {', '.join(KINDS)}"
        )
    model, service = _name("model", model), _name("service", service)
    if model is None and service is None:
        raise InvalidChangeError("model", "name the model or the service the change touched")
    summary = summary.strip()
    if not summary or len(summary) > MAX_SUMMARY:
        raise InvalidChangeError("summary", f"say what changed in 1 to {MAX_SUMMARY} characters")
    if link is not None and (
        not link.startswith(("http://", "https://")) or len(link) > MAX_LINK or " " in link
    ):
        raise InvalidChangeError(
            "link", "give a web address starting with http:// or https:// (the PR, the run...)"
        )
    details = dict(details or {})
    try:
        size = len(canonical(details).encode())
    except (TypeError, ValueError) as err:
        raise InvalidChangeError("details", f"must be a JSON object: {err}") from err
    if size > MAX_DETAILS_BYTES:
        raise InvalidChangeError(
            "details", f"{size:,} bytes as JSON, over {MAX_DETAILS_BYTES:,}; link to the rest"
        )
    if source not in SOURCES:
        raise InvalidChangeError("source", f"unknown source {source!r}")
    return Change(key, at, kind, summary, model, service, link, details, source)


#: The times a change or an OpenLineage event may have (later ones are typing mistakes, and
#: earlier ones too: no pipeline ran before 1970).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def in_range(
    when: datetime, what: str, error: type[InvalidChangeError] | type[InvalidLineageEventError]
) -> datetime:
    """``when`` (with a zone) in UTC, or ``error`` naming ``what`` when it is not from
    :data:`EARLIEST` to :data:`LATEST`.

    >>> from datetime import timedelta, timezone
    >>> in_range(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))), "time",
    ...          InvalidChangeError)
    Traceback (most recent call last):
    ...
    smokejumper.errors.InvalidChangeError: time: 0001-01-01T00:00:00+01:00 is not from 1970 to 9000
    """
    try:
        utc = when.astimezone(UTC)
    except OverflowError:
        utc = EARLIEST - timedelta(days=1)
    if not EARLIEST <= utc <= LATEST:
        raise error(what, f"{when.isoformat()} is not from 1970 to 9000")
    return utc


def _name(what: str, value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value) > MAX_NAME:
        raise InvalidChangeError(what, f"at most {MAX_NAME} characters")
    return value.strip()


def parse_details(pairs: list[str]) -> dict[str, str]:
    """``key=value`` texts (as the CLI's ``--detail`` takes them) as a details object; the
    value may hold ``=``.

    >>> parse_details(["version=7", "image=registry/churn:7", "query=a=b"])
    {'version': '7', 'image': 'registry/churn:7', 'query': 'a=b'}
    >>> parse_details(["oops"])
    Traceback (most recent call last):
    ...
    smokejumper.errors.InvalidChangeError: details: 'oops' is not key=value
    """
    details: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InvalidChangeError("details", f"{pair!r} is not key=value")
        details[name.strip()] = value
    return details
