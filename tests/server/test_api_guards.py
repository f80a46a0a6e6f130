"""What the API refuses: schema without a token, unknown registration keys, clock skew."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import httpx
import pyarrow as pa
from sqlalchemy import func, select
from tests.server.support import SCHEMA, client, register, windows
from tests.support import RunningServer

from smokejumper.store.database import make_engine
from smokejumper.store.tables import CustomMetric


def test_the_openapi_schema_needs_a_read_token_and_the_docs_pages_are_off(
    server: RunningServer,
) -> None:
    assert httpx.get(f"{server.url}/openapi.json").status_code == 401
    with client(server, server.token("ingest")) as ingest_only:
        assert ingest_only.get("/openapi.json").status_code == 403
    with client(server, server.token("read")) as reader:
        schema = reader.get("/openapi.json")
        assert schema.status_code == 200, schema.text
        assert schema.json()["openapi"].startswith("3.")
        assert "/api/v1/models" in schema.json()["paths"]
        for page in ("/docs", "/redoc", "/docs/oauth2-redirect"):
            assert reader.get(page).status_code == 404, page


def test_registering_with_an_unknown_key_names_it(server: RunningServer) -> None:
    with client(server) as c:
        typo = {"name": "churn", "schema": SCHEMA, "windw_seconds": 60}
        refused = c.post("/api/v1/models", json=typo)
        assert refused.status_code == 422
        [problem] = refused.json()["detail"]
        assert problem["loc"] == ["body", "windw_seconds"]
        assert problem["type"] == "extra_forbidden"
        bad_option = {"name": "churn", "schema": SCHEMA, "options": {"exists_ok": True}}
        assert c.post("/api/v1/models", json=bad_option).json()["detail"][0]["loc"] == [
            "body",
            "options",
            "exists_ok",
        ]
        assert c.get("/api/v1/models").json() == []


def test_exist_ok_accepts_only_an_identical_model(server: RunningServer) -> None:
    with client(server) as c:
        register(c)  # window 3600
        body = {"name": "churn", "schema": SCHEMA, "window_seconds": 3600}
        assert c.post("/api/v1/models", json=body).status_code == 409
        again = c.post("/api/v1/models", json={**body, "options": {"exist_ok": True}})
        assert again.status_code == 200, again.text
        assert again.json()["window_seconds"] == 3600
        other = {**body, "window_seconds": 60, "options": {"exist_ok": True}}
        differs = c.post("/api/v1/models", json=other)
        assert differs.status_code == 409
        assert "another schema or window" in differs.json()["detail"]


def test_an_arrow_batch_from_the_future_is_refused_with_the_reason(server: RunningServer) -> None:
    ahead = datetime.now(UTC) + timedelta(hours=2)
    table = pa.table(
        {
            "id": ["a1", "a2"],
            "timestamp": pa.array([ahead, ahead], pa.timestamp("us", tz="UTC")),
            "age": [30.0, 40.0],
            "prediction": [0.1, 0.9],
        }
    )
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    with client(server) as c:
        register(c)
        refused = c.post(
            "/api/v1/models/churn/predictions",
            content=sink.getvalue(),
            headers={"Content-Type": "application/vnd.apache.arrow.stream"},
        )
        assert refused.status_code == 422, refused.text
        [problem] = refused.json()["errors"]
        assert problem["field"] == "timestamp"
        assert "ahead of the server clock" in problem["message"]
        assert windows(c) == []


def test_a_custom_metric_from_the_future_is_refused_with_the_reason(
    server: RunningServer,
) -> None:
    with client(server) as c:
        register(c)
        ahead = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
        refused = c.post(
            "/api/v1/models/churn/metrics",
            json={"metric": "revenue", "value": 3.0, "timestamp": ahead},
        )
        assert refused.status_code == 422, refused.text
        assert "in the future" in refused.json()["detail"]
        assert "clock" in refused.json()["detail"]
        now = datetime.now(UTC).isoformat()
        accepted = c.post(
            "/api/v1/models/churn/metrics",
            json={"metric": "revenue", "value": 3.0, "timestamp": now},
        )
        assert accepted.status_code == 201, accepted.text
    engine = make_engine(server.settings.database_url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(select(func.count()).select_from(CustomMetric)).scalar()
    finally:
        engine.dispose()
    assert stored == 1
