"""Reading slices of the raw log over the API, on a real server (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa
import pytest
from sqlalchemy import select
from tests.server.support import BATCHES, HOUR, INSIDE, PATH, US, client, register, row
from tests.support import RunningServer

from smokejumper.store.database import make_engine, session_factory
from smokejumper.store.tables import IngestBatch

ARROW = "application/vnd.apache.arrow.stream"

ARROW = "application/vnd.apache.arrow.stream"


@pytest.fixture
def churn(server: RunningServer) -> Iterator[httpx.Client]:
    """An admin client, with 'churn' registered and the three batches logged."""
    with client(server) as c:
        register(c)
        for key, rows in BATCHES.items():
            r = c.post(PATH, json=rows, headers={"Idempotency-Key": key})
            assert r.status_code == 201, r.text
        yield c


def span(start: datetime = HOUR, end: datetime = HOUR + timedelta(hours=1)) -> dict[str, str]:
    return {"start": start.isoformat(), "end": end.isoformat()}


def read(c: httpx.Client, params: Any) -> dict[str, Any]:
    r = c.get(PATH, params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    answer: dict[str, Any] = r.json()
    return answer


def ids(answer: dict[str, Any]) -> list[str]:
    return [r["id"] for r in answer["rows"]]


def refused(c: httpx.Client, params: Any) -> str:
    r = c.get(PATH, params=params)
    assert r.status_code == 422, r.text
    detail: str = r.json()["detail"]
    return detail


def raw_path(server: RunningServer, key: str) -> Path:
    engine = make_engine(server.settings.database_url)
    try:
        with session_factory(engine)() as session:
            query = select(IngestBatch.raw_path).where(IngestBatch.batch_key == key)
            return Path(session.scalars(query).one())
    finally:
        engine.dispose()


def test_the_range_is_exact_at_the_window_edges(churn: httpx.Client) -> None:
    answer = read(churn, span())
    assert ids(answer) == INSIDE  # by timestamp, then id
    assert answer["truncated"] is False
    first = answer["rows"][0]
    assert first["timestamp"] == HOUR.isoformat()
    assert list(first) == [
        "id",
        "timestamp",
        "version",
        "age",
        "plan",
        "active",
        "prediction",
        "confidence",
        "latency_ms",
        "error",
    ]
    assert ids(read(churn, span(HOUR - US, HOUR + US))) == ["a1", "b0"]
    assert ids(read(churn, span(HOUR + timedelta(hours=1) - US, HOUR + timedelta(hours=2)))) == [
        "b2",
        "c0",
    ]
    assert ids(read(churn, span(HOUR + US, HOUR + timedelta(minutes=30)))) == []


def test_columns_versions_and_where_filters(churn: httpx.Client) -> None:
    some = read(churn, {**span(), "columns": "plan,id"})
    assert [list(r) for r in some["rows"]] == [["plan", "id"]] * 4
    assert ids(read(churn, {**span(), "version": "v2"})) == ["b1z", "b2"]
    assert ids(read(churn, {**span(), "version": "v1,v2"})) == INSIDE
    assert ids(read(churn, {**span(), "where": "plan:pro"})) == ["b1a", "b1z"]
    both = {**span(), "where": ["plan:pro", "active:true"], "version": "v1"}
    assert ids(read(churn, both)) == ["b1a"]
    either = [*span().items(), ("where", "plan:pro"), ("where", "plan:basic")]
    assert ids(read(churn, either)) == INSIDE
    assert ids(read(churn, {**span(), "where": "plan:enterprise"})) == []
    wide = span(HOUR - timedelta(hours=2), HOUR + timedelta(hours=2))
    assert ids(read(churn, {**wide, "where": "plan:pro", "columns": "id"})) == [
        "b1a",
        "b1z",
        "c0",
    ]


def test_the_limit_cuts_in_order_and_says_so(churn: httpx.Client) -> None:
    cut = read(churn, {**span(), "limit": 2})
    assert (ids(cut), cut["truncated"]) == (["b0", "b1a"], True)
    exact = read(churn, {**span(), "limit": 4})
    assert (ids(exact), exact["truncated"]) == (INSIDE, False)
    r = churn.get(PATH, params={**span(), "limit": 2}, headers={"Accept": ARROW})
    assert r.headers["smokejumper-truncated"] == "true"
    table = pa.ipc.open_stream(r.content).read_all()
    assert table.column("id").to_pylist() == ["b0", "b1a"]
    assert table.schema.metadata == {b"smokejumper.truncated": b"true"}


def test_arrow_and_json_forms_agree(churn: httpx.Client) -> None:
    params = {
        **span(HOUR - timedelta(hours=1), HOUR + timedelta(hours=2)),
        "columns": "id,timestamp,plan,active,confidence",
    }
    r = churn.get(PATH, params=params, headers={"Accept": ARROW})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == ARROW
    table = pa.ipc.open_stream(r.content).read_all()
    assert table.schema.names == ["id", "timestamp", "plan", "active", "confidence"]
    assert table.schema.field("timestamp").type == pa.timestamp("us", tz="UTC")
    from_arrow = [{**r, "timestamp": r["timestamp"].isoformat()} for r in table.to_pylist()]
    from_json = read(churn, params)["rows"]
    assert from_arrow == from_json
    assert [r["id"] for r in from_json] == ["a0", "a1", *INSIDE, "c0"]


def test_only_the_files_of_overlapping_windows_are_read(
    server: RunningServer, churn: httpx.Client
) -> None:
    raw_path(server, "before").unlink()
    raw_path(server, "after").unlink()
    assert ids(read(churn, span())) == INSIDE
    assert ids(read(churn, {**span(), "version": "v2"})) == ["b1z", "b2"]
    r = churn.get(PATH, params=span(HOUR - timedelta(hours=1), HOUR))
    assert r.status_code == 500
    assert "is missing" in r.json()["detail"]
    assert "restore the file" in r.json()["detail"]


def test_version_filter_skips_batches_without_that_version(
    server: RunningServer, churn: httpx.Client
) -> None:
    r = churn.post(PATH, json=[row("d0", HOUR + timedelta(minutes=5), version="v3")])
    assert r.status_code == 201, r.text
    raw_path(server, "inside").unlink()  # holds v1 and v2 rows only
    assert ids(read(churn, {**span(), "version": "v3"})) == ["d0"]


def test_bad_queries_are_refused_with_the_reason(churn: httpx.Client) -> None:
    unknown = refused(churn, {**span(), "columns": "id,agee"})
    assert "unknown column(s) 'agee'" in unknown
    assert "id, timestamp, version, age, plan, active" in unknown
    assert "'agee'" in refused(churn, {**span(), "where": "agee:1"})
    assert "not column:value" in refused(churn, {**span(), "where": "plan=pro"})
    assert "use version=" in refused(churn, {**span(), "where": "version:v1"})
    assert "true/false" in refused(churn, {**span(), "where": "active:maybe"})
    assert "must be after start" in refused(churn, span(HOUR, HOUR))
    assert "must be after start" in refused(churn, span(HOUR, HOUR - US))
    assert "start is required" in refused(churn, {"end": HOUR.isoformat()})
    assert "end is required" in refused(churn, {"start": HOUR.isoformat()})
    assert "not an ISO 8601 time" in refused(churn, {**span(), "start": "yesterday"})
    assert "limit must be between 1 and" in refused(churn, {**span(), "limit": 0})
    missing = churn.get("/api/v1/models/nope/predictions", params=span())
    assert missing.status_code == 404
    assert "no model named 'nope'" in missing.json()["detail"]


def test_reading_needs_a_read_token(server: RunningServer, churn: httpx.Client) -> None:
    assert httpx.get(f"{server.url}{PATH}", params=span()).status_code == 401
    with client(server, server.token("ingest")) as ingest_only:
        denied = ingest_only.get(PATH, params=span())
        assert denied.status_code == 403
        assert "needs 'read'" in denied.json()["detail"]
    with client(server, server.token("read")) as reader:
        assert ids(read(reader, span())) == INSIDE
