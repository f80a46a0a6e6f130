"""An incident's status and the moves between them.

``triage -> investigating -> mitigated -> resolved -> closed``. The legal moves:

================ =========================================================================
from             to
================ =========================================================================
triage           investigating, mitigated, resolved (a false alarm, or fixed at once)
investigating    mitigated, resolved
mitigated        investigating (the mitigation did not hold), resolved
resolved         closed (only once the post-mortem is done), investigating (reopened)
closed           investigating (reopened)
================ =========================================================================

Reopening (from resolved or closed back to investigating) is allowed and recorded as its
own timeline event. An illegal move raises :class:`~smokejumper.errors.IllegalTransitionError`
listing the allowed ones; closing before the post-mortem is done raises its subclass
:class:`~smokejumper.errors.PostmortemPendingError`.

>>> check_transition(Status.TRIAGE, Status.MITIGATED)
<Status.MITIGATED: 'mitigated'>
>>> check_transition(Status.TRIAGE, Status.CLOSED)
Traceback (most recent call last):
...
smokejumper.errors.IllegalTransitionError: cannot move an incident from triage to closed; \
from triage it may move to: investigating, mitigated, resolved
>>> check_transition(Status.RESOLVED, Status.CLOSED)
Traceback (most recent call last):
...
smokejumper.errors.PostmortemPendingError: cannot move an incident from resolved to closed \
(its post-mortem is not done yet; finish it, then close); from resolved it may move to: \
investigating
"""

from __future__ import annotations

from enum import StrEnum

from smokejumper.errors import IllegalTransitionError, IncidentError, PostmortemPendingError


class Status(StrEnum):
    """Where an incident is in its life."""

    TRIAGE = "triage"
    INVESTIGATING = "investigating"
    MITIGATED = "mitigated"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def open(self) -> bool:
        """Whether the incident still needs work (not resolved or closed)."""
        return self in OPEN_STATUSES


OPEN_STATUSES = frozenset({Status.TRIAGE, Status.INVESTIGATING, Status.MITIGATED})

#: The moves allowed from each status, in the order of the lifecycle.
TRANSITIONS: dict[Status, tuple[Status, ...]] = {
    Status.TRIAGE: (Status.INVESTIGATING, Status.MITIGATED, Status.RESOLVED),
    Status.INVESTIGATING: (Status.MITIGATED, Status.RESOLVED),
    Status.MITIGATED: (Status.INVESTIGATING, Status.RESOLVED),
    Status.RESOLVED: (Status.INVESTIGATING, Status.CLOSED),
    Status.CLOSED: (Status.INVESTIGATING,),
}


def parse_status(value: object) -> Status:
    """The status ``value`` names (any case), or :class:`IncidentError` listing them."""
    try:
        return Status(value.strip().lower() if isinstance(value, str) else str(value))
    except ValueError:
        known = ", ".join(s.value for s in Status)
        raise IncidentError(f"unknown incident status {value!r}; known: {known}") from None


def allowed_transitions(current: Status, *, postmortem_done: bool = False) -> tuple[Status, ...]:
    """The statuses an incident in ``current`` may move to now.

    >>> [s.value for s in allowed_transitions(Status.RESOLVED, postmortem_done=True)]
    ['investigating', 'closed']
    """
    return tuple(
        s for s in TRANSITIONS[current] if not (s is Status.CLOSED and not postmortem_done)
    )


def check_transition(current: Status, target: Status, *, postmortem_done: bool = False) -> Status:
    """``target`` if an incident in ``current`` may move there, else the error."""
    allowed = [s.value for s in allowed_transitions(current, postmortem_done=postmortem_done)]
    if target is Status.CLOSED and current is Status.RESOLVED and not postmortem_done:
        raise PostmortemPendingError(
            current.value,
            target.value,
            allowed,
            "its post-mortem is not done yet; finish it, then close",
        )
    if target not in TRANSITIONS[current]:
        reason = f"it is already {current.value}" if target is current else ""
        raise IllegalTransitionError(current.value, target.value, allowed, reason)
    return target


def is_reopening(current: Status, target: Status) -> bool:
    """Whether moving from ``current`` to ``target`` reopens a finished incident."""
    return current in (Status.RESOLVED, Status.CLOSED) and target.open
