"""OpenLineage events into a real server on loopback: sent by the real openlineage-python client
(plain and gzip), as Airflow's provider emits them, and refused with 400 when they break the
spec; a dataset read back with its runs, versions and flags."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    data_quality_assertions_dataset as dqa,
)
from openlineage.client.facet_v2 import (
    dataset_version_dataset,
    output_statistics_output_dataset,
    schema_dataset,
)
from openlineage.client.transport.http import HttpConfig, HttpTransport
from tests.server.support import client
from tests.support import RunningServer

AIRFLOW_EVENT = Path(__file__).with_name("lineage") / "airflow_task_complete.json"
PRODUCER = "https://example.com/etl/daily_features"
NAMESPACE = "postgres://warehouse:5432"
OUTPUT = "features.daily"
START = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)


def lineage_client(server: RunningServer, token: str, *, gzip: bool = False) -> OpenLineageClient:
    """The real OpenLineage client, configured as docs/changes.md tells users to."""
    config: dict[str, Any] = {
        "url": server.url,
        "auth": {"type": "api_key", "apiKey": token},
    }
    if gzip:
        config["compression"] = "gzip"
    return OpenLineageClient(transport=HttpTransport(HttpConfig.from_dict(config)))


def run_events(
    day: int, rows: int, *, failed_assertion: bool = False, minutes: int = 10
) -> tuple[RunEvent, RunEvent]:
    """The START and COMPLETE events of the daily run of day ``day``, writing ``rows`` rows."""
    run = Run(runId=str(uuid.uuid4()))
    job = Job(namespace="etl", name="daily_features")
    started = START + timedelta(days=day)
    inputs = [InputDataset(namespace=NAMESPACE, name="public.events")]
    start = RunEvent(
        eventType=RunState.START,
        eventTime=started.isoformat(),
        run=run,
        job=job,
        producer=PRODUCER,
        inputs=inputs,
        outputs=[OutputDataset(namespace=NAMESPACE, name=OUTPUT)],
    )
    assertions = [dqa.Assertion(assertion="not_null", success=not failed_assertion, column="plan")]
    output = OutputDataset(
        namespace=NAMESPACE,
        name=OUTPUT,
        facets={
            "schema": schema_dataset.SchemaDatasetFacet(
                fields=[schema_dataset.SchemaDatasetFacetFields(name="plan", type="text")]
            ),
            "version": dataset_version_dataset.DatasetVersionDatasetFacet(
                datasetVersion=f"snap-{day}"
            ),
            "dataQualityAssertions": dqa.DataQualityAssertionsDatasetFacet(assertions=assertions),
        },
        outputFacets={
            "outputStatistics": output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet(
                rowCount=rows, size=rows * 80
            )
        },
    )
    complete = RunEvent(
        eventType=RunState.COMPLETE,
        eventTime=(started + timedelta(minutes=minutes)).isoformat(),
        run=run,
        job=job,
        producer=PRODUCER,
        inputs=inputs,
        outputs=[output],
    )
    return start, complete


def dataset_path(namespace: str, name: str) -> str:
    return f"/api/v1/lineage/datasets/{quote(namespace, safe='')}/{quote(name, safe='')}"


@pytest.mark.parametrize("gzip", [False, True], ids=["json", "gzip"])
def test_the_real_client_reports_runs_and_a_short_one_is_flagged(
    server: RunningServer, gzip: bool
) -> None:
    ol = lineage_client(server, server.token("ingest"), gzip=gzip)
    counts = [1200, 1180, 1250, 1210, 400]
    run_ids = []
    for day, rows in enumerate(counts):
        start, complete = run_events(day, rows, failed_assertion=day == 4)
        ol.emit(start)
        ol.emit(complete)
        run_ids.append(complete.run.runId)

    with client(server, server.token("read")) as c:
        r = c.get(dataset_path(NAMESPACE, OUTPUT))
        assert r.status_code == 200, r.text
        dataset = r.json()
        changes = c.get("/api/v1/changes", params={"kind": "pipeline"}).json()

    assert dataset["schema"] == [{"name": "plan", "type": "text", "description": None}]
    assert [p["run_id"] for p in dataset["producers"]] == run_ids[::-1]  # newest first
    assert [p["row_count"] for p in dataset["producers"]] == counts[::-1]
    assert {p["state"] for p in dataset["producers"]} == {"COMPLETE"}
    assert dataset["latest"]["version"] == "snap-4"
    assert [v["version"] for v in dataset["versions"]] == [f"snap-{d}" for d in range(4, -1, -1)]
    assert sorted(f["kind"] for f in dataset["flags"]) == ["failed_assertions", "row_count_low"]
    assert all(p["flags"] == [] for p in dataset["producers"][1:])  # the usual runs: no flag
    latest = dataset["producers"][0]
    assert [s["state"] for s in latest["states"]] == ["START", "COMPLETE"]
    assert latest["duration_seconds"] == 600.0

    # each run is a change of kind pipeline, with its row counts, newest first
    assert [c["details"]["run_id"] for c in changes] == run_ids[::-1]
    newest = changes[0]
    assert newest["time"] == (START + timedelta(days=4, minutes=10)).isoformat()
    assert newest["service"] == "etl/daily_features"
    assert newest["details"]["outputs"][0]["row_count"] == 400
    assert {f["kind"] for f in newest["details"]["flags"]} == {
        "failed_assertions",
        "row_count_low",
    }
    assert "400 rows" in newest["summary"]


def test_an_airflow_task_event_is_kept_with_its_parent_and_facets(server: RunningServer) -> None:
    event = json.loads(AIRFLOW_EVENT.read_text())
    with client(server, server.token("ingest")) as c:
        r = c.post("/api/v1/lineage", json=event)
        assert r.status_code == 201, r.text
        assert r.json()["state"] == "COMPLETE"  # a COMPLETE without a START makes the run
    with client(server, server.token("read")) as c:
        out = c.get(dataset_path("postgres://warehouse.internal:5432", "analytics.features.daily"))
        inp = c.get(dataset_path("postgres://warehouse.internal:5432", "analytics.public.events"))
    assert out.status_code == 200, out.text
    run = out.json()["producers"][0]
    assert run["job"] == {"namespace": "airflow-prod", "name": "daily_features.build_features"}
    assert run["parent"] == {
        "run_id": "01937a5c-9e00-7000-8a1b-2c3d4e5f6a7b",
        "job": {"namespace": "airflow-prod", "name": "daily_features"},
    }
    assert run["nominal_start"] == "2026-11-28T02:00:00+00:00"
    assert run["started_at"] is None
    assert run["ended_at"] == "2026-11-29T02:04:11.812391+00:00"
    assert run["row_count"] == 118204
    assert run["version"] == "snapshot-20261129"
    assert [f["kind"] for f in run["flags"]] == ["failed_assertions"]
    assert "not_null(plan)" in run["flags"][0]["message"]
    assert out.json()["schema"][0] == {
        "name": "customer_id",
        "type": "bigint",
        "description": "the customer",
    }
    # the table read is a dataset too, with this run as its consumer
    assert [r["run_id"] for r in inp.json()["consumers"]] == [run["run_id"]]
    assert inp.json()["producers"] == []


def test_events_of_one_run_in_any_order_settle_on_the_terminal_state(
    server: RunningServer,
) -> None:
    start, complete = run_events(0, 1000)
    running = copy.deepcopy(json.loads(_json(start)))
    running["eventType"] = "RUNNING"
    running["eventTime"] = (START + timedelta(minutes=5)).isoformat()
    other = copy.deepcopy(running)
    other["eventType"] = "OTHER"
    other["eventTime"] = (START + timedelta(hours=1)).isoformat()
    with client(server, server.token("ingest")) as c:
        for doc in (json.loads(_json(complete)), other, running, json.loads(_json(start))):
            assert c.post("/api/v1/lineage", json=doc).status_code == 201
        dataset = c.get(dataset_path(NAMESPACE, OUTPUT), headers=_read(server)).json()
    run = dataset["producers"][0]
    assert run["state"] == "COMPLETE"
    assert [s["state"] for s in run["states"]] == ["START", "RUNNING", "COMPLETE", "OTHER"]
    assert run["row_count"] == 1000  # the COMPLETE's count, kept though later events lack it


def _json(event: RunEvent) -> str:
    from openlineage.client.serde import Serde

    return str(Serde.to_json(event))


def _read(server: RunningServer) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.token('read')}"}


def _valid() -> dict[str, Any]:
    return json.loads(AIRFLOW_EVENT.read_text())


def _set(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    keys = path.split(".")
    target = doc
    for key in keys[:-1]:
        target = target[key]
    if value is _DROP:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value
    return doc


_DROP = object()

BAD = [
    ("eventTime", _DROP, "eventTime"),
    ("eventTime", "yesterday", "eventTime"),
    ("eventTime", "2026-11-29T02:04:11", "eventTime"),  # no offset
    ("eventTime", "0001-01-01T00:00:00+01:00", "eventTime"),
    ("run.runId", "42", "run.runId"),
    ("run.runId", _DROP, "run.runId"),
    ("job.namespace", "", "job.namespace"),
    ("job.name", _DROP, "job.name"),
    ("eventType", "DONE", "eventType"),
    ("producer", _DROP, "producer"),
    ("producer", "not a uri", "producer"),
    ("schemaURL", _DROP, "schemaURL"),
    ("run.facets.parent.run.runId", "x", "run.facets.parent.run.runId"),
]


@pytest.mark.parametrize(("path", "value", "field"), BAD)
def test_events_breaking_the_spec_get_400_naming_the_field(
    server: RunningServer, path: str, value: Any, field: str
) -> None:
    with client(server, server.token("ingest")) as c:
        r = c.post("/api/v1/lineage", json=_set(_valid(), path, value))
        assert r.status_code == 400, r.text
        assert r.json()["detail"].startswith(f"{field}: "), r.json()
        # nothing of it was kept
        assert c.get("/api/v1/changes", headers=_read(server)).json() == []


def test_bad_bodies_and_tokens_are_refused(server: RunningServer) -> None:
    url = f"{server.url}/api/v1/lineage"
    ingest = {"Authorization": f"Bearer {server.token('ingest')}"}
    bad_rows = _set(
        _valid(),
        "outputs",
        [{"namespace": "n", "name": "x", "outputFacets": {"outputStatistics": {"rowCount": -3}}}],
    )
    answers = [
        httpx.post(url, content=b"{not json", headers=ingest),
        httpx.post(
            url, content=b"\x1f\x8bnot gzip", headers={**ingest, "Content-Encoding": "gzip"}
        ),
        httpx.post(url, json=[_valid()], headers=ingest),
        httpx.post(url, json=bad_rows, headers=ingest),
    ]
    assert [a.status_code for a in answers] == [400, 400, 400, 400]
    assert (
        answers[3]
        .json()["detail"]
        .startswith("outputs[0].outputFacets.outputStatistics.rowCount: ")
    )
    assert httpx.post(url, json=_valid()).status_code == 401
    read = {"Authorization": f"Bearer {server.token('read')}"}
    assert httpx.post(url, json=_valid(), headers=read).status_code == 403


def test_an_unknown_dataset_is_404_and_a_slash_must_be_encoded(server: RunningServer) -> None:
    with client(server, server.token("read")) as c:
        assert c.get(dataset_path("s3://bucket", "no/such")).status_code == 404
        r = c.get("/api/v1/lineage/datasets/s3://bucket/a/b")
        assert r.status_code == 404
        assert "%2F" in r.json()["detail"]
