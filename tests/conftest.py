"""Shared fixtures: seeded random data as real Arrow tables and files."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from smokejumper.settings import Settings


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


def mixed_table(rng: np.random.Generator, rows: int, *, shift: bool = False) -> pa.Table:
    """Numeric, categorical and boolean columns with some nulls; ``shift`` moves three."""
    cats = ["a", "b", "c", "d"]
    x = rng.normal(0.5 if shift else 0.0, 1.0, rows)
    y = rng.exponential(1.0, rows)
    mask = rng.random(rows) < 0.05
    return pa.table(
        {
            "x": x,
            "y": pa.array(y, mask=mask),
            "n": rng.integers(0, 10, rows),
            "cat": rng.choice(cats, rows, p=[0.1, 0.2, 0.3, 0.4] if shift else [0.25] * 4),
            "flag": rng.random(rows) < (0.5 if shift else 0.3),
            "steady": rng.choice(["u", "v"], rows),
        }
    )


@pytest.fixture
def loans(tmp_path: Path, rng: np.random.Generator) -> tuple[Path, Path]:
    """A reference and a shifted current Parquet file."""
    ref, cur = tmp_path / "ref.parquet", tmp_path / "cur.parquet"
    pq.write_table(mixed_table(rng, 3000), ref)
    pq.write_table(mixed_table(rng, 3000, shift=True), cur)
    return ref, cur


# --------------------------------------------------------------------------- stores and servers

POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store: a SQLite file, or a PostgreSQL database dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    import uuid

    from sqlalchemy import create_engine, text

    name = f"sj_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class RunningServer:
    url: str
    settings: Settings
    admin: str  # an admin token

    def token(self, scope: str) -> str:
        from smokejumper.service.tokens import issue_token

        return issue_token(self.settings.database_url, scope)


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
