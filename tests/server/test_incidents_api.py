"""Incidents through the real API (SQLite and PostgreSQL): a pipeline's OpenLineage run with a
row count far below usual, then a model's key feature goes null: one incident opens from the
page alert, the run shows among the changes before its onset, a second alert of the model
joins it; people acknowledge (its alerts too), note, update, move it through its statuses."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from tests.server.support import client, records, register
from tests.server.test_incident_analysis_api import feature_run
from tests.server.test_lineage_api import lineage_client
from tests.support import RunningServer


def hour_of(now: datetime, hours_ago: int) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours_ago)


def with_nulls(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with ``age`` missing in every other one (a broken upstream join)."""
    for i, row in enumerate(rows):
        if i % 2 == 0:
            row["features"]["age"] = None
    return rows


def test_an_upstream_break_opens_one_incident_that_people_run(server: RunningServer) -> None:
    now = datetime.now(UTC)
    with client(server) as c:
        register(c)
        rng = np.random.default_rng(1)
        ref = pa.table(
            {"age": rng.normal(40, 10, 4000), "plan": rng.choice(["basic", "pro"], 4000)}
        )
        sink = io.BytesIO()
        pq.write_table(ref, sink)
        assert c.put("/api/v1/models/churn/reference", content=sink.getvalue()).status_code == 200
        monitors = [
            {
                "name": "age-nulls",
                "model": "churn",
                "type": "null_rate",
                "column": "age",
                "max": 0.05,
                "severity": "page",
            },
            {"name": "p99", "model": "churn", "type": "latency", "quantile": 0.99, "max": 100},
        ]
        for spec in monitors:
            assert c.post("/api/v1/monitors", json=spec).status_code == 201

        # The feature pipeline ran as usual for three days, then wrote a tenth of its rows.
        lineage = lineage_client(server, server.admin)
        broken = hour_of(now, 4)
        for days, rows in ((3, 10_000), (2, 10_200), (1, 9_900), (0, 950)):
            lineage.emit(feature_run(broken - timedelta(days=days), rows, f"snap-{days}"))

        onset = hour_of(now, 3)
        batch = with_nulls(records(400, hour=onset + timedelta(minutes=5)))
        assert (
            c.post("/api/v1/models/churn/predictions", json={"records": batch}).status_code == 201
        )
        assert c.post("/api/v1/evaluate").json()["alerts"] >= 1

        (incident,) = c.get("/api/v1/incidents").json()
        assert incident["severity"] == "SEV2"
        assert incident["models"] == ["churn"]
        assert "data_quality" in " ".join(incident["labels"])
        shown = c.get(f"/api/v1/incidents/{incident['id']}").json()
        kinds = [e["kind"] for e in shown["timeline"]]
        assert kinds.index("onset") < kinds.index("opened")  # in the order things happened
        assert "alert_attached" in kinds or "alert_fired" in kinds
        assert shown["onset_at"] == onset.isoformat()
        pipeline = [ch for ch in shown["changes"] if ch["kind"] == "pipeline"]
        assert pipeline, shown["changes"]
        low = [ch for ch in pipeline if "950" in str(ch)]
        assert low, pipeline  # the short run is before the onset, on the incident's view

        # A second alert of the same model, an hour later, joins the incident.
        slow = records(200, start=1000, hour=onset + timedelta(hours=1, minutes=5))
        for row in slow:
            row["latency_ms"] = 900.0
        assert c.post("/api/v1/models/churn/predictions", json={"records": slow}).status_code == 201
        c.post("/api/v1/evaluate")
        (incident,) = c.get("/api/v1/incidents").json()
        assert len(incident["alerts"]) == 2

        # People run it.
        iid = incident["id"]
        acked = c.post(f"/api/v1/incidents/{iid}/ack", json={"by": "ana"}).json()
        assert acked["acknowledged_at"] is not None
        mine = [a for a in c.get("/api/v1/alerts").json() if a["fingerprint"] in incident["alerts"]]
        # the null alert resolved with the healthy hour; the firing one is acknowledged with it
        assert {(a["state"], a["acknowledged_by"]) for a in mine} == {
            ("resolved", None),
            ("firing", "ana"),
        }
        assert (
            c.post(
                f"/api/v1/incidents/{iid}/notes", json={"text": "join lost rows", "by": "ana"}
            ).status_code
            == 201
        )
        sbar = {
            "situation": "age is null in half the rows",
            "background": "the feature job wrote 950 rows",
            "assessment": "upstream job broke",
            "recommendation": "rerun the job",
            "by": "ana",
        }
        assert c.post(f"/api/v1/incidents/{iid}/updates", json=sbar).status_code == 201
        illegal = c.patch(f"/api/v1/incidents/{iid}", json={"status": "closed", "by": "ana"})
        assert illegal.status_code == 422
        assert "may move to" in illegal.json()["detail"]
        moved = c.patch(
            f"/api/v1/incidents/{iid}",
            json={"status": "mitigated", "by": "ana", "roles": {"commander": "ana"}},
        )
        assert moved.status_code == 200, moved.text
        assert moved.json()["roles"] == {"commander": "ana"}
        assert moved.json()["response_seconds"]["time_to_mitigate"] is not None
        timeline = c.get(f"/api/v1/incidents/{iid}/timeline").json()
        kinds = [e["kind"] for e in timeline]
        for kind in (
            "note",
            "status_update",
            "status_changed",
            "role_assigned",
            "acknowledged",
            "alert_resolved",
        ):
            assert kind in kinds, kinds
        assert c.get("/api/v1/incidents/INC-999").status_code == 404

        other = c.post(
            "/api/v1/incidents",
            json={"title": "dup", "severity": "SEV3", "by": "bo", "models": ["churn"]},
        )
        assert other.status_code == 201, other.text
        merged = c.post(
            f"/api/v1/incidents/{iid}/merge", json={"duplicate": other.json()["id"], "by": "ana"}
        )
        assert merged.status_code == 200, merged.text
        dup = c.get(f"/api/v1/incidents/{other.json()['id']}").json()
        assert dup["merged_into"] == iid
