"""Engines, sessions and migrations for the metadata store.

SQLite runs in WAL mode with ``synchronous=FULL``, so a committed transaction survives a crash
of the process or the machine. A new SQLite file (and so its ``-wal`` and ``-shm`` files) is
created readable by its owner only (0600). ``postgresql://`` URLs use psycopg 3.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")


def normalise_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs that name no driver.

    >>> normalise_url("postgresql://localhost/test")
    'postgresql+psycopg://localhost/test'
    """
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _create_private(path: Path) -> None:
    """Create the SQLite file readable and writable by its owner only (0600), if it does not
    exist yet. SQLite gives its ``-wal`` and ``-shm`` files the database file's permissions."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get their folder created and durable settings."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = make_url(url).database  # None or "" for an in-memory store (``sqlite://``)
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            _create_private(Path(path))
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose writes are committed together when the block ends without error, and
    rolled back when it raises. Repositories never commit: the service layer opens one unit of
    work per use case, so an observation, the alert it fires and the notification in the outbox
    are stored together or not at all.

    >>> from sqlalchemy import text
    >>> engine = make_engine("sqlite://")
    >>> with unit_of_work(session_factory(engine)) as session:
    ...     session.execute(text("CREATE TABLE t (x INTEGER)")).rowcount
    ...     _ = session.execute(text("INSERT INTO t VALUES (1)"))
    -1
    >>> with session_factory(engine)() as session:
    ...     session.execute(text("SELECT count(*) FROM t")).scalar()
    1
    """
    with sessions() as session, session.begin():
        yield session


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Migrate the store to the newest schema (idempotent)."""
    from alembic import command

    command.upgrade(_alembic_config(engine), "head")


def current_revision(engine: Engine) -> str | None:
    """The store's schema revision, or ``None`` before the first migration."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def as_utc(value: datetime) -> datetime:
    """A datetime read from the store, in UTC (SQLite returns them without a zone).

    >>> as_utc(datetime(2026, 1, 1)).isoformat()
    '2026-01-01T00:00:00+00:00'
    """
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
