"""The commands that drive a running server, as a user runs them: registering with a training
file (all or nothing), ``--exist-ok``, ``model reference``, and the reads ``model windows``,
``model observations``, ``slo list`` and ``evaluate`` (tables and ``--format json``), with the
SDK's matching reads."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from tests.cli.support import cli

from smokejumper.client import Client
from smokejumper.harness import ServerHarness

SCHEMA = "features:\n  - {name: age, kind: numeric}\n  - {name: plan, kind: categorical}\n"


def training_file(path: Path, rows: int = 600, *, seed: int = 0) -> Path:
    """A training file as people have them: an id, a timestamp and the label beside the
    features."""
    rng = np.random.default_rng(seed)
    pq.write_table(
        pa.table(
            {
                "request_id": [f"r{i}" for i in range(rows)],
                "created": pa.array(np.arange(rows) * 1_000_000, pa.timestamp("us", tz="UTC")),
                "age": rng.normal(40, 9, rows),
                "plan": rng.choice(["basic", "pro"], rows),
                "churned": rng.integers(0, 2, rows),
            }
        ),
        path,
    )
    return path


def model_names(server: ServerHarness) -> list[str]:
    with server.admin() as admin:
        return [m["name"] for m in admin.models()]


def test_register_with_a_training_file_is_all_or_nothing(
    server: ServerHarness, tmp_path: Path
) -> None:
    (tmp_path / "schema.yaml").write_text(SCHEMA)
    pq.write_table(pa.table({"height": [1.0, 2.0, 3.0]}), tmp_path / "other.parquet")
    wrong = cli(
        server,
        *("model", "register", "churn", "--schema", "schema.yaml"),
        *("--reference", "other.parquet"),
        cwd=tmp_path,
    )
    assert wrong.returncode == 2
    assert "(422): the reference has none of the model's features (age, plan)" in wrong.stderr
    assert "churn" not in model_names(server)  # nothing half-registered

    training_file(tmp_path / "train.parquet")
    register = ("model", "register", "churn", "--schema", "schema.yaml")
    done = cli(server, *register, "--reference", "train.parquet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "reference set: 600 rows, 2 features (age, plan)" in done.stdout
    assert "were ignored: churned, created, request_id" in done.stdout

    again = cli(server, *register, "--reference", "train.parquet", cwd=tmp_path)
    assert again.returncode == 2
    assert "(409)" in again.stderr
    assert "Pass --exist-ok" in again.stderr
    ok = cli(server, *register, "--reference", "train.parquet", "--exist-ok", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "has a reference: kept" in ok.stdout

    training_file(tmp_path / "newer.parquet", rows=800, seed=1)
    replaced = cli(server, "model", "reference", "churn", "newer.parquet", cwd=tmp_path)
    assert replaced.returncode == 0, replaced.stderr
    assert "reference set: 800 rows" in replaced.stdout
    unknown = cli(server, "model", "reference", "nobody", "newer.parquet", cwd=tmp_path)
    assert unknown.returncode == 2
    assert "no model named 'nobody'" in unknown.stderr


def _log_two_closed_hours(server: ServerHarness, model: str, spool: Path) -> list[datetime]:
    """Two hours of predictions before the current one, the second drifted."""
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    hours = [now - timedelta(hours=2), now - timedelta(hours=1)]
    rng = np.random.default_rng(7)
    with Client(server.url, server.token, spool_dir=spool, max_retries=1) as client:
        for i, hour in enumerate(hours):
            rows = 300
            client.monitor(model).log_batch(
                pa.table(
                    {
                        "id": [f"{i}-{n}" for n in range(rows)],
                        "timestamp": pa.array(
                            [hour + timedelta(seconds=10 * n) for n in range(rows)],
                            pa.timestamp("us", tz="UTC"),
                        ),
                        "age": rng.normal(40 + 25 * i, 9, rows),
                        "plan": rng.choice(["basic", "pro"], rows),
                        "prediction": rng.random(rows),
                    }
                ),
                version="v1",
            )
        assert client.flush(timeout=60)
        assert client.stats.sent == 600
    return hours


def test_what_the_service_knows_is_on_the_cli(server: ServerHarness, tmp_path: Path) -> None:
    model = "reads"
    (tmp_path / "schema.yaml").write_text(SCHEMA)
    training_file(tmp_path / "train.parquet")
    registered = cli(
        server,
        *("model", "register", model, "--schema", "schema.yaml", "--reference", "train.parquet"),
        cwd=tmp_path,
    )
    assert registered.returncode == 0, registered.stderr
    with server.admin() as admin:
        admin.put_monitor({"name": "reads-volume", "model": model, "type": "volume", "min": 1000})
        admin.put_monitor({"name": "reads-drift", "model": model, "type": "feature_drift"})
        admin.put_slo({"name": "reads-slo", "monitor": "reads-volume", "objective": 0.99})
    hours = _log_two_closed_hours(server, model, tmp_path / "spool")

    evaluated = cli(server, "evaluate", "--format", "json", cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    summary = json.loads(evaluated.stdout)
    assert summary["windows"] >= 2
    assert sum(name.startswith("reads-volume@") for name in summary["unhealthy"]) == 2
    nothing_due = cli(server, "evaluate", cwd=tmp_path)
    assert "no window was due" in nothing_due.stdout

    windows = json.loads(
        cli(server, "model", "windows", model, "--format", "json", cwd=tmp_path).stdout
    )
    assert [w["rows"] for w in windows] == [300, 300]
    assert windows[1]["drift"]["dataset_drift"] is True
    table = cli(server, "model", "windows", model, cwd=tmp_path).stdout
    assert f"Windows of model '{model}' (UTC)" in table
    end = hours[1] + timedelta(hours=1)
    # The end's date is shown too when the window crosses midnight (UTC).
    tail = f"{end:%H:%M}" if end.date() == hours[1].date() else f"{end:%Y-%m-%d %H:%M}"
    assert f"{hours[1]:%Y-%m-%d %H:%M}-{tail}" in table
    assert "DRIFT 1/2: age" in table
    assert "v1 300" in table
    later = cli(
        server,
        *("model", "windows", model, "--start", hours[1].isoformat(), "--format", "json"),
        cwd=tmp_path,
    )
    assert len(json.loads(later.stdout)) == 1

    picked = cli(
        server,
        *("model", "observations", model, "--monitor", "reads-volume", "--format", "json"),
        cwd=tmp_path,
    )
    observations = json.loads(picked.stdout)
    assert [(o["monitor"], o["value"], o["healthy"]) for o in observations] == [
        ("reads-volume", 300.0, False),
        ("reads-volume", 300.0, False),
    ]
    table = cli(server, "model", "observations", model, cwd=tmp_path).stdout
    assert "reads-drift" in table
    assert "drift: age" in table

    slos = json.loads(cli(server, "slo", "list", "--format", "json", cwd=tmp_path).stdout)
    [slo] = slos
    assert slo["unhealthy_windows"] == 2
    assert slo["error_budget_remaining"] == -99.0  # not -98.99999999999991
    table = cli(server, "slo", "list", cwd=tmp_path).stdout
    assert "-9,900%" in table
    assert "2 of 2" in table

    with Client(server.url, server.token, spool_dir=tmp_path / "spool") as client:
        assert client.windows(model) == windows
        assert client.windows(model, start=hours[1]) == windows[1:]
        assert client.observations(model, monitor="reads-volume") == observations
        assert client.slos() == slos


def test_read_commands_say_what_is_wrong(server: ServerHarness, tmp_path: Path) -> None:
    unknown = cli(server, "model", "windows", "nobody", cwd=tmp_path)
    assert unknown.returncode == 2
    assert "no model named 'nobody'" in unknown.stderr
    bad = cli(server, "slo", "list", "--format", "yaml", cwd=tmp_path)
    assert bad.returncode == 2
    assert "unknown format 'yaml'; use one of: table, json" in bad.stderr


def test_a_reference_too_large_to_send_gets_told_to_send_its_profile(tmp_path: Path) -> None:
    (tmp_path / "schema.yaml").write_text(SCHEMA)
    training_file(tmp_path / "train.parquet", rows=5000)
    limit = {"SMOKEJUMPER_MAX_BODY_BYTES": "40000", "SMOKEJUMPER_EVALUATE_EVERY": "0"}
    with ServerHarness(tmp_path / "home", env=limit) as small:
        register = ("model", "register", "churn", "--schema", "schema.yaml", "--reference")
        refused = cli(small, *register, "train.parquet", cwd=tmp_path)
        assert refused.returncode == 2
        assert "(413)" in refused.stderr
        assert "'smokejumper profile train.parquet -o train.profile'" in refused.stderr
        assert "churn" not in model_names(small)
        made = cli(small, "profile", "train.parquet", "-o", "train.profile", cwd=tmp_path)
        assert made.returncode == 0, made.stderr
        done = cli(small, *register, "train.profile", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert "reference set: 5,000 rows, 2 features (age, plan)" in done.stdout
