"""Client.predictions: reading a slice of the raw log back from the real server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pyarrow as pa
import pytest
from tests.server.support import BATCHES, HOUR, INSIDE, PATH, register
from tests.support import RunningServer

from smokejumper.client import Client, ClientError
from smokejumper.errors import ServerError


@pytest.fixture
def reader(server: RunningServer, tmp_path: Path) -> Iterator[Client]:
    """A client with a read token, 'churn' registered and the test batches logged."""
    headers = {"Authorization": f"Bearer {server.admin}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as admin:
        register(admin)
        for key, rows in BATCHES.items():
            r = admin.post(PATH, json=rows, headers={"Idempotency-Key": key})
            assert r.status_code == 201, r.text
    with Client(server.url, server.token("read"), spool_dir=tmp_path / "spool") as client:
        yield client


def test_predictions_round_trip_as_an_arrow_table(reader: Client) -> None:
    end = HOUR + timedelta(hours=1)
    table = reader.predictions("churn", HOUR, end)
    assert isinstance(table, pa.Table)
    assert table.column("id").to_pylist() == INSIDE
    assert table.schema.field("timestamp").type == pa.timestamp("us", tz="UTC")
    assert table.column("timestamp")[0].as_py() == HOUR
    assert table.schema.metadata == {b"smokejumper.truncated": b"false"}
    naive = reader.predictions("churn", HOUR.replace(tzinfo=None), end.isoformat())
    assert naive.equals(table)

    some = reader.predictions(
        "churn",
        HOUR - timedelta(hours=1),
        HOUR + timedelta(hours=2),
        columns=["id", "plan"],
        version=["v1"],
        where={"plan": "pro", "active": True},
    )
    assert some.to_pylist() == [{"id": "b1a", "plan": "pro"}, {"id": "c0", "plan": "pro"}]
    cut = reader.predictions("churn", HOUR, end, where={"plan": ["pro", "basic"]}, limit=3)
    assert cut.column("id").to_pylist() == INSIDE[:3]
    assert cut.schema.metadata == {b"smokejumper.truncated": b"true"}


def test_refused_reads_raise_with_the_servers_message(
    reader: Client, server: RunningServer, tmp_path: Path
) -> None:
    with pytest.raises(ClientError, match=r"\(422\): columns: unknown column\(s\) 'agee'"):
        reader.predictions("churn", HOUR, HOUR + timedelta(hours=1), columns=["agee"])
    with pytest.raises(ClientError, match="must be after start"):
        reader.predictions("churn", HOUR, HOUR)
    with pytest.raises(ClientError, match=r"\(404\): no model named 'nope'"):
        reader.predictions("nope", HOUR, HOUR + timedelta(hours=1))
    ingest_only = Client(server.url, server.token("ingest"), spool_dir=tmp_path / "spool2")
    with ingest_only, pytest.raises(ClientError, match=r"\(403\): .*needs 'read'"):
        ingest_only.predictions("churn", HOUR, HOUR + timedelta(hours=1))


def test_an_unreachable_server_is_a_server_error(tmp_path: Path) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    transport = httpx.MockTransport(down)
    client = Client("http://sj.test", "t", spool_dir=tmp_path, transport=transport)
    with client, pytest.raises(ServerError, match=r"cannot read predictions from http://sj\.test"):
        client.predictions("churn", HOUR, HOUR + timedelta(hours=1))
