"""Service commands as users run them: db upgrade, token create, model register and list."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from smokejumper.harness import ServerHarness


def run(env: dict[str, str], *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "smokejumper", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )


def _newest_migration() -> str:
    """The head revision of the store's migrations (so the test follows new ones)."""
    from alembic.script import ScriptDirectory

    from smokejumper.store.database import MIGRATIONS

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head


@pytest.mark.slow
def test_db_upgrade_and_token_create(tmp_path: Path) -> None:
    env = {"SMOKEJUMPER_HOME": str(tmp_path)}
    done = run(env, "db", "upgrade")
    assert done.returncode == 0, done.stderr
    assert f"revision {_newest_migration()} " in done.stdout
    token = run(env, "token", "create", "--scope", "ingest", "--name", "model-server")
    assert token.stdout.startswith("sj_")
    bad = run(env, "token", "create", "--scope", "root")
    assert bad.returncode == 2
    assert "unknown scope 'root'" in bad.stderr


@pytest.fixture
def server(tmp_path: Path, database_url: str) -> Iterator[ServerHarness]:
    """A real ``smokejumper serve`` on SQLite or PostgreSQL."""
    with ServerHarness(tmp_path / "home", database_url=database_url) as running:
        yield running


@pytest.mark.slow
def test_model_register_and_list(server: ServerHarness, tmp_path: Path) -> None:
    schema = tmp_path / "schema.yaml"
    schema.write_text(
        "features:\n  - {name: age, kind: numeric}\n  - {name: plan, kind: categorical}\n"
    )
    reference = tmp_path / "ref.parquet"
    rng = np.random.default_rng(0)
    pq.write_table(
        pa.table({"age": rng.normal(40, 9, 500), "plan": rng.choice(["a", "b"], 500)}), reference
    )
    env = {"SMOKEJUMPER_URL": server.url, "SMOKEJUMPER_TOKEN": server.token}
    done = run(
        env,
        "model",
        "register",
        "churn",
        "--schema",
        schema,
        "--reference",
        reference,
        "--window",
        "15m",
    )
    assert done.returncode == 0, done.stderr
    assert "reference set: 500 rows" in done.stdout
    listed = run(env, "model", "list")
    assert "churn" in listed.stdout
    assert "900 s" in listed.stdout
    again = run(env, "model", "register", "churn", "--schema", schema)
    assert again.returncode == 2
    assert "already registered" in again.stderr
    nobody = run({**env, "SMOKEJUMPER_URL": "http://127.0.0.1:9"}, "model", "list")
    assert nobody.returncode == 2
    assert "cannot reach" in nobody.stderr


def test_model_register_checks_its_files_before_it_registers(
    server: ServerHarness, tmp_path: Path
) -> None:
    env = {"SMOKEJUMPER_URL": server.url, "SMOKEJUMPER_TOKEN": server.token}
    schema = tmp_path / "schema.yaml"
    schema.write_text("- {name: age, kind: numeric}\n")
    listed = run(env, "model", "register", "churn", "--schema", schema)
    assert listed.returncode == 2
    assert "must hold a mapping" in listed.stderr
    schema.write_text("features:\n  - {name: age, kind: numeric}\n")
    missing = run(env, "model", "register", "churn", "--schema", schema, "--reference", "no.csv")
    assert missing.returncode == 2
    assert "reference file 'no.csv' does not exist" in missing.stderr
    with server.admin() as admin:
        assert admin.models() == []  # nothing was registered
    no_token = run({"SMOKEJUMPER_URL": server.url, "SMOKEJUMPER_TOKEN": ""}, "model", "list")
    assert no_token.returncode == 2
    assert "set SMOKEJUMPER_TOKEN" in no_token.stderr
