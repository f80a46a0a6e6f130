"""The admin client against a real server started by the harness on loopback."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from smokejumper.client import AdminClient
from smokejumper.client.api_types import CSV
from smokejumper.errors import ClientError, DataSourceNotFoundError, ServerError
from smokejumper.harness import ServerHarness

SCHEMA = {
    "features": [{"name": "age", "kind": "numeric"}, {"name": "plan", "kind": "categorical"}],
    "prediction_kind": "numeric",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerHarness]:
    """One server for the module; each test uses models of its own."""
    home = tmp_path_factory.mktemp("admin") / "home"
    with ServerHarness(home, env={"SMOKEJUMPER_EVALUATE_EVERY": "0"}) as running:
        yield running


@pytest.fixture
def admin(server: ServerHarness) -> Iterator[AdminClient]:
    with server.admin(timeout=30) as client:
        yield client


def inputs(rows: int, *, shift: float = 0.0, seed: int = 0) -> pa.Table:
    rng = np.random.default_rng(seed)
    return pa.table({"age": rng.normal(40 + shift, 9, rows), "plan": rng.choice(["a", "b"], rows)})


def log(server: ServerHarness, model: str, table: pa.Table, hour: datetime) -> None:
    """Log ``table``'s rows as predictions made in ``hour`` (plain HTTP: not the admin's job)."""
    records: list[dict[str, Any]] = [
        {"id": f"{model}-{hour:%H}-{i}", "timestamp": hour.isoformat(), "features": features,
         "prediction": 0.5}
        for i, features in enumerate(table.to_pylist())
    ]  # fmt: skip
    headers = {"Authorization": f"Bearer {server.token}"}
    url = f"{server.url}/api/v1/models/{model}/predictions"
    assert httpx.post(url, json=records, headers=headers, timeout=30).status_code == 201


def hours_ago(n: int) -> datetime:
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=n)


def test_register_list_and_get_models(admin: AdminClient) -> None:
    made = admin.register_model("churn", SCHEMA, window_seconds=900)
    assert (made["name"], made["window_seconds"], made["has_reference"]) == ("churn", 900, False)
    assert made["schema"]["features"] == SCHEMA["features"]
    assert made["reference"] is None  # none given
    model = {k: v for k, v in made.items() if k != "reference"}
    assert admin.model("churn") == model  # created_at in UTC with its zone, on every store
    assert made["created_at"].endswith(("Z", "+00:00"))
    assert "churn" in [m["name"] for m in admin.models()]
    # the same model again: refused, unless exist_ok and identical
    with pytest.raises(ServerError, match="already registered") as taken:
        admin.register_model("churn", SCHEMA, window_seconds=900)
    assert taken.value.status == 409
    again = admin.register_model("churn", SCHEMA, window_seconds=900, exist_ok=True)
    assert again == made
    with pytest.raises(ServerError, match="another schema or window"):
        admin.register_model("churn", SCHEMA, exist_ok=True)  # an hour: not the same window
    assert admin.register_model("hourly", SCHEMA)["window_seconds"] == 3600


def test_references_from_files_bytes_and_first_hours(
    server: ServerHarness, admin: AdminClient, tmp_path: Path
) -> None:
    admin.register_model("refs", SCHEMA)
    parquet, csv = tmp_path / "train.parquet", tmp_path / "train.csv"
    pq.write_table(inputs(300), parquet)
    pcsv.write_csv(inputs(200), csv)
    from_parquet = admin.set_reference("refs", parquet)
    assert (from_parquet["rows"], from_parquet["source"]) == (300, "parquet")
    assert sorted(from_parquet["columns"]) == ["age", "plan"]
    assert (from_parquet["phases"], from_parquet["time_column"]) == (0, None)  # no time
    assert admin.model("refs")["has_reference"] is True
    assert admin.set_reference("refs", str(csv))["source"] == "csv"
    assert admin.set_reference("refs", csv.read_bytes(), content_type=CSV)["rows"] == 200
    buffer = io.BytesIO()
    pq.write_table(inputs(120), buffer)
    assert admin.set_reference("refs", buffer.getvalue())["rows"] == 120  # told by its bytes
    with pytest.raises(DataSourceNotFoundError, match=r"missing\.parquet"):
        admin.set_reference("refs", tmp_path / "missing.parquet")
    log(server, "refs", inputs(50), hours_ago(2))
    log(server, "refs", inputs(70, seed=9), hours_ago(1))
    first = admin.reference_from_first_hours("refs", 1)
    assert first["rows"] == 50  # the first hour's predictions only
    assert first["source"] == "first 1 h of predictions"
    assert (first["phases"], first["time_column"]) == (1, "timestamp")  # its hour of the week


def test_a_reference_with_the_timestamp_column_gets_phases(
    admin: AdminClient, tmp_path: Path
) -> None:
    admin.register_model("timed", SCHEMA)
    start = hours_ago(30)
    train = inputs(300).append_column(
        "timestamp",
        pa.array([start + timedelta(minutes=6 * i) for i in range(300)], pa.timestamp("us", "UTC")),
    )  # 30 hours of rows
    buffer = io.BytesIO()
    pq.write_table(train, buffer)
    done = admin.set_reference("timed", buffer.getvalue())
    assert (done["phases"], done["time_column"], done["rows"]) == (30, "timestamp", 300)
    assert "timestamp" not in done["columns"]
    assert "timestamp" not in done["ignored_columns"]
    csv = tmp_path / "timed.csv"
    pcsv.write_csv(train.set_column(2, "timestamp", pc.cast(train["timestamp"], pa.string())), csv)
    assert admin.set_reference("timed", str(csv))["phases"] == 30  # ISO text reads as times
    numbers = train.set_column(2, "timestamp", pa.array(range(300)))
    buffer = io.BytesIO()
    pq.write_table(numbers, buffer)
    untimed = admin.set_reference("timed", buffer.getvalue())
    assert untimed["phases"] == 0
    assert "not times" in (untimed["time_note"] or "")


def test_monitors_slos_evaluation_and_results(server: ServerHarness, admin: AdminClient) -> None:
    admin.register_model("loans", SCHEMA)
    admin.set_reference("loans", pa_parquet(inputs(2000, seed=1)))
    config = {
        "monitors": [
            {"name": "loans-drift", "model": "loans", "type": "feature_drift", "max": 0},
            {"name": "loans-volume", "model": "loans", "type": "volume", "min": 100},
        ],
        "slos": [{"name": "loans-stable", "monitor": "loans-drift", "objective": 0.9}],
    }
    assert admin.apply_config(config) == {"monitors": 2, "slos": 1}
    declared = {m["name"]: m for m in admin.monitors()}
    assert declared["loans-volume"]["min"] == 100
    changed = admin.put_monitor({**config["monitors"][1], "min": 400})
    assert changed["min"] == 400
    assert {m["name"]: m for m in admin.monitors()}["loans-volume"]["min"] == 400
    assert admin.put_slo({**config["slos"][0], "objective": 0.8})["objective"] == 0.8

    steady, moved = hours_ago(2), hours_ago(1)
    log(server, "loans", inputs(500, seed=2), steady)
    log(server, "loans", inputs(300, shift=15, seed=3), moved)
    summary = admin.evaluate()
    assert summary["observations"] >= 4
    # the moved hour drifted and is short of 400 rows
    moved_at = moved.isoformat()
    assert {f"loans-drift@{moved_at}", f"loans-volume@{moved_at}"} <= set(summary["unhealthy"])

    windows = admin.windows("loans")
    assert [w["rows"] for w in windows] == [500, 300]
    drift = [w["drift"] for w in windows]
    assert drift[0] is not None
    assert drift[1] is not None
    assert (drift[0]["dataset_drift"], drift[1]["dataset_drift"]) == (False, True)
    assert [w["rows"] for w in admin.windows("loans", start=moved)] == [300]
    assert [w["rows"] for w in admin.windows("loans", end=moved.isoformat())] == [500]

    seen = {(o["monitor"], o["window_start"]): o["healthy"] for o in admin.observations("loans")}
    assert seen == {
        ("loans-drift", steady.isoformat()): True,
        ("loans-volume", steady.isoformat()): True,
        ("loans-drift", moved.isoformat()): False,
        ("loans-volume", moved.isoformat()): False,
    }
    only = admin.observations("loans", monitor="loans-volume", start=moved.replace(tzinfo=None))
    assert [(o["monitor"], o["value"]) for o in only] == [("loans-volume", 300)]

    [slo] = [s for s in admin.slos() if s["name"] == "loans-stable"]
    assert (slo["monitor"], slo["objective"]) == ("loans-drift", 0.8)
    assert (slo["windows"], slo["unhealthy_windows"]) == (2, 1)
    assert slo["state"] in ("ok", "ticket", "page")
    assert slo["conditions"]


def pa_parquet(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def test_refusals_carry_the_status_and_the_servers_message(
    server: ServerHarness, admin: AdminClient
) -> None:
    with pytest.raises(ServerError, match=r"GET /api/v1/models/fraud failed \(404\)") as missing:
        admin.model("fraud")
    assert missing.value.status == 404
    assert "fraud" in str(missing.value)
    with pytest.raises(ServerError, match="feature_drfit") as bad:
        admin.put_monitor({"name": "x", "model": "churn", "type": "feature_drfit"})
    assert bad.value.status in (400, 422)
    with pytest.raises(ServerError, match=r"body\.objective") as invalid:  # FastAPI's own check
        admin.put_slo({"name": "s", "monitor": "x"})
    assert invalid.value.status == 422
    with AdminClient(server.url, "sj_not-a-token") as stranger:
        assert stranger.health()["status"] == "ok"  # needs no token
        with pytest.raises(ServerError) as unknown:
            stranger.models()
    assert unknown.value.status == 401
    reading = server.create_token("read")
    with AdminClient(server.url, reading) as reader:
        assert isinstance(reader.models(), list)
        with pytest.raises(ServerError) as forbidden:
            reader.evaluate()
    assert forbidden.value.status == 403


def test_a_server_that_is_not_there_or_a_bad_setting_is_named() -> None:
    with (
        AdminClient(closed_url(), "token", timeout=5) as nobody,
        pytest.raises(ServerError, match="cannot reach the Smokejumper server") as gone,
    ):
        nobody.models()
    assert gone.value.status is None
    with pytest.raises(ClientError, match="must start with http"):
        AdminClient("127.0.0.1:8800", "token")
    with pytest.raises(ClientError, match="no API token"):
        AdminClient("http://127.0.0.1:8800", "")
    with (
        AdminClient("http://127.0.0.1:8800", "t") as admin,
        pytest.raises(ClientError, match=r"unknown key\(s\) monitor in"),
    ):
        admin.apply_config({"monitor": []})


def closed_url() -> str:
    """A loopback URL nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"
