"""When an action item is reminded of: once when it falls due, then once per interval while
it is overdue; never on every pass.

An item falls due at the start of its due date (00:00 UTC) and is overdue from the start of
the day after. Its reminder times ("slots") are the due time, the overdue time, and every
``every`` (default a day) after that. At ``now`` the current slot is the latest one at or
before ``now``; a reminder is owed when the item is open and was last reminded for an earlier
slot (``reminded_for``). So a pass that runs every minute sends one reminder per slot, and
one that did not run for a week sends one (for the latest slot), not seven.

>>> from datetime import UTC, datetime, timedelta
>>> from smokejumper.postmortems.actions import ActionItem
>>> t = datetime(2026, 11, 2, tzinfo=UTC)
>>> item, _ = ActionItem.create("ACT-1", "INC-7", type="prevent", owner="ML platform",
...     description="Schema check", due="2026-11-10", now=t, actor="ana")
>>> reminder_due(item, datetime(2026, 11, 9, 23, tzinfo=UTC)) is None
True
>>> first = reminder_due(item, datetime(2026, 11, 10, 8, tzinfo=UTC))
>>> first.slot.isoformat(), first.overdue
('2026-11-10T00:00:00+00:00', False)
>>> item = item.reminded(first.slot)
>>> reminder_due(item, datetime(2026, 11, 10, 17, tzinfo=UTC)) is None
True
>>> late = reminder_due(item, datetime(2026, 11, 13, 9, tzinfo=UTC))
>>> late.slot.isoformat(), late.overdue, late.days_late
('2026-11-13T00:00:00+00:00', True, 3)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from smokejumper.errors import ActionItemError
from smokejumper.postmortems.actions import ActionItem

#: How often an overdue item is reminded of, by default.
DEFAULT_EVERY = timedelta(days=1)
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Reminder:
    """A reminder owed for ``item`` at slot ``slot``: due today, or ``days_late`` days late."""

    item: ActionItem
    slot: datetime
    overdue: bool
    days_late: int


def current_slot(
    item: ActionItem, now: datetime, every: timedelta = DEFAULT_EVERY
) -> datetime | None:
    """The latest reminder time of ``item`` at or before ``now``; ``None`` before it falls
    due or once it is closed."""
    if every <= timedelta(0):
        raise ActionItemError("every", f"the reminder interval must be positive, got {every}")
    if not item.is_open:
        return None
    due = item.due_at()
    if now < due:
        return None
    overdue_from = due + _DAY
    if now < overdue_from:
        return due
    return overdue_from + ((now - overdue_from) // every) * every


def reminder_due(
    item: ActionItem, now: datetime, every: timedelta = DEFAULT_EVERY
) -> Reminder | None:
    """The reminder owed for ``item`` at ``now``, or ``None`` (see the module docstring)."""
    slot = current_slot(item, now, every)
    if slot is None or (item.reminded_for is not None and item.reminded_for >= slot):
        return None
    late = item.days_late(now)
    return Reminder(item, slot, late > 0, late)
