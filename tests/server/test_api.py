"""The HTTP API on a real server over loopback, against SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import httpx
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from tests.server.support import SCHEMA, client, records, register, windows
from tests.support import RunningServer


def test_health_needs_no_token_and_everything_else_does(server: RunningServer) -> None:
    assert httpx.get(f"{server.url}/healthz").json()["status"] == "ok"
    assert httpx.get(f"{server.url}/api/v1/models").status_code == 401
    bad = httpx.get(f"{server.url}/api/v1/models", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    with client(server, server.token("ingest")) as ingest_only:
        assert ingest_only.get("/api/v1/models").status_code == 403
    with client(server, server.token("read")) as reader:
        assert reader.get("/api/v1/models").status_code == 200
        denied = reader.post("/api/v1/models", json={"name": "x", "schema": SCHEMA})
        assert denied.status_code == 403
        assert "needs 'write'" in denied.json()["detail"]


def test_register_list_and_get_models(server: RunningServer) -> None:
    with client(server) as c:
        register(c)
        assert c.post("/api/v1/models", json={"name": "churn", "schema": SCHEMA}).status_code == 409
        bad = c.post("/api/v1/models", json={"name": "no spaces", "schema": SCHEMA})
        assert bad.status_code == 422
        clash = {"features": [{"name": "id", "kind": "numeric"}]}
        assert c.post("/api/v1/models", json={"name": "m2", "schema": clash}).status_code == 422
        assert [m["name"] for m in c.get("/api/v1/models").json()] == ["churn"]
        one = c.get("/api/v1/models/churn").json()
        assert one["schema"]["segments"] == ["plan"]
        assert one["has_reference"] is False
        c.post("/api/v1/models/churn/predictions", json=records(3))
        # the id names the model's folder in the raw log
        assert [p.name for p in (server.settings.home / "raw").iterdir()] == [str(one["id"])]
        assert c.get("/api/v1/models/nope").status_code == 404


def test_json_ingest_is_idempotent_by_batch_key(server: RunningServer) -> None:
    with client(server) as c:
        register(c)
        batch = records(50)
        first = c.post(
            "/api/v1/models/churn/predictions", json=batch, headers={"Idempotency-Key": "b-1"}
        )
        assert first.status_code == 201, first.text
        assert first.json() == {"batch_id": "b-1", "rows": 50, "duplicate": False}
        again = c.post(
            "/api/v1/models/churn/predictions", json=batch, headers={"Idempotency-Key": "b-1"}
        )
        assert again.json()["duplicate"] is True
        body = c.post(
            "/api/v1/models/churn/predictions", json={"batch_id": "b-2", "records": records(30, 50)}
        )
        assert body.json()["rows"] == 30
        [window] = windows(c)
        assert window["rows"] == 80
        assert window["versions"] == {"v1": 80}


def test_arrow_ingest(server: RunningServer) -> None:
    with client(server, server.token("ingest")) as ingest, client(server) as admin:
        register(admin)
        n = 1000
        table = pa.table(
            {
                "id": [f"a{i}" for i in range(n)],
                "age": np.linspace(20, 60, n),
                "plan": ["basic", "pro"] * (n // 2),
                "prediction": np.random.default_rng(1).random(n),
            }
        )
        sink = io.BytesIO()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        r = ingest.post(
            "/api/v1/models/churn/predictions",
            content=sink.getvalue(),
            headers={"Content-Type": "application/vnd.apache.arrow.stream"},
        )
        assert r.status_code == 201, r.text
        assert r.json()["rows"] == n
        assert windows(admin)[0]["rows"] == n


def test_bad_batches_are_rejected_whole_with_reasons(server: RunningServer) -> None:
    with client(server) as c:
        register(c)
        url = "/api/v1/models/churn/predictions"
        batch = records(5)
        batch[1]["features"]["age"] = "forty"
        batch[3]["features"]["color"] = "red"
        del batch[4]["id"]
        r = c.post(url, json=batch)
        assert r.status_code == 422
        fields = {(e["index"], e["field"]) for e in r.json()["errors"]}
        assert fields == {(1, "features.age"), (3, "features.color"), (4, "id")}
        future = records(2, hour=datetime.now(UTC) + timedelta(hours=2))
        r = c.post(url, json=future)
        assert r.status_code == 422
        assert "ahead of the server clock" in r.text
        r = c.post(
            url,
            content=b"not arrow",
            headers={"Content-Type": "application/vnd.apache.arrow.stream"},
        )
        assert r.status_code == 422
        assert "Arrow IPC" in r.text
        twice = pa.table([pa.array(["a"]), pa.array(["b"])], names=["id", "id"])
        sink = io.BytesIO()
        with pa.ipc.new_stream(sink, twice.schema) as writer:
            writer.write_table(twice)
        r = c.post(
            url,
            content=sink.getvalue(),
            headers={"Content-Type": "application/vnd.apache.arrow.stream"},
        )
        assert r.status_code == 422
        assert r.json()["errors"] == [
            {"index": None, "field": "id", "message": "the column appears more than once"}
        ]
        assert (
            c.post(url, content=b"{", headers={"Content-Type": "application/json"}).status_code
            == 422
        )
        assert c.post("/api/v1/models/nope/predictions", json=records(1)).status_code == 404
        big = c.post(url, content=b"x" * 2_000_001, headers={"Content-Type": "application/json"})
        assert big.status_code == 413
        assert windows(c) == []  # nothing rejected was stored


def test_reference_and_window_drift(server: RunningServer) -> None:
    with client(server) as c:
        register(c)
        rng = np.random.default_rng(7)
        ref = pa.table(
            {
                "age": rng.normal(40, 10, 5000),
                "plan": rng.choice(["basic", "pro"], 5000),
                "active": rng.random(5000) < 0.67,
            }
        )
        sink = io.BytesIO()
        pq.write_table(ref, sink)
        r = c.put(
            "/api/v1/models/churn/reference",
            content=sink.getvalue(),
            headers={"Content-Type": "application/vnd.apache.parquet"},
        )
        assert r.status_code == 200, r.text
        assert r.json()["rows"] == 5000
        now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        url = "/api/v1/models/churn/predictions"
        for i in range(3):  # three batches of the older window: merged on read
            c.post(url, json=records(400, 1000 * i, hour=now - timedelta(hours=2)))
        c.post(url, json=records(1200, 9000, shift=8.0, hour=now - timedelta(hours=1)))
        older, newer = windows(c)
        assert (older["rows"], newer["rows"]) == (1200, 1200)
        assert older["drift"]["dataset_drift"] is False
        age = {col["name"]: col for col in newer["drift"]["columns"]}["age"]
        assert age["drift"] is True
        assert newer["nulls"]["age"] == 0
        only_new = c.get(
            url.replace("predictions", "windows"),
            params={"start": (now - timedelta(hours=1)).isoformat()},
        ).json()
        assert [w["rows"] for w in only_new] == [1200]
        bad = c.put(
            "/api/v1/models/churn/reference",
            content=b"a,b\n1,2\n",
            headers={"Content-Type": "text/csv"},
        )
        assert bad.status_code == 422
        assert "none of the model's features" in bad.text  # extra columns alone are ignored


def test_reference_from_first_hours_and_replacing_it_reprofiles_windows(
    server: RunningServer,
) -> None:
    with client(server) as c:
        register(c)
        now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        url = "/api/v1/models/churn/predictions"
        c.post(url, json=records(600, 0, hour=now - timedelta(hours=3)))
        c.post(url, json=records(600, 1000, shift=9.0, hour=now - timedelta(hours=2)))
        assert [w["drift"] for w in windows(c)] == [None, None]  # no reference: counts only
        assert [w["nulls"] for w in windows(c)] == [{"age": 0, "plan": 0, "active": 0}] * 2
        r = c.put("/api/v1/models/churn/reference", params={"first_hours": 1})
        assert r.status_code == 200, r.text
        assert r.json()["rows"] == 600
        assert r.json()["reprofiled_batches"] == 2
        first, second = windows(c)
        assert first["drift"]["dataset_drift"] is False
        assert {x["name"]: x["drift"] for x in second["drift"]["columns"]}["age"] is True
        # A new reference (the shifted hour) re-bins every window, which still merge.
        rng = np.random.default_rng(3)
        ref = pa.table(
            {
                "age": rng.normal(49, 10, 3000),
                "plan": rng.choice(["basic", "pro"], 3000),
                "active": rng.random(3000) < 0.67,
            }
        )
        sink = io.BytesIO()
        pq.write_table(ref, sink)
        assert c.put("/api/v1/models/churn/reference", content=sink.getvalue()).status_code == 200
        first, second = windows(c)
        ages = [
            {x["name"]: x["drift"] for x in w["drift"]["columns"]}["age"] for w in (first, second)
        ]
        assert ages == [True, False]
        empty = c.post("/api/v1/models", json={"name": "empty", "schema": SCHEMA})
        assert empty.status_code == 201
        none = c.put("/api/v1/models/empty/reference", params={"first_hours": 1})
        assert none.status_code == 422
        assert "no predictions yet" in none.text
