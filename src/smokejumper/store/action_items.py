"""Repository of post-mortem action items. Nothing here commits: the caller's unit of work
does. An item is one row of ``action_items``; its history is on its incident's timeline
(``action_item`` events, written by the caller with :func:`~.incidents.append_events`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smokejumper.errors import UnknownActionItemError
from smokejumper.postmortems.action_fields import parse_status, parse_type
from smokejumper.postmortems.actions import ActionItem
from smokejumper.store.database import as_utc
from smokejumper.store.tables import ActionItemRow

#: The prefix of action item ids (``ACT-<n>``).
PREFIX = "ACT-"


def next_action_id(session: Session) -> str:
    """The id of the next item: ``ACT-<n>``, one more than the largest so far."""
    largest = session.scalar(select(func.max(ActionItemRow.number))) or 0
    return f"{PREFIX}{largest + 1}"


def save_action_item(session: Session, item: ActionItem) -> None:
    """Create or replace ``item``."""
    row = session.get(ActionItemRow, item.id)
    if row is None:
        number = int(item.id.removeprefix(PREFIX)) if item.id.startswith(PREFIX) else 0
        row = ActionItemRow(id=item.id, number=number)
        session.add(row)
    row.incident_id = item.incident_id
    row.type = item.type.value
    row.description = item.description
    row.owner = item.owner
    row.due = item.due
    row.status = item.status.value
    row.link = item.link
    row.reason = item.reason
    row.tracker = item.tracker
    row.tracker_key = item.tracker_key
    row.tracker_url = item.tracker_url
    row.created_at = item.created_at
    row.created_by = item.created_by
    row.updated_at = item.updated_at or item.created_at
    row.updated_by = item.updated_by or item.created_by
    row.reminded_for = item.reminded_for
    row.reminders = item.reminders
    session.flush()


def _item(row: ActionItemRow) -> ActionItem:
    return ActionItem(
        row.id,
        row.incident_id,
        parse_type(row.type),
        row.description,
        row.owner,
        row.due,
        as_utc(row.created_at),
        row.created_by,
        parse_status(row.status),
        row.link,
        row.reason,
        row.tracker,
        row.tracker_key,
        row.tracker_url,
        as_utc(row.updated_at),
        row.updated_by,
        as_utc(row.reminded_for) if row.reminded_for is not None else None,
        row.reminders or 0,
    )


def load_action_item(session: Session, item_id: str, for_update: bool = False) -> ActionItem:
    """The item ``item_id``, or :class:`UnknownActionItemError`."""
    row = session.get(ActionItemRow, item_id, with_for_update=for_update)
    if row is None:
        raise UnknownActionItemError(
            f"no action item has id {item_id!r}; smokejumper actions list shows them"
        )
    return _item(row)


def find_action_items(
    session: Session,
    incident_id: str | None = None,
    statuses: Iterable[str] | None = None,
    due_before: date | None = None,
    for_update: bool = False,
) -> list[ActionItem]:
    """Items by due date (then id), of ``incident_id`` only, with one of ``statuses``, due
    strictly before ``due_before``."""
    query = select(ActionItemRow).order_by(ActionItemRow.due, ActionItemRow.number)
    if incident_id is not None:
        query = query.where(ActionItemRow.incident_id == incident_id)
    if statuses is not None:
        query = query.where(ActionItemRow.status.in_(list(statuses)))
    if due_before is not None:
        query = query.where(ActionItemRow.due < due_before)
    if for_update:
        query = query.with_for_update()
    return [_item(row) for row in session.scalars(query)]
