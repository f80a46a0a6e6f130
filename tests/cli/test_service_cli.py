"""Service commands as users run them: db upgrade, token create, model register and list."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.support import RunningServer


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


@pytest.mark.slow
def test_model_register_and_list(server: RunningServer, tmp_path: Path) -> None:
    schema = tmp_path / "schema.yaml"
    schema.write_text(
        "features:\n  - {name: age, kind: numeric}\n  - {name: plan, kind: categorical}\n"
    )
    reference = tmp_path / "ref.parquet"
    rng = np.random.default_rng(0)
    pq.write_table(
        pa.table({"age": rng.normal(40, 9, 500), "plan": rng.choice(["a", "b"], 500)}), reference
    )
    env = {"SMOKEJUMPER_URL": server.url, "SMOKEJUMPER_TOKEN": server.admin}
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
