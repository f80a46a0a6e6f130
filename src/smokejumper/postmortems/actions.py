"""Action items: what a post-mortem asks to be done so the incident does not happen again.

An item has a ``type`` (:class:`ActionType`: mitigate, prevent, detect, process), a
``description``, an ``owner`` (a role or a team, such as ``ML platform``: never required to be
a person, as blameless practice asks), a ``due`` date, a ``status`` (:class:`ActionStatus`:
``open -> in_progress -> done``, or ``wont_do`` with a reason; any status may follow any other,
so a closed item can be reopened), an optional ``link`` and, once filed in GitHub or Jira, the
tracker's key and URL.

Every change is a ``action_item`` event on the incident's timeline (what changed, from what to
what, who, when), so an item's history is part of the incident's record. Nothing here reads
the clock or does I/O: times are passed in.

>>> from datetime import UTC, datetime
>>> t = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
>>> item, made = ActionItem.create("ACT-1", "INC-7", type="prevent", owner="ML platform",
...     description="Validate the schema of the features job", due="2026-11-20", now=t,
...     actor="ana")
>>> item.status.value, made.kind.value, made.details["change"]
('open', 'action_item', 'created')
>>> item, changed = item.change({"status": "in_progress"}, t, actor="bo")
>>> changed.details["fields"]
{'status': {'from': 'open', 'to': 'in_progress'}}
>>> later = datetime(2026, 11, 23, tzinfo=UTC)
>>> item.overdue(later), item.days_late(later), item.overdue(datetime(2026, 11, 20, tzinfo=UTC))
(True, 3, False)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from typing import Any

from smokejumper.errors import ActionItemError
from smokejumper.incidents.checks import iso, parse_time
from smokejumper.incidents.timeline import EventKind, TimelineEvent
from smokejumper.postmortems.action_fields import (
    MAX_DESCRIPTION,
    MAX_OWNER,
    MAX_REASON,
    OPEN_STATUSES,
    ActionStatus,
    ActionType,
    checked_text,
    parse_due,
    parse_link,
    parse_status,
    parse_type,
)

#: What a client may change with :meth:`ActionItem.change`.
CHANGEABLE = ("type", "description", "owner", "due", "status", "link", "reason")


@dataclass(frozen=True)
class ActionItem:
    """One action item of incident ``incident_id`` (see the module docstring). Build new
    ones with :meth:`create`; change them with :meth:`change`, which also gives the timeline
    event that records the change."""

    id: str
    incident_id: str
    type: ActionType
    description: str
    owner: str
    due: date
    created_at: datetime
    created_by: str
    status: ActionStatus = ActionStatus.OPEN
    link: str | None = None
    #: Why it will not be done (required with ``wont_do``).
    reason: str | None = None
    tracker: str | None = None
    tracker_key: str | None = None
    tracker_url: str | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None
    #: The reminder time last reminded of (see :mod:`.action_reminders`), and how many sent.
    reminded_for: datetime | None = None
    reminders: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", checked_text(self.id, "id", 40))
        object.__setattr__(self, "incident_id", checked_text(self.incident_id, "incident", 40))
        object.__setattr__(self, "type", parse_type(self.type))
        object.__setattr__(self, "status", parse_status(self.status))
        object.__setattr__(
            self, "description", checked_text(self.description, "description", MAX_DESCRIPTION)
        )
        object.__setattr__(self, "owner", checked_text(self.owner, "owner", MAX_OWNER))
        object.__setattr__(self, "due", parse_due(self.due))
        object.__setattr__(self, "link", parse_link(self.link))
        object.__setattr__(self, "created_by", checked_text(self.created_by, "by", MAX_OWNER))
        for when in ("created_at", "updated_at", "reminded_for"):
            value = getattr(self, when)
            if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
                raise ActionItemError(when, f"must be a timezone-aware datetime, got {value!r}")
        if self.updated_at is None:
            object.__setattr__(self, "updated_at", self.created_at)
            object.__setattr__(self, "updated_by", self.created_by)
        if self.reason is not None:
            object.__setattr__(self, "reason", checked_text(self.reason, "reason", MAX_REASON))
        if self.status is ActionStatus.WONT_DO and self.reason is None:
            raise ActionItemError(
                "reason", "an item that will not be done needs a reason; give reason"
            )

    @classmethod
    def create(
        cls,
        item_id: str,
        incident_id: str,
        *,
        type: object,
        description: object,
        owner: object,
        due: object,
        now: datetime,
        actor: str,
        link: object = None,
        source: str = "user",
    ) -> tuple[ActionItem, TimelineEvent]:
        """A new open item and the timeline event that records it."""
        item = cls(
            item_id,
            incident_id,
            parse_type(type),
            checked_text(description, "description", MAX_DESCRIPTION),
            checked_text(owner, "owner", MAX_OWNER),
            parse_due(due),
            now,
            actor,
            link=parse_link(link),
        )
        summary = f"action item {item.id} ({item.type}, {item.owner}, due {item.due}): "
        details = {"fields": item._fields(), "summary": summary + item.description}
        return item, item._event("created", now, actor, source, details)

    def _fields(self) -> dict[str, Any]:
        return {
            "type": self.type.value,
            "description": self.description,
            "owner": self.owner,
            "due": self.due.isoformat(),
            "status": self.status.value,
            "link": self.link,
            "reason": self.reason,
        }

    def _event(
        self, change: str, now: datetime, actor: str, source: str, details: Mapping[str, Any]
    ) -> TimelineEvent:
        facts = {"action_item": self.id, "change": change, **details}
        return TimelineEvent(self.incident_id, EventKind.ACTION_ITEM, now, source, actor, facts)

    def change(
        self, fields: Mapping[str, Any], now: datetime, *, actor: str, source: str = "user"
    ) -> tuple[ActionItem, TimelineEvent | None]:
        """The item with ``fields`` changed (keys of :data:`CHANGEABLE`) and the event that
        records what changed; ``None`` for the event when nothing did."""
        unknown = sorted(set(fields) - set(CHANGEABLE))
        if unknown:
            raise ActionItemError(
                unknown[0], f"cannot be changed; change one of: {', '.join(CHANGEABLE)}"
            )
        given = dict(fields)
        if given.get("status") not in (None, ActionStatus.WONT_DO.value, ActionStatus.WONT_DO):
            given.setdefault("reason", None)  # a reason belongs to wont_do only
        changed = replace(self, **given, updated_at=now, updated_by=actor)
        before, after = self._fields(), changed._fields()
        diff = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
        if not diff:
            return self, None
        said = ", ".join(
            f"{k} {v['from']} -> {v['to']}" for k, v in diff.items() if k != "description"
        )
        summary = f"action item {self.id} changed: {said or 'description'}"
        event = changed._event("updated", now, actor, source, {"fields": diff, "summary": summary})
        return changed, event

    def tracked(
        self, tracker: str, key: str, url: str, now: datetime, *, actor: str, source: str = "user"
    ) -> tuple[ActionItem, TimelineEvent]:
        """The item filed as issue ``key`` (at ``url``) in ``tracker`` (github or jira)."""
        changed = replace(
            self,
            tracker=tracker,
            tracker_key=key,
            tracker_url=url,
            updated_at=now,
            updated_by=actor,
        )
        details = {
            "tracker": tracker,
            "key": key,
            "url": url,
            "summary": f"action item {self.id} filed in {tracker} as {key}",
        }
        return changed, changed._event("tracked", now, actor, source, details)

    def reminded(self, slot: datetime) -> ActionItem:
        """The item after a reminder for ``slot`` was sent (bookkeeping, not a change)."""
        return replace(self, reminded_for=slot, reminders=self.reminders + 1)

    @property
    def is_open(self) -> bool:
        """Whether it is still to be done (open or in progress)."""
        return self.status in OPEN_STATUSES

    def due_at(self) -> datetime:
        """When it falls due: the start of its due date, in UTC."""
        return datetime.combine(self.due, time(0), UTC)

    def days_late(self, now: datetime) -> int:
        """Whole days past the due date at ``now`` (UTC dates; 0 on or before it)."""
        return max(0, (now.astimezone(UTC).date() - self.due).days)

    def overdue(self, now: datetime) -> bool:
        """Still open after its due date (the due date itself is not late)."""
        return self.is_open and self.days_late(now) > 0

    def to_dict(self, now: datetime | None = None) -> dict[str, Any]:
        """The item as JSON data; with ``now``, also whether it is ``overdue`` and how many
        ``days_late``."""
        data: dict[str, Any] = {
            "id": self.id,
            "incident_id": self.incident_id,
            **self._fields(),
            "tracker": self.tracker,
            "tracker_key": self.tracker_key,
            "tracker_url": self.tracker_url,
            "created_at": iso(self.created_at),
            "created_by": self.created_by,
            "updated_at": iso(self.updated_at),
            "updated_by": self.updated_by,
            "reminded_for": iso(self.reminded_for),
            "reminders": self.reminders,
        }
        if now is not None:
            data["overdue"] = self.overdue(now)
            data["days_late"] = self.days_late(now) if self.is_open else 0
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ActionItem:
        """The item of :meth:`to_dict`'s data.

        >>> t = datetime(2026, 11, 2, tzinfo=UTC)
        >>> item, _ = ActionItem.create("ACT-2", "INC-7", type="detect", owner="SRE",
        ...     description="Alert on null rates", due="2026-12-01", now=t, actor="ana")
        >>> ActionItem.from_dict(item.to_dict(t)) == item
        True
        """
        created = parse_time(data.get("created_at"), "created_at")
        if created is None:
            raise ActionItemError("created_at", "missing")
        return cls(
            data["id"],
            data["incident_id"],
            data["type"],
            data["description"],
            data["owner"],
            data["due"],
            created,
            data["created_by"],
            data.get("status", "open"),
            data.get("link"),
            data.get("reason"),
            data.get("tracker"),
            data.get("tracker_key"),
            data.get("tracker_url"),
            parse_time(data.get("updated_at"), "updated_at"),
            data.get("updated_by"),
            parse_time(data.get("reminded_for"), "reminded_for"),
            int(data.get("reminders") or 0),
        )
