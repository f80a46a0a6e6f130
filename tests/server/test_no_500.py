"""Input that once answered 500, or was accepted and stored wrong (issue 10): each is now
refused with a 4xx that says what was wrong, on a real server over SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import httpx
import pyarrow as pa
import pytest
from sqlalchemy import text
from tests.conftest import RunningServer
from tests.server.test_api import SCHEMA, client, records, register, windows

from smokejumper.store.database import make_engine

PREDICTIONS = "/api/v1/models/churn/predictions"


def _refused(answer: httpx.Response, status: int = 422) -> str:
    """The refusal's text (the answer must be JSON: a 422 that cannot serialise is a 500)."""
    assert answer.status_code == status, answer.text
    return str(answer.json())


def _arrow(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def _one(**change: Any) -> list[dict[str, Any]]:
    [record] = records(1)
    return [{**record, **change}]


def test_times_no_date_can_hold_and_dates_before_1970_are_refused(server: RunningServer) -> None:
    with client(server) as c:
        register(c)
        refusals = {
            "1e20": _one(timestamp=1e20),
            "nanoseconds": _one(timestamp=638090584157852655),
            "year 0": _one(timestamp="0000-01-01T00:00:00Z"),
            "year 1": _one(timestamp="0001-01-01T00:00:00Z"),
            "year 1, +01:00": _one(timestamp="0001-01-01T00:00:00+01:00"),
        }
        for case, body in refusals.items():
            said = _refused(c.post(PREDICTIONS, json=body))
            assert "'field': 'timestamp'" in said, case
        stamps = {
            "null": pa.array([datetime.now(UTC), None], pa.timestamp("us", tz="UTC")),
            "-6e18 us": pa.array([-6 * 10**18, 0], pa.timestamp("us", tz="UTC")),
        }
        for case, column in stamps.items():
            table = pa.table({"id": ["a", "b"], "timestamp": column, "age": [1.0, 2.0]})
            said = _refused(
                c.post(
                    PREDICTIONS,
                    content=_arrow(table),
                    headers={"Content-Type": "application/vnd.apache.arrow.stream"},
                )
            )
            assert "'field': 'timestamp'" in said, case
        assert windows(c) == []  # nothing of any of them was stored


def test_non_finite_numbers_in_bodies_get_a_422_naming_the_field(server: RunningServer) -> None:
    with client(server) as c:
        register(c)
        monitor = {"name": "p50", "model": "churn", "type": "latency", "quantile": 0.5}
        assert c.post("/api/v1/monitors", json=monitor).status_code == 201
        bodies = {
            "/api/v1/models": b'{"name": "n", "schema": {"features": [{"name": "a"}]}, '
            b'"window_seconds": NaN}',
            "/api/v1/slos": b'{"name": "s", "monitor": "p50", "objective": NaN}',
            "/api/v1/models/churn/metrics": b'{"metric": "revenue", "value": "nan"}',
            "/api/v1/models/churn/labels": b'{"labels": [{"id": "p0", "label": NaN}]}',
        }
        for path, body in bodies.items():
            answer = c.post(path, content=body, headers={"Content-Type": "application/json"})
            said = _refused(answer)
            assert "finite number" in said, path
        # stored as no bound (always healthy), or as inf but answered as null: now refused
        for path, body in {
            "/api/v1/monitors": b'{"name": "p50", "model": "churn", "type": "latency", '
            b'"quantile": 0.5, "max": NaN}',
            "/api/v1/models/churn/metrics": b'{"metric": "revenue", "value": Infinity}',
        }.items():
            answer = c.post(path, content=body, headers={"Content-Type": "application/json"})
            assert "finite number" in _refused(answer), path
        [kept] = c.get("/api/v1/monitors").json()
        assert kept["max"] is None  # the monitor declared first, unchanged
        assert c.get("/api/v1/slos").json() == []


@pytest.mark.parametrize(
    "query",
    [
        "start=0001-01-01T00:00:00Z",
        "start=0001-01-01T00:00:00%2B01:00",
        "end=9999-12-31T23:59:59-01:00",
    ],
)
def test_edge_times_in_reads_are_refused_with_the_range(server: RunningServer, query: str) -> None:
    with client(server) as c:
        register(c)
        for read in ("windows", "observations"):
            said = _refused(c.get(f"/api/v1/models/churn/{read}?{query}"))
            assert "1970-01-01" in said or "9000-01-01" in said, read
        whole = {"start": "2026-01-01T00:00:00Z", "end": "2026-01-02T00:00:00Z"}
        slice_query = "&".join(f"{k}={v}" for k, v in whole.items() if k not in query)
        said = _refused(c.get(f"{PREDICTIONS}?{query}&{slice_query}"))
        assert "1970-01-01" in said or "9000-01-01" in said


@pytest.mark.parametrize("hours", ["inf", "1e308", "nan"])
def test_a_reference_from_endless_first_hours_is_refused(server: RunningServer, hours: str) -> None:
    with client(server) as c:
        register(c)
        said = _refused(c.put(f"/api/v1/models/churn/reference?first_hours={hours}"))
        assert "first_hours" in said


def test_a_model_name_ending_in_a_newline_is_refused(server: RunningServer) -> None:
    with client(server) as c:
        said = _refused(c.post("/api/v1/models", json={"name": "nl\n", "schema": SCHEMA}))
        assert "not allowed" in said
        assert c.get("/api/v1/models").json() == []


def test_repeated_ids_and_loose_arrow_columns_are_refused(server: RunningServer) -> None:
    with client(server) as c:
        register(c)
        twice = records(2)
        twice[1]["id"] = twice[0]["id"]
        said = _refused(c.post(PREDICTIONS, json=twice))
        assert "'index': 1, 'field': 'id'" in said
        arrow = {"Content-Type": "application/vnd.apache.arrow.stream"}
        loose = {
            "empty id": pa.table({"id": ["", "b"], "age": [1.0, 2.0]}),
            "error = 2": pa.table({"id": ["a", "b"], "age": [1.0, 2.0], "error": [2, 0]}),
            "repeated id": pa.table({"id": ["a", "a"], "age": [1.0, 2.0]}),
        }
        for case, table in loose.items():
            said = _refused(c.post(PREDICTIONS, content=_arrow(table), headers=arrow))
            assert "'field': 'id'" in said or "'field': 'error'" in said, case
        assert windows(c) == []


def test_the_same_idempotency_key_with_other_content_is_a_conflict(
    server: RunningServer,
) -> None:
    with client(server) as c:
        register(c)
        key = {"Idempotency-Key": "batch-1"}
        batch = records(3)
        first = c.post(PREDICTIONS, json=batch, headers=key)
        assert first.status_code == 201, first.text
        retry = c.post(PREDICTIONS, json=batch, headers=key)  # the very same body
        assert retry.status_code == 201, retry.text
        assert retry.json()["duplicate"] is True
        other = c.post(PREDICTIONS, json=records(5, start=100), headers=key)
        said = _refused(other, 409)
        assert "'batch-1'" in said
        assert "other content" in said
        assert sum(w["rows"] for w in windows(c)) == 3
        # a batch stored before digests were kept (migration 0007) still takes its retries
        engine = make_engine(server.settings.database_url)
        try:
            with engine.begin() as connection:
                connection.execute(text("UPDATE ingest_batches SET content_digest = NULL"))
        finally:
            engine.dispose()
        legacy = c.post(PREDICTIONS, json=records(5, start=100), headers=key)
        assert legacy.status_code == 201, legacy.text
        assert legacy.json()["duplicate"] is True


def test_an_idempotency_key_longer_than_the_store_holds_is_refused(
    server: RunningServer,
) -> None:
    with client(server) as c:
        register(c)
        too_long = {"Idempotency-Key": "k" * 201}
        said = _refused(c.post(PREDICTIONS, json=records(1), headers=too_long))
        assert "1 to 200 characters" in said
        long_id = {"batch_id": "b" * 201, "records": records(1)}
        assert "batch_id must be 1 to 200" in _refused(c.post(PREDICTIONS, json=long_id))
        fits = c.post(PREDICTIONS, json=records(1), headers={"Idempotency-Key": "k" * 200})
        assert fits.status_code == 201, fits.text


def test_a_trailing_slash_is_a_404_with_the_path_to_ask_for_not_a_redirect(
    server: RunningServer,
) -> None:
    with client(server) as c:
        answer = c.get("/api/v1/models/", headers={"Host": "attacker.example"})
        assert answer.status_code == 404, answer.text
        assert "location" not in answer.headers
        assert "ask for /api/v1/models" in answer.json()["detail"]
        assert c.get("/api/v1/nothing").json() == {"detail": "Not Found"}


def test_text_holding_nul_is_refused_on_every_store(server: RunningServer) -> None:
    """PostgreSQL cannot hold or look up the NUL character; the fuzzer found these as 500s."""
    with client(server) as c:
        register(c)
        monitor = {"name": "p50", "model": "churn", "type": "latency", "quantile": 0.5}
        assert c.post("/api/v1/monitors", json=monitor).status_code == 201
        bodies = {
            "/api/v1/slos": {"name": "s\x00", "monitor": "p50", "objective": 0.9},
            "/api/v1/monitors": {**monitor, "model": "churn\x00"},
            "/api/v1/models/churn/labels": {"labels": [{"id": "p\x00", "label": "1"}]},
            "/api/v1/models/churn/metrics": {"metric": "rev\x00", "value": 1.0},
            PREDICTIONS: {"batch_id": "b\x00", "records": records(1)},
        }
        for path, body in bodies.items():
            assert "NUL character" in _refused(c.post(path, json=body)), path
        for url in ("/api/v1/models/churn/observations?monitor=a%00", "/api/v1/models/a%00"):
            assert "%00" in _refused(c.get(url)), url
        assert c.get("/api/v1/slos").json() == []


def test_a_label_given_twice_in_a_batch_keeps_the_later_one(server: RunningServer) -> None:
    with client(server) as c:
        register(c)
        body = {"labels": [{"id": "p1", "label": "0"}, {"id": "p1", "label": "1"}]}
        stored = c.post("/api/v1/models/churn/labels", json=body)
        assert stored.status_code == 201, stored.text
        assert stored.json()["rows"] == 1
    engine = make_engine(server.settings.database_url)
    try:
        with engine.connect() as connection:
            labels = connection.execute(text("SELECT prediction_id, label FROM labels")).all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in labels] == [("p1", "1")]
