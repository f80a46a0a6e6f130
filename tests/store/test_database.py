"""Migrations build the schema the code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from smokejumper.store.database import current_revision, make_engine, upgrade
from smokejumper.store.tables import Base


def test_migrations_match_the_tables_and_are_idempotent(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        upgrade(engine)  # a second run changes nothing
        assert current_revision(engine) == "0006"
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert diff == []
    finally:
        engine.dispose()
