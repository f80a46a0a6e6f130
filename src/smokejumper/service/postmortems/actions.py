"""What people do with action items, each in one unit of work: the item and the timeline event
that records its change are stored together, so an item's history on its incident's timeline
never misses a step. Export (Jira CSV, JSON) and filing in GitHub or Jira are here too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from smokejumper.errors import ActionItemConflictError, ActionItemError
from smokejumper.incidents import EventKind, Incident
from smokejumper.postmortems.action_config import ActionsConfig
from smokejumper.postmortems.action_export import IssueFacts, items_json, jira_csv
from smokejumper.postmortems.action_fields import OPEN_STATUSES, parse_status
from smokejumper.postmortems.actions import ActionItem
from smokejumper.service.postmortems.trackers import create_issue
from smokejumper.store.action_items import (
    find_action_items,
    load_action_item,
    next_action_id,
    save_action_item,
)
from smokejumper.store.database import unit_of_work
from smokejumper.store.incidents import append_events, load_incident, timeline_of

#: Formats of :func:`export`, and their media types.
EXPORT_FORMATS = {"json": "application/json", "csv": "text/csv; charset=utf-8"}
#: Trackers an item can be filed in.
TRACKERS = ("github", "jira")
T = TypeVar("T")


def _retrying(work: Callable[[], T], attempts: int = 3) -> T:
    """``work`` again when two requests took the same new id at once (the unique number
    refuses the second; it takes the next one)."""
    for attempt in range(attempts):
        try:
            return work()
        except IntegrityError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def add_item(
    sessions: sessionmaker[Session],
    incident_id: str,
    fields: Mapping[str, Any],
    now: datetime,
    actor: str,
) -> dict[str, Any]:
    """Add an action item to incident ``incident_id`` (``type``, ``description``, ``owner``,
    ``due`` and optionally ``link``)."""

    def work() -> dict[str, Any]:
        with unit_of_work(sessions) as session:
            incident = load_incident(session, incident_id)
            item, event = ActionItem.create(
                next_action_id(session),
                incident.id,
                type=fields.get("type"),
                description=fields.get("description"),
                owner=fields.get("owner"),
                due=fields.get("due"),
                link=fields.get("link"),
                now=now,
                actor=actor,
            )
            save_action_item(session, item)
            append_events(session, [event])
        return item.to_dict(now)

    return _retrying(work)


def items_of(
    sessions: sessionmaker[Session], incident_id: str, now: datetime
) -> list[dict[str, Any]]:
    """The items of incident ``incident_id``, by due date."""
    with sessions() as session:
        load_incident(session, incident_id)
        return [i.to_dict(now) for i in find_action_items(session, incident_id)]


def _statuses(status: str | None) -> list[str] | None:
    if status is None or status == "":
        return None
    if status == "open_or_in_progress":
        return [s.value for s in OPEN_STATUSES]
    return [parse_status(s.strip()).value for s in status.split(",")]


def find(
    sessions: sessionmaker[Session],
    now: datetime,
    status: str | None = None,
    overdue: bool = False,
    incident_id: str | None = None,
) -> list[IssueFacts]:
    """Items across incidents (or of ``incident_id``), by due date, with their incident's
    title and severity: with one of the comma-separated ``status``, and only the overdue
    ones (open or in progress, due before today, UTC) with ``overdue``."""
    statuses = _statuses(status)
    if overdue:
        open_ = {s.value for s in OPEN_STATUSES}
        statuses = [s for s in statuses if s in open_] if statuses is not None else sorted(open_)
    with sessions() as session:
        if incident_id is not None:
            load_incident(session, incident_id)
        due_before = now.astimezone(UTC).date() if overdue else None
        items = find_action_items(session, incident_id, statuses, due_before)
        incidents: dict[str, Incident] = {}
        for item in items:
            if item.incident_id not in incidents:
                incidents[item.incident_id] = load_incident(session, item.incident_id)
    return [
        IssueFacts(i, incidents[i.incident_id].title, incidents[i.incident_id].severity.value)
        for i in items
    ]


def list_items(
    sessions: sessionmaker[Session],
    now: datetime,
    status: str | None = None,
    overdue: bool = False,
    incident_id: str | None = None,
) -> list[dict[str, Any]]:
    """:func:`find`'s items as JSON data (with ``overdue`` and ``days_late``)."""
    return items_json(find(sessions, now, status, overdue, incident_id), now)


