"""The fields of an action item, checked: its type, status, due date, link and texts. Each
check names the field it refused and says what to give instead.

>>> parse_type("Prevent ")
Traceback (most recent call last):
...
smokejumper.errors.ActionItemError: type: unknown type 'Prevent '; use one of: mitigate, \
prevent, detect, process
>>> parse_due("2026-11-20"), parse_link(""), parse_status("in_progress").value
(datetime.date(2026, 11, 20), None, 'in_progress')
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from smokejumper.errors import ActionItemError

#: Longest description and owner accepted.
MAX_DESCRIPTION, MAX_OWNER, MAX_LINK, MAX_REASON = 5000, 200, 2000, 2000


class ActionType(StrEnum):
    """What an action item does (the SRE book's kinds, with ``detect`` for monitoring)."""

    MITIGATE = "mitigate"
    PREVENT = "prevent"
    DETECT = "detect"
    PROCESS = "process"


class ActionStatus(StrEnum):
    """Where an action item stands; ``done`` and ``wont_do`` close it."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    WONT_DO = "wont_do"


#: Statuses of items still to be done: these are reminded and count as overdue.
OPEN_STATUSES = frozenset({ActionStatus.OPEN, ActionStatus.IN_PROGRESS})

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LINK = re.compile(r"https?://[^\s]+")


def _choice(value: object, kinds: type[StrEnum], what: str) -> Any:
    try:
        return kinds(value if isinstance(value, str) else str(value))
    except ValueError:
        known = ", ".join(k.value for k in kinds)
        raise ActionItemError(what, f"unknown {what} {value!r}; use one of: {known}") from None


def parse_type(value: object) -> ActionType:
    """The :class:`ActionType` ``value`` names, or :class:`ActionItemError` listing them."""
    found: ActionType = _choice(value, ActionType, "type")
    return found


def parse_status(value: object) -> ActionStatus:
    """The :class:`ActionStatus` ``value`` names, or :class:`ActionItemError` listing them."""
    found: ActionStatus = _choice(value, ActionStatus, "status")
    return found


def parse_due(value: object) -> date:
    """The date of ``YYYY-MM-DD`` text (or a date).

    >>> parse_due("2026-02-30")
    Traceback (most recent call last):
    ...
    smokejumper.errors.ActionItemError: due: '2026-02-30' is not a date; write it as YYYY-MM-DD, \
such as 2026-11-20
    """
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ActionItemError(
        "due", f"{value!r} is not a date; write it as YYYY-MM-DD, such as 2026-11-20"
    )


def checked_text(value: object, what: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ActionItemError(what, f"must be non-empty text, got {value!r}")
    if len(value.strip()) > limit:
        raise ActionItemError(what, f"is {len(value.strip())} characters; give at most {limit}")
    return value.strip()


def parse_link(value: object) -> str | None:
    """An ``http(s)://`` URL, or ``None`` for nothing (an empty text removes a link)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or not _LINK.fullmatch(value.strip()):
        raise ActionItemError("link", f"{value!r} is not an http:// or https:// URL")
    return checked_text(value, "link", MAX_LINK)
