"""The roles in an incident response: roles, not culprits.

>>> parse_role("Commander")
<Role.COMMANDER: 'commander'>
"""

from __future__ import annotations

from enum import StrEnum

from smokejumper.errors import IncidentError


class Role(StrEnum):
    """A role in the response. Roles, not culprits: they say who leads, who writes things
    down and who tells the others."""

    COMMANDER = "commander"
    SCRIBE = "scribe"
    COMMUNICATIONS = "communications"


def parse_role(value: object) -> Role:
    """The role ``value`` names, or :class:`IncidentError` listing them."""
    try:
        return Role(value.strip().lower() if isinstance(value, str) else str(value))
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise IncidentError(f"unknown incident role {value!r}; known: {known}") from None
