"""An incident's last known good state, blast radius and reconstruction through the real API
(SQLite and PostgreSQL): a feature pipeline writes dataset snapshots daily, its latest run
writes a tenth of the usual rows, a downstream job reads that snapshot, an alias moves to a new
model version, and the model's key feature goes null. The incident's view names the window,
model version and dataset version last known good, counts the predictions hit, names the
downstream job and the error budget burned; its reconstruction lists all of it in order."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import dataset_version_dataset
from openlineage.client.facet_v2 import output_statistics_output_dataset as stats_facet
from tests.server.support import client, records, register
from tests.server.test_lineage_api import lineage_client
from tests.support import RunningServer

FEATURES = ("warehouse", "features.churn")


def feature_run(ended: datetime, rows: int, snapshot: str) -> RunEvent:
    """The COMPLETE event of the feature job, writing snapshot ``snapshot`` of ``rows`` rows."""
    output = OutputDataset(
        namespace=FEATURES[0],
        name=FEATURES[1],
        facets={
            "version": dataset_version_dataset.DatasetVersionDatasetFacet(datasetVersion=snapshot)
        },
        outputFacets={
            "outputStatistics": stats_facet.OutputStatisticsOutputDatasetFacet(rowCount=rows)
        },
    )
    return RunEvent(
        eventType=RunState.COMPLETE,
        eventTime=ended.isoformat(),
        run=Run(runId=str(uuid.uuid4())),
        job=Job(namespace="etl", name="churn_features"),
        producer="https://example.com/etl",
        outputs=[output],
    )


def aggregate_run(ended: datetime) -> RunEvent:
    """A downstream job reading the features and writing aggregates."""
    return RunEvent(
        eventType=RunState.COMPLETE,
        eventTime=ended.isoformat(),
        run=Run(runId=str(uuid.uuid4())),
        job=Job(namespace="etl", name="churn_aggregates"),
        producer="https://example.com/etl",
        inputs=[InputDataset(namespace=FEATURES[0], name=FEATURES[1])],
        outputs=[OutputDataset(namespace="warehouse", name="agg.churn")],
    )


def hour_of(now: datetime, hours_ago: int) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours_ago)


def log(c: httpx.Client, rows: list[dict[str, Any]], version: str, nulls: bool = False) -> None:
    for i, row in enumerate(rows):
        row["version"] = version
        if nulls and i % 2 == 0:  # every "basic" row (plans alternate) loses its age
            row["features"]["age"] = None
    r = c.post("/api/v1/models/churn/predictions", json={"records": rows})
    assert r.status_code == 201, r.text


def setup_model(c: httpx.Client) -> None:
    register(c)
    rng = np.random.default_rng(1)
    ref = pa.table({"age": rng.normal(40, 10, 4000), "plan": rng.choice(["basic", "pro"], 4000)})
    sink = io.BytesIO()
    pq.write_table(ref, sink)
    assert c.put("/api/v1/models/churn/reference", content=sink.getvalue()).status_code == 200
    nulls = {
        "name": "age-nulls",
        "model": "churn",
        "type": "null_rate",
        "column": "age",
        "max": 0.05,
        "severity": "page",
    }
    assert c.post("/api/v1/monitors", json=nulls).status_code == 201
    slo = {"name": "age-ok", "monitor": "age-nulls", "objective": 0.9, "period_days": 1}
    assert c.post("/api/v1/slos", json=slo).status_code == 201


def test_last_good_blast_radius_and_reconstruction(server: RunningServer) -> None:
    now = datetime.now(UTC)
    onset = hour_of(now, 3)
    broken = hour_of(now, 4) + timedelta(minutes=10)
    with client(server) as c:
        setup_model(c)
        lineage = lineage_client(server, server.admin)
        for days, rows in ((3, 10_000), (2, 10_200), (1, 9_900)):
            lineage.emit(feature_run(broken - timedelta(days=days), rows, f"snap-{4 - days}"))
        lineage.emit(feature_run(broken, 950, "snap-4"))
        lineage.emit(aggregate_run(broken + timedelta(minutes=20)))
        move = {
            "time": (onset - timedelta(minutes=20)).isoformat(),
            "kind": "alias_move",
            "model": "churn",
            "summary": "champion: v1 -> v2",
        }
        assert c.post("/api/v1/changes", json=move).status_code == 201

        # Healthy hours on v1, nothing in the hour of the broken run, then v2 with nulls,
        # then a healthy hour on v2 again.
        for hours_ago, start in ((7, 0), (6, 1000), (5, 2000)):
            log(c, records(100, start, hour=hour_of(now, hours_ago) + timedelta(minutes=5)), "v1")
        log(c, records(400, 3000, hour=onset + timedelta(minutes=5)), "v2", nulls=True)
        assert c.post("/api/v1/evaluate").json()["alerts"] >= 1
        log(c, records(200, 4000, hour=hour_of(now, 2) + timedelta(minutes=5)), "v2")
        c.post("/api/v1/evaluate")

        (incident,) = c.get("/api/v1/incidents").json()
        assert incident["onset_at"] == onset.isoformat()
        shown = c.get(f"/api/v1/incidents/{incident['id']}").json()

        good = shown["last_known_good"]
        assert good["reason"] is None, good
        assert good["window_start"] == hour_of(now, 5).isoformat()
        assert good["window_end"] == hour_of(now, 4).isoformat()
        assert good["versions"] == [{"model": "churn", "version": "v1", "predictions": 100}]
        [dataset] = good["datasets"]
        assert (dataset["namespace"], dataset["name"]) == FEATURES
        assert dataset["version"] == "snap-3"  # the broken snap-4 came after the window
        assert dataset["ended_at"] == (broken - timedelta(days=1)).isoformat()
        assert dataset["run_id"]

        radius = shown["blast_radius"]
        [churn] = radius["models"]
        assert (churn["predictions"], churn["affected_predictions"]) == (600, 400)
        assert churn["share_of_traffic"] == round(400 / 600, 6)
        assert {(v["version"], v["affected_predictions"]) for v in churn["versions"]} == {
            ("v2", 400)
        }
        assert [(s["segment"], s["affected_predictions"]) for s in churn["segments"]] == [
            ("plan=basic", 200),
            ("plan=pro", 200),
        ]
        down = radius["downstream"]
        assert down["run"]["job"] == "etl/churn_features"
        assert [j["job"] for j in down["jobs"]] == ["etl/churn_aggregates"]
        assert {(d["namespace"], d["name"]) for d in down["datasets"]} == {
            FEATURES,
            ("warehouse", "agg.churn"),
        }
        assert down["models_known"] is False
        assert "inputs" in down["reason"]
        [budget] = radius["error_budget"]["slos"]
        assert budget["slo"] == "age-ok"
        assert budget["budget_at_onset"] == 1.0  # three good windows, none bad
        assert budget["budget_now"] < budget["budget_at_onset"]
        assert budget["burned_since_onset"] > 0

        rebuilt = c.get(f"/api/v1/incidents/{incident['id']}/reconstruction").json()
        items = rebuilt["items"]
        assert [i["at"] for i in items] == sorted(i["at"] for i in items)
        kinds = [(i["kind"], i["what"]) for i in items]
        runs = [i for i in items if i["kind"] == "pipeline_run"]
        assert len(runs) == 2  # the broken run and the downstream one; older ones are out
        [first] = [i for i in runs if i["first_anomalous"]]
        assert first["before_onset"]
        assert first["anomalous"]
        assert "950 rows" in first["summary"]
        assert "under half" in first["summary"]
        assert rebuilt["first_anomalous_run"]["run_id"] == first["details"]["run_id"]
        assert ("alias_move", "alias_move") in kinds
        assert ("alert", "fired") in kinds
        [onset_item] = [i for i in items if i["kind"] == "onset"]
        assert onset_item["at"] == onset.isoformat()
        assert not onset_item["before_onset"]
        order = [k for k, _ in kinds]
        assert order.index("pipeline_run") < order.index("alias_move") < order.index("onset")
        assert not [i for i in items if i["kind"] == "change" and "churn_features" in str(i)]

        longer = c.get(
            f"/api/v1/incidents/{incident['id']}/reconstruction", params={"lookback_hours": 100}
        ).json()
        assert len([i for i in longer["items"] if i["kind"] == "pipeline_run"]) == 5
        assert longer["first_anomalous_run"] == rebuilt["first_anomalous_run"]
        bad = c.get(
            f"/api/v1/incidents/{incident['id']}/reconstruction", params={"lookback_hours": 0}
        )
        assert bad.status_code == 422
        assert c.get("/api/v1/incidents/INC-99/reconstruction").status_code == 404


def test_a_declared_incident_says_why_it_has_no_last_good_state(server: RunningServer) -> None:
    with client(server) as c:
        register(c)
        made = c.post(
            "/api/v1/incidents",
            json={"title": "scores look off", "severity": "SEV3", "by": "ana", "models": ["churn"]},
        ).json()
        shown = c.get(f"/api/v1/incidents/{made['id']}").json()
        good = shown["last_known_good"]
        assert good["window_start"] is None
        assert "no monitor fired" in good["reason"]
        radius = shown["blast_radius"]
        assert radius["reference"] == "detected"
        [churn] = radius["models"]
        assert churn["predictions"] == 0
        assert churn["share_of_traffic"] is None
        assert radius["downstream"]["run"] is None
        assert radius["error_budget"]["slos"] == []
        rebuilt = c.get(f"/api/v1/incidents/{made['id']}/reconstruction").json()
        assert rebuilt["reference"] == "detected"
        assert rebuilt["onset_at"] is None
        assert rebuilt["first_anomalous_run"] is None
