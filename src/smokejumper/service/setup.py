"""Opening the store: engine, migrations and the session factory, for the server and the CLI."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from smokejumper.store.database import current_revision, make_engine, session_factory, upgrade


def open_store(database_url: str, *, migrate: bool = True) -> tuple[Engine, sessionmaker[Session]]:
    """An engine for the store at ``database_url`` (migrated to the newest schema first unless
    told not to) and its session factory."""
    engine = make_engine(database_url)
    if migrate:
        upgrade(engine)
    return engine, session_factory(engine)


def migrate_store(database_url: str) -> str:
    """Migrate the store to the newest schema; its revision and address (password hidden)."""
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        return f"store at revision {current_revision(engine)} ({engine.url.render_as_string()})"
    finally:
        engine.dispose()