def export(
    facts: Sequence[IssueFacts], fmt: str, config: ActionsConfig | None, now: datetime
) -> str:
    """``facts`` as Jira's CSV import reads it (``csv``) or as JSON (``json``)."""
    import json

    if fmt not in EXPORT_FORMATS:
        raise ActionItemError("format", f"unknown format {fmt!r}; use one of: csv, json")
    if fmt == "json":
        return json.dumps(items_json(facts, now), indent=2, ensure_ascii=False) + "\n"
    config = config or ActionsConfig()
    issue_type = config.jira.issue_type if config.jira is not None else "Task"
    return jira_csv(facts, issue_type=issue_type, assignees=config.assignees, labels=config.labels)


def update_item(
    sessions: sessionmaker[Session],
    item_id: str,
    fields: Mapping[str, Any],
    now: datetime,
    actor: str,
) -> dict[str, Any]:
    """Change an item's ``fields`` (type, description, owner, due, status, link, reason); the
    change goes on its incident's timeline."""
    if not fields:
        raise ActionItemError(
            "body", "nothing to change; give one of type, description, owner, due, status, link"
        )
    with unit_of_work(sessions) as session:
        item = load_action_item(session, item_id, for_update=True)
        changed, event = item.change(fields, now, actor=actor)
        if event is not None:
            save_action_item(session, changed)
            append_events(session, [event])
    return changed.to_dict(now)


def show_item(sessions: sessionmaker[Session], item_id: str, now: datetime) -> dict[str, Any]:
    """The item with its ``history``: its events on its incident's timeline, oldest first."""
    with sessions() as session:
        item = load_action_item(session, item_id)
        events = timeline_of(session, item.incident_id).of_kind(EventKind.ACTION_ITEM)
    history = [e.to_dict() for e in events if e.details.get("action_item") == item.id]
    return {**item.to_dict(now), "history": history}


def file_in_tracker(
    sessions: sessionmaker[Session],
    item_id: str,
    kind: str,
    config: ActionsConfig | None,
    now: datetime,
    actor: str,
    client: httpx.Client | None = None,
) -> dict[str, Any]:
    """File the item as an issue in ``kind`` (github or jira) and keep the issue's key and URL
    on it. The call to the tracker is made outside any transaction; when it fails
    (:class:`~smokejumper.errors.TrackerError`) the item is left as it was."""
    if kind not in TRACKERS:
        raise ActionItemError("tracker", f"unknown tracker {kind!r}; use one of: github, jira")
    tracker = config.tracker(kind) if config is not None else None
    if config is None or tracker is None:
        raise ActionItemError(
            "tracker",
            f"no {kind} tracker is configured; add actions.{kind} to the file given to "
            "smokejumper serve --config (see docs/actions.md)",
        )
    with sessions() as session:
        item = load_action_item(session, item_id)
        if item.tracker_key:
            raise ActionItemConflictError(
                f"action item {item.id} is already filed in {item.tracker} as {item.tracker_key} "
                f"({item.tracker_url})"
            )
        incident = load_incident(session, item.incident_id)
    tracker = replace(tracker, labels=(*config.labels, *tracker.labels))
    facts = IssueFacts(item, incident.title, incident.severity.value)
    filed = create_issue(tracker, facts, client)
    with unit_of_work(sessions) as session:
        item = load_action_item(session, item_id, for_update=True)
        if item.tracker_key:  # filed by another request meanwhile: say so, naming both
            raise ActionItemConflictError(
                f"action item {item.id} was filed in {item.tracker} as {item.tracker_key} while "
                f"this request filed it as {filed.key} ({filed.url}); close one of them"
            )
        tracked, event = item.tracked(filed.tracker, filed.key, filed.url, now, actor=actor)
        save_action_item(session, tracked)
        append_events(session, [event])
    return tracked.to_dict(now)
