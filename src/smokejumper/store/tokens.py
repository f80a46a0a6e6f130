"""API tokens with scopes, stored as SHA-256 hashes; the plain token is shown once.

Scopes are ordered: ``admin`` can do what ``write`` can, ``write`` what ``read`` can.
``ingest`` only logs predictions and labels.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from smokejumper.errors import InputError
from smokejumper.store.tables import ApiToken

SCOPES = ("ingest", "read", "write", "admin")
_GRANTS = {
    "ingest": {"ingest"},
    "read": {"read"},
    "write": {"read", "write"},
    "admin": {"ingest", "read", "write", "admin"},
}
PREFIX = "sj_"


def grants(scope: str, needed: str) -> bool:
    """Whether a token of ``scope`` may do what needs ``needed``.

    >>> grants("admin", "ingest"), grants("read", "write"), grants("write", "read")
    (True, False, True)
    """
    return needed in _GRANTS.get(scope, set())


def digest(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, scope: str, name: str = "") -> str:
    """Store a new token and return it in plain text (the only time it is seen)."""
    if scope not in SCOPES:
        raise InputError(f"unknown scope {scope!r}; use one of {', '.join(SCOPES)}")
    token = PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            name=name or scope,
            scope=scope,
            token_hash=digest(token),
            created_at=datetime.now(UTC),
        )
    )
    session.flush()
    return token


def scope_of(session: Session, token: str) -> str | None:
    """The scope of a valid, unrevoked token, or ``None``."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
    if row is None or row.revoked_at is not None:
        return None
    return row.scope


_SCOPE = select(ApiToken.scope).where(
    ApiToken.token_hash == bindparam("hash"), ApiToken.revoked_at.is_(None)
)


def scope_for_digest(connection: Connection, hashed: str) -> str | None:
    """The scope of the unrevoked token whose :func:`digest` is ``hashed``, or ``None`` (a
    plain statement on a connection: it runs before every request)."""
    found: str | None = connection.execute(_SCOPE, {"hash": hashed}).scalar()
    return found
