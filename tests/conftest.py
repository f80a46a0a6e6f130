"""Shared fixtures: seeded random data, real stores (SQLite, PostgreSQL) and a real server."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from tests.support import (
    POSTGRES_ADMIN,
    START_POSTGRES,
    RunningServer,
    mixed_table,
    postgres_unreachable,
)

from smokejumper.settings import Settings


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


@pytest.fixture
def loans(tmp_path: Path, rng: np.random.Generator) -> tuple[Path, Path]:
    """A reference and a shifted current Parquet file."""
    ref, cur = tmp_path / "ref.parquet", tmp_path / "cur.parquet"
    pq.write_table(mixed_table(rng, 3000), ref)
    pq.write_table(mixed_table(rng, 3000, shift=True), cur)
    return ref, cur


# --------------------------------------------------------------------------- stores and servers


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An AUTOCOMMIT engine on the PostgreSQL server's admin database, probed once a session.

    ``SMOKEJUMPER_TEST_POSTGRES`` may name another server (default: ``POSTGRES_ADMIN``). When none
    answers, the PostgreSQL tests are skipped, or fail if ``SMOKEJUMPER_REQUIRE_POSTGRES=1``
    (as .ci/run sets: CI must not pass by skipping them).
    """
    from sqlalchemy import create_engine

    url = os.environ.get("SMOKEJUMPER_TEST_POSTGRES", POSTGRES_ADMIN)
    problem = postgres_unreachable(url)
    if problem is not None:
        message = (
            f"no PostgreSQL server answers at {url} ({problem}); start it with "
            f"`{START_POSTGRES}`, or set SMOKEJUMPER_TEST_POSTGRES to the admin URL of one"
        )
        if os.environ.get("SMOKEJUMPER_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"SMOKEJUMPER_REQUIRE_POSTGRES=1 and {message}", pytrace=False)
        pytest.skip(f"PostgreSQL tests skipped: {message}")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    yield admin
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store: a SQLite file, or a PostgreSQL database dropped afterwards.

    Database names are random, so parallel workers (pytest-xdist) never share one.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    from sqlalchemy import text

    admin: Engine = request.getfixturevalue("postgres_admin")
    name = f"sj_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:  # the plain postgresql:// scheme, as users write it
        yield admin.url.set(drivername="postgresql", database=name).render_as_string(
            hide_password=False
        )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on a fresh store migrated to the newest schema (both stores)."""
    from smokejumper.store.database import make_engine, session_factory, upgrade

    engine = make_engine(database_url)
    upgrade(engine)
    try:
        yield session_factory(engine)
    finally:
        engine.dispose()


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[RunningServer]:
    """The real app under uvicorn on a loopback port, in a thread of this process."""
    import threading

    import uvicorn

    from smokejumper.server.app import create_app

    settings = Settings(home=tmp_path / "home", database_url=database_url, max_body_bytes=2_000_000)
    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("server did not start")
        time.sleep(0.02)
    port = uv.servers[0].sockets[0].getsockname()[1]
    running = RunningServer(f"http://127.0.0.1:{port}", settings, "")
    running.admin = running.token("admin")
    try:
        yield running
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
        app.state.smokejumper.engine.dispose()
