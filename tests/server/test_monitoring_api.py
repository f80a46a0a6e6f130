"""Monitors over the API: observations per closed window, late labels, custom metrics."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from tests.server.support import client, records, register
from tests.support import RunningServer


def _hour(hours_ago: int) -> datetime:
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return now - timedelta(hours=hours_ago)


def _setup(c, rng: np.random.Generator) -> None:  # type: ignore[no-untyped-def]
    register(c)
    ref = pa.table({"age": rng.normal(40, 10, 4000), "plan": rng.choice(["basic", "pro"], 4000)})
    sink = io.BytesIO()
    pq.write_table(ref, sink)
    assert c.put("/api/v1/models/churn/reference", content=sink.getvalue()).status_code == 200
    monitors = [
        {"name": "p99", "model": "churn", "type": "latency", "quantile": 0.99, "max": 100},
        {"name": "drift", "model": "churn", "type": "feature_drift"},
        {"name": "acc", "model": "churn", "type": "performance", "metric": "accuracy", "min": 0.5},
        {"name": "rev", "model": "churn", "type": "custom", "metric": "revenue", "min": 10},
        {"name": "nulls", "model": "churn", "type": "null_rate", "column": "age"},
    ]
    for spec in monitors:
        assert c.post("/api/v1/monitors", json=spec).status_code == 201


def test_observations_labels_and_custom_metrics(server: RunningServer) -> None:
    rng = np.random.default_rng(5)
    with client(server) as c:
        _setup(c, rng)
        url = "/api/v1/models/churn/predictions"
        # the newest closed window has data: a silent one would be evaluated too (volume 0)
        assert c.post(url, json=records(300, 0, hour=_hour(2))).status_code == 201
        assert c.post(url, json=records(300, 1000, shift=9.0, hour=_hour(1))).status_code == 201
        # Labels for predictions that have not arrived yet are kept and reported.
        early = c.post(
            "/api/v1/models/churn/labels", json={"labels": [{"id": "p5000", "label": 1}]}
        )
        assert early.json() == {"batch_id": None, "rows": 1, "unmatched": 1}
        first = c.post("/api/v1/evaluate").json()
        assert first["windows"] == 2
        assert first["observations"] == 10
        obs = c.get("/api/v1/models/churn/observations").json()
        by = {(o["monitor"], o["window_start"]): o for o in obs}
        old, new = _hour(2).isoformat(), _hour(1).isoformat()
        assert by[("p99", old)]["value"] == 12.5
        assert by[("p99", old)]["healthy"] is True
        assert by[("drift", old)]["healthy"] is True
        assert by[("drift", new)]["healthy"] is False
        assert by[("acc", old)]["value"] is None  # no labels yet
        assert by[("rev", old)]["value"] is None
        slo = {"name": "drift-slo", "monitor": "drift", "objective": 0.99, "period_days": 30}
        assert c.post("/api/v1/slos", json=slo).status_code == 201
        [status] = c.get("/api/v1/slos").json()
        assert status["windows"] == 2
        assert status["unhealthy_windows"] == 1
        assert status["state"] == "page"  # half the windows bad against a 1 % budget
        assert status["error_budget_remaining"] < 0
        orphan = {"name": "x", "monitor": "nope", "objective": 0.9}
        assert c.post("/api/v1/slos", json=orphan).status_code == 422
        # Nothing new: nothing to evaluate.
        assert c.post("/api/v1/evaluate").json()["windows"] == 0
        # Late labels and a custom metric make the old window due again.
        labels = [{"id": f"p{i}", "label": i % 2} for i in range(300)]
        late = c.post("/api/v1/models/churn/labels", json={"batch_id": "l1", "labels": labels})
        assert late.json()["unmatched"] == 0
        metric = c.post(
            "/api/v1/models/churn/metrics",
            json={
                "metric": "revenue",
                "value": 7.5,
                "timestamp": (_hour(2) + timedelta(minutes=5)).isoformat(),
            },
        )
        assert metric.status_code == 201
        again = c.post("/api/v1/evaluate").json()
        assert again["windows"] >= 1
        acc = c.get(
            "/api/v1/models/churn/observations",
            params={"monitor": "acc", "end": _hour(1).isoformat()},
        ).json()
        assert len(acc) == 1
        assert acc[0]["details"]["labelled"] == 300
        assert 0 <= acc[0]["value"] <= 1
        rev = c.get("/api/v1/models/churn/observations", params={"monitor": "rev"}).json()
        assert rev[0]["value"] == 7.5
        assert rev[0]["healthy"] is False
        # The prediction that the early label was waiting for arrives late, in the newest
        # window: the window is evaluated again and the label joins.
        c.post(url, json=[{**records(1, 5000, hour=_hour(1))[0], "id": "p5000"}])
        c.post("/api/v1/evaluate")
        newest = c.get(
            "/api/v1/models/churn/observations",
            params={"monitor": "acc", "start": _hour(1).isoformat()},
        ).json()
        assert newest[0]["details"]["labelled"] == 1


def test_bad_monitors_are_refused(server: RunningServer) -> None:
    with client(server) as c:
        register(c)
        bad = c.post("/api/v1/monitors", json={"name": "x", "model": "churn", "type": "nope"})
        assert bad.status_code == 422
        unknown = c.post("/api/v1/monitors", json={"name": "x", "model": "ghost", "type": "volume"})
        assert unknown.status_code == 404
        assert c.get("/api/v1/monitors").json() == []


def test_metrics_exposition(server: RunningServer) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    rng = np.random.default_rng(9)
    with client(server) as c:
        _setup(c, rng)
        c.post("/api/v1/models/churn/predictions", json=records(200, 0, hour=_hour(1)))
        c.post("/api/v1/slos", json={"name": "lat", "monitor": "p99", "objective": 0.9})
        c.post("/api/v1/evaluate")
        assert httpx_get(server, "/metrics", None).status_code == 401
        text = httpx_get(server, "/metrics", server.token("read")).text
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert samples[("smokejumper_ingested_predictions_total", (("model", "churn"),))] == 200
    p99 = (("model", "churn"), ("monitor", "p99"), ("type", "latency"))
    assert samples[("smokejumper_observation_value", p99)] == 12.5
    assert samples[("smokejumper_observation_healthy", p99)] == 1
    age = (("column", "age"), ("model", "churn"), ("monitor", "drift"))
    assert samples[("smokejumper_column_drift_effect_size", age)] >= 0
    assert samples[("smokejumper_slo_state", (("slo", "lat"), ("state", "ok")))] == 1
    assert samples[("smokejumper_slo_error_budget_remaining", (("slo", "lat"),))] == 1


def httpx_get(server: RunningServer, path: str, token: str | None):  # type: ignore[no-untyped-def]
    import httpx

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(server.url + path, headers=headers)


def test_refused_batches_are_counted_even_when_no_batch_gets_through(
    server: RunningServer,
) -> None:
    from smokejumper.service.evaluation.runner import run_once
    from smokejumper.store.database import make_engine, session_factory
    from smokejumper.store.rawlog import RawLog

    with client(server) as c:
        register(c)
        spec = {"name": "schema", "model": "churn", "type": "rejected_batches"}
        assert c.post("/api/v1/monitors", json=spec).status_code == 201
        renamed = [{**r, "features": {"years": 40}} for r in records(3)]  # a renamed column
        for _ in range(2):
            assert c.post("/api/v1/models/churn/predictions", json=renamed).status_code == 422
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    engine = make_engine(server.settings.database_url)
    try:
        with session_factory(engine)() as session:
            closed = hour + timedelta(hours=1)  # the refusals' window has just closed
            summary = run_once(session, RawLog(server.settings.home / "raw"), closed)
        assert summary.windows == 1
        assert summary.unhealthy == [f"schema@{hour.isoformat()}"]
    finally:
        engine.dispose()
    with client(server) as c:
        [obs] = c.get("/api/v1/models/churn/observations").json()
        assert obs["value"] == 2
        assert obs["healthy"] is False


def test_monitors_carry_their_alert_fields_over_the_api(server: RunningServer) -> None:
    with client(server) as c:
        register(c)
        plain = {"name": "vol", "model": "churn", "type": "volume", "min": 1}
        paged = {
            "name": "drift",
            "model": "churn",
            "type": "feature_drift",
            "severity": "page",
            "for_windows": 3,
            "labels": {"tier": "gold"},
            "runbook_url": "https://runbooks.example.com/drift",
            "team": "ml",
        }
        assert c.post("/api/v1/monitors", json=plain).status_code == 201
        answer = c.post("/api/v1/monitors", json=paged)
        assert answer.status_code == 201, answer.text
        listed = {m["name"]: m for m in c.get("/api/v1/monitors").json()}
        assert {k: listed["drift"][k] for k in paged} == paged
        defaults = {"severity": "warning", "for_windows": 1, "labels": {}, "runbook_url": None}
        assert {k: listed["vol"][k] for k in defaults} == defaults
        assert listed["vol"]["team"] is None
        reserved = c.post("/api/v1/monitors", json={**plain, "labels": {"monitor": "x"}})
        assert reserved.status_code == 422
        assert "label 'monitor' is set by Smokejumper" in reserved.json()["detail"]
