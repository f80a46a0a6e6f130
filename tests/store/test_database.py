"""Migrations build the schema the code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from smokejumper.store.database import current_revision, make_engine, upgrade
from smokejumper.store.search import declared_by_hand
from smokejumper.store.tables import Base


def test_migrations_match_the_tables_and_are_idempotent(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        upgrade(engine)  # a second run changes nothing
        assert current_revision(engine) == "0017"
        with engine.connect() as connection:
            # search's FTS5 table and expression index are made by hand (store/search.py)
            context = MigrationContext.configure(
                connection,
                opts={"include_name": lambda name, *_: not declared_by_hand(name)},
            )
            diff = compare_metadata(context, Base.metadata)
        assert diff == []
    finally:
        engine.dispose()


def test_a_new_sqlite_store_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    import os
    import stat

    from sqlalchemy import text

    old = os.umask(0o022)  # the usual umask, which would leave the files world-readable
    try:
        engine = make_engine(f"sqlite:///{tmp_path / 'home' / 'store.db'}")
        upgrade(engine)
        with engine.connect() as connection:  # the WAL and shared-memory files exist while open
            connection.execute(text("SELECT 1"))
            files = sorted(p.name for p in (tmp_path / "home").iterdir())
            modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "home").iterdir()}
        engine.dispose()
    finally:
        os.umask(old)
    assert files == ["store.db", "store.db-shm", "store.db-wal"]
    assert modes == dict.fromkeys(files, 0o600)


def test_batches_stored_before_migration_0007_keep_working(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from alembic import command
    from sqlalchemy import text

    from smokejumper.store.batches import stored_batch
    from smokejumper.store.database import _alembic_config, session_factory

    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        command.upgrade(_alembic_config(engine), "0006")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO models (id, name, schema_json, window_seconds, created_at) "
                    "VALUES (1, 'm', '{}', 3600, :now)"
                ),
                {"now": datetime.now(UTC)},
            )
            connection.execute(
                text(
                    "INSERT INTO ingest_batches (model_id, batch_key, rows, raw_path, "
                    "received_at) VALUES (1, 'k', 3, 'x.parquet', :now)"
                ),
                {"now": datetime.now(UTC)},
            )
        upgrade(engine)
        with session_factory(engine)() as session:
            found = stored_batch(session, 1, "k")
        assert found is not None
        assert (found.rows, found.content_digest) == (3, None)
    finally:
        engine.dispose()


def test_an_in_memory_sqlite_store_writes_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    engine = make_engine("sqlite://")
    try:
        upgrade(engine)
        assert current_revision(engine) is not None
    finally:
        engine.dispose()
    assert list(tmp_path.iterdir()) == []  # once, a file named "sqlite:" was left here
