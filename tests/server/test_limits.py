"""Request body limits on every route, on a real ``serve`` process over SQLite and PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from tests.server.support import SCHEMA, records
from tests.support import admin_token, free_port, start_server

from smokejumper.store.database import make_engine
from smokejumper.store.tables import Label, Model, Monitor

LIMIT = 1000


@pytest.fixture
def small(tmp_path: Path, database_url: str) -> Iterator[httpx.Client]:
    """A client of a real server whose bodies may hold at most ``LIMIT`` bytes."""
    env = {
        **os.environ,
        "SMOKEJUMPER_HOME": str(tmp_path / "home"),
        "SMOKEJUMPER_DATABASE_URL": database_url,
        "SMOKEJUMPER_MAX_BODY_BYTES": str(LIMIT),
        "SMOKEJUMPER_EVALUATE_EVERY": "0",
    }
    token = admin_token(env)
    port = free_port()
    server = start_server(env, port)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=10) as c:
            yield c
    finally:
        server.terminate()
        server.wait(timeout=30)


def _count(database_url: str, entity: type[Label] | type[Model] | type[Monitor]) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(entity)).scalar_one())
    finally:
        engine.dispose()


def _too_large(response: httpx.Response) -> None:
    assert response.status_code == 413, response.text
    detail = response.json()["detail"]
    assert f"{LIMIT:,} bytes" in detail
    assert "SMOKEJUMPER_MAX_BODY_BYTES" in detail


@pytest.mark.slow
def test_an_oversized_body_is_refused_on_every_route(
    small: httpx.Client, database_url: str
) -> None:
    assert small.post("/api/v1/models", json={"name": "churn", "schema": SCHEMA}).status_code == 201
    labels = {"labels": [{"id": f"p{i}", "label": 1} for i in range(10_000)]}  # about 200 kB
    _too_large(small.post("/api/v1/models/churn/labels", json=labels))
    assert _count(database_url, Label) == 0
    padding = "x" * 2 * LIMIT
    oversized = {
        "/api/v1/models": {"name": "fraud", "schema": SCHEMA, "pad": padding},
        "/api/v1/monitors": {"name": "d", "model": "churn", "type": "feature_drift", "x": padding},
        "/api/v1/slos": {"name": "s", "monitor": "d", "objective": 0.9, "x": padding},
        "/api/v1/models/churn/metrics": {"metric": padding, "value": 1.0},
    }
    for path, body in oversized.items():
        _too_large(small.post(path, json=body))
    assert (_count(database_url, Model), _count(database_url, Monitor)) == (1, 0)
    fits = small.post("/api/v1/models/churn/labels", json={"labels": [{"id": "p1", "label": 1}]})
    assert fits.status_code == 201, fits.text
    assert _count(database_url, Label) == 1


@pytest.mark.slow
def test_a_chunked_body_is_cut_off_at_the_limit(small: httpx.Client) -> None:
    assert small.post("/api/v1/models", json={"name": "churn", "schema": SCHEMA}).status_code == 201
    body = httpx.Response(200, json=records(40)).content
    assert len(body) > 4 * LIMIT

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 256):
            yield body[start : start + 256]

    response = small.post(
        "/api/v1/models/churn/predictions",
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert response.request.headers["transfer-encoding"] == "chunked"
    _too_large(response)
    assert small.get("/api/v1/models/churn/windows").json() == []
