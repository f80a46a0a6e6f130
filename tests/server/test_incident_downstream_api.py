"""Downstream models through lineage, through the real API (SQLite and PostgreSQL): models
declare the OpenLineage datasets they read (``inputs:`` in the schema); a feature pipeline's
run writes a tenth of its usual rows, a downstream job reads that output and writes
aggregates, and the churn model's key feature goes null. The incident's blast radius names
the models downstream of the broken run (one reading the features, one reading the
aggregates) and those sharing the incident's data, and leaves out the unrelated one."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import httpx
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from tests.server.support import SCHEMA, client, records
from tests.server.test_incident_analysis_api import (
    FEATURES,
    aggregate_run,
    feature_run,
    hour_of,
    log,
)
from tests.server.test_lineage_api import lineage_client
from tests.support import RunningServer


def _register(c: httpx.Client, name: str, *inputs: tuple[str, str]) -> None:
    schema = {**SCHEMA, "inputs": [{"namespace": ns, "name": n} for ns, n in inputs]}
    r = c.post("/api/v1/models", json={"name": name, "schema": schema, "window_seconds": 3600})
    assert r.status_code == 201, r.text


def _churn(c: httpx.Client) -> None:
    _register(c, "churn", FEATURES)
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


def test_downstream_models_and_those_sharing_the_data(server: RunningServer) -> None:
    now = datetime.now(UTC)
    onset = hour_of(now, 3)
    broken = hour_of(now, 4) + timedelta(minutes=10)
    with client(server) as c:
        _churn(c)
        _register(c, "upsell", FEATURES, ("warehouse", "customers"))  # reads the features too
        _register(c, "ltv", ("warehouse", "agg.churn"))  # reads the aggregates downstream
        _register(c, "fraud", ("warehouse", "transactions"))  # unrelated
        lineage = lineage_client(server, server.admin)
        for days, rows in ((3, 10_000), (2, 10_200), (1, 9_900)):
            lineage.emit(feature_run(broken - timedelta(days=days), rows, f"snap-{4 - days}"))
        lineage.emit(feature_run(broken, 950, "snap-4"))
        lineage.emit(aggregate_run(broken + timedelta(minutes=20)))
        for hours_ago, start in ((6, 0), (5, 1000)):
            log(c, records(100, start, hour=hour_of(now, hours_ago) + timedelta(minutes=5)), "v1")
        log(c, records(400, 3000, hour=onset + timedelta(minutes=5)), "v1", nulls=True)
        assert c.post("/api/v1/evaluate").json()["alerts"] >= 1

        (incident,) = c.get("/api/v1/incidents").json()
        down = c.get(f"/api/v1/incidents/{incident['id']}").json()["blast_radius"]["downstream"]
        assert down["run"]["job"] == "etl/churn_features"
        assert down["models_known"] is True
        assert down["reason"] is None
        assert down["models"] == ["ltv", "upsell"]  # churn itself is the incident's
        assert down["sharing"] == [
            {"model": "upsell", "datasets": [{"namespace": FEATURES[0], "name": FEATURES[1]}]}
        ]

        declared = c.post(
            "/api/v1/incidents", json={"title": "fraud odd", "models": ["fraud"], "by": "ana"}
        ).json()
        other = c.get(f"/api/v1/incidents/{declared['id']}").json()["blast_radius"]["downstream"]
        assert other["sharing"] == []  # nobody else reads the transactions
