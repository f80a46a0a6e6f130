"""Helpers shared by tests in several folders: seeded tables, PostgreSQL, real servers.

The server helpers are the one place tests start a server from: ``RunningServer`` is what the
``server`` fixture (conftest.py) yields, and ``free_port``, ``start_server`` and ``admin_token``
run ``smokejumper serve`` as a separate process, for tests that kill or restart it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import pyarrow as pa

from smokejumper.settings import Settings

# --------------------------------------------------------------------------- data


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


# --------------------------------------------------------------------------- PostgreSQL

#: The admin database of the machine's PostgreSQL server (trust auth on loopback).
POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
#: How to start the machine's PostgreSQL cluster when it is down.
START_POSTGRES = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"


def postgres_unreachable(url: str, timeout: int = 3) -> str | None:
    """Why no PostgreSQL server answers at ``url`` within ``timeout`` seconds; None if one does."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    engine = create_engine(url, connect_args={"connect_timeout": timeout})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as e:
        return " ".join(str(e.orig).split()) or type(e.orig).__name__
    finally:
        engine.dispose()
    return None


# --------------------------------------------------------------------------- servers


@dataclass
class RunningServer:
    """A server under test: its base URL, its settings and an admin token."""

    url: str
    settings: Settings
    admin: str  # an admin token

    def token(self, scope: str) -> str:
        """A new token with ``scope``, written straight into the server's store."""
        from smokejumper.service.tokens import issue_token

        return issue_token(self.settings.database_url, scope)


def free_port() -> int:
    """A loopback port nothing listens on (the kernel's pick, released at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    env: dict[str, str],
    port: int,
    workers: int = 1,
    *,
    args: Sequence[str] = (),
    log: Path | None = None,
) -> subprocess.Popen[bytes]:
    """``smokejumper serve`` on ``port`` (``workers`` processes), once it answers /healthz.

    ``args`` are more options of ``serve``; its stderr goes to ``log`` when given.
    """
    command = [sys.executable, "-m", "smokejumper", "serve", "--port", str(port), *args]
    with log.open("wb") if log is not None else open(os.devnull, "wb") as errors:
        proc = subprocess.Popen(
            [*command, "--workers", str(workers)] if workers > 1 else command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"smokejumper serve did not answer on port {port} within 90 s")


def admin_token(env: dict[str, str]) -> str:
    """A new admin token, made with the CLI in the server's home."""
    return subprocess.run(
        [sys.executable, "-m", "smokejumper", "token", "create", "--scope", "admin"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
