"""API tokens: issuing them, and the scope a presented token carries."""

from __future__ import annotations

from sqlalchemy import Engine

from smokejumper.service.setup import open_store
from smokejumper.store.database import unit_of_work
from smokejumper.store.tokens import create_token, digest, scope_for_digest


def issue_token(database_url: str, scope: str, name: str = "") -> str:
    """Create a token of ``scope`` in the store at ``database_url`` (migrated first) and return
    it in plain text: the only time it is seen."""
    engine, sessions = open_store(database_url)
    try:
        with unit_of_work(sessions) as session:
            return create_token(session, scope, name)
    finally:
        engine.dispose()


def token_scope(engine: Engine, token: str) -> str | None:
    """The scope of a valid, unrevoked token, or ``None``; on a connection of its own that goes
    back to the pool at once (it runs before every request)."""
    hashed = digest(token.strip())
    with engine.connect() as connection:
        return scope_for_digest(connection, hashed)
