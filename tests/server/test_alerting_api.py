"""Alerting over the API (SQLite and PostgreSQL): a drifting window fires an alert that can be
listed, acknowledged and silenced; notifications are listed; bad input gets a clear refusal."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from tests.server.support import client, records, register
from tests.support import RunningServer


def _drifting_model(c, rng: np.random.Generator) -> None:  # type: ignore[no-untyped-def]
    register(c)
    ref = pa.table({"age": rng.normal(40, 10, 4000), "plan": rng.choice(["basic", "pro"], 4000)})
    sink = io.BytesIO()
    pq.write_table(ref, sink)
    assert c.put("/api/v1/models/churn/reference", content=sink.getvalue()).status_code == 200
    spec = {"name": "drift", "model": "churn", "type": "feature_drift", "max": 0}
    assert c.post("/api/v1/monitors", json=spec).status_code == 201
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
    r = c.post(
        "/api/v1/models/churn/predictions", json={"records": records(800, shift=25, hour=hour)}
    )
    assert r.status_code in (200, 201, 202), r.text


def test_alerts_fire_and_can_be_acknowledged_and_silenced(server: RunningServer) -> None:
    with client(server) as c:
        _drifting_model(c, np.random.default_rng(3))
        summary = c.post("/api/v1/evaluate").json()
        assert summary["alerts"] == 1
        (alert,) = c.get("/api/v1/alerts", params={"state": "firing"}).json()
        assert alert["labels"]["monitor"] == "drift"
        assert alert["context"]["drifted_columns"][0]["column"] == "age"
        assert c.get("/api/v1/alerts", params={"model": "other"}).json() == []
        assert c.get("/api/v1/alerts", params={"state": "bogus"}).status_code == 422

        acked = c.post(f"/api/v1/alerts/{alert['fingerprint']}/ack", json={"by": "ana"})
        assert acked.status_code == 200, acked.text
        assert acked.json()["acknowledged_by"] == "ana"
        missing = c.post("/api/v1/alerts/0000000000000000/ack", json={"by": "ana"})
        assert missing.status_code == 404
        assert "no alert has fingerprint" in missing.json()["detail"]

        made = c.post(
            "/api/v1/silences",
            json={
                "matchers": ['model="churn"'],
                "duration_minutes": 60,
                "created_by": "ana",
                "comment": "retraining",
            },
        )
        assert made.status_code == 201, made.text
        assert made.json()["warnings"] == []
        nothing = c.post(
            "/api/v1/silences",
            json={
                "matchers": ['model="fraud"'],
                "duration_minutes": 60,
                "created_by": "ana",
                "comment": "typo?",
            },
        ).json()
        assert "match no alert" in nothing["warnings"][0]
        backwards = c.post(
            "/api/v1/silences",
            json={
                "matchers": ['model="churn"'],
                "starts_at": "2026-11-30T12:00:00Z",
                "ends_at": "2026-11-30T11:00:00Z",
                "created_by": "ana",
                "comment": "x",
            },
        )
        assert backwards.status_code == 422
        assert "before it starts" in backwards.json()["detail"]
        assert len(c.get("/api/v1/silences").json()) == 2
        assert c.delete(f"/api/v1/silences/{made.json()['id']}").json()["state"] == "expired"
        assert len(c.get("/api/v1/silences").json()) == 1
        assert len(c.get("/api/v1/silences", params={"expired": "true"}).json()) == 2
        assert c.delete("/api/v1/silences/nope").status_code == 404
        # no alerting configuration: alerts are recorded, nothing is queued
        assert c.get("/api/v1/notifications").json() == []
        metrics = c.get("/metrics").text
        assert 'smokejumper_alerts{severity="warning",state="firing"} 1.0' in metrics
        assert "smokejumper_outbox_oldest_pending_seconds 0.0" in metrics


def test_alertmanager_alerts_come_in_and_resolve(server: RunningServer) -> None:
    alert = {
        "status": "firing",
        "labels": {"alertname": "NodeDown", "instance": "gpu-3", "severity": "page"},
        "annotations": {"summary": "gpu-3 is down"},
        "startsAt": "2026-11-30T10:00:00Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph?g0.expr=up",
        "fingerprint": "a1b2c3",
    }
    payload = {
        "version": "4",
        "groupKey": '{}:{alertname="NodeDown"}',
        "truncatedAlerts": 0,
        "status": "firing",
        "receiver": "smokejumper",
        "groupLabels": {"alertname": "NodeDown"},
        "commonLabels": alert["labels"],
        "commonAnnotations": alert["annotations"],
        "externalURL": "http://alertmanager:9093",
        "alerts": [alert],
    }
    with client(server) as c:
        r = c.post("/api/v1/integrations/alertmanager", json=payload)
        assert r.status_code == 200, r.text
        assert r.json() == {"firing": 1, "resolved": 0}
        (found,) = c.get("/api/v1/alerts", params={"state": "firing"}).json()
        assert found["labels"]["source"] == "alertmanager"
        assert found["annotations"]["summary"] == "gpu-3 is down"
        # sent again (Alertmanager repeats): still one alert
        assert c.post("/api/v1/integrations/alertmanager", json=payload).status_code == 200
        assert len(c.get("/api/v1/alerts").json()) == 1
        resolved = {**alert, "status": "resolved", "endsAt": "2026-11-30T10:30:00Z"}
        done = c.post(
            "/api/v1/integrations/alertmanager",
            json={**payload, "status": "resolved", "alerts": [resolved]},
        )
        assert done.json() == {"firing": 0, "resolved": 1}
        (found,) = c.get("/api/v1/alerts").json()
        assert found["state"] == "resolved"
        bad = c.post("/api/v1/integrations/alertmanager", json={**payload, "version": "3"})
        assert bad.status_code == 422
        assert "version" in bad.json()["detail"]
