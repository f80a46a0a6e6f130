"""Response metrics through the real API and ``/metrics`` (SQLite and PostgreSQL): incidents
stored with known times, read back as JSON aggregates and as Prometheus gauges, median and
90th percentile as numpy computes them, incidents detected more than 30 days ago left out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from prometheus_client.parser import text_string_to_metric_families
from tests.server.support import client
from tests.support import RunningServer

from smokejumper.incidents import Changed, Incident
from smokejumper.store.database import make_engine, session_factory, unit_of_work
from smokejumper.store.incidents import append_events, save_incident

NOW = datetime.now(UTC).replace(microsecond=0)

#: (id, models, labels, detected days ago, onset minutes before, ack after, resolved after).
CASES = [
    ("INC-1", ["churn"], ["data_drift"], 1, 40, 5, 60),
    ("INC-2", ["churn"], ["data_quality"], 2, 10, 15, None),
    ("INC-3", ["churn", "fraud"], ["data_drift"], 3, 25, 2, 30),
    ("INC-4", ["fraud"], [], 4, None, 30, 120),
    ("INC-5", ["churn"], ["data_drift"], 45, 5, 1, 2),  # too old: left out
]


def _stored(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with unit_of_work(session_factory(engine)) as session:
            for iid, models, labels, days, onset, ack, resolved in CASES:
                detected = NOW - timedelta(days=days)
                incident, events = Incident.open(
                    iid, f"{iid} title", "SEV2", detected, source="alerting",
                    models=models, labels=labels,
                )  # fmt: skip
                steps: list[Changed] = []
                if onset is not None:
                    steps.append(incident.record_onset("m", detected - timedelta(minutes=onset)))
                    incident = steps[-1].incident
                steps.append(incident.acknowledge(detected + timedelta(minutes=ack), actor="ana"))
                incident = steps[-1].incident
                if resolved is not None:
                    at = detected + timedelta(minutes=resolved)
                    steps.append(incident.transition("resolved", at, actor="ana"))
                    incident = steps[-1].incident
                save_incident(session, incident)
                append_events(session, [*events, *(e for s in steps for e in s.events)])
    finally:
        engine.dispose()


@pytest.fixture
def seeded(server: RunningServer) -> RunningServer:
    _stored(server.settings.database_url)
    return server


def _np(values: list[float]) -> tuple[float, float]:
    return float(np.percentile(values, 50)), float(np.percentile(values, 90))


def test_the_api_aggregates_the_last_30_days_by_model_label_and_week(
    seeded: RunningServer,
) -> None:
    with client(seeded) as c:
        r = c.get("/api/v1/incidents/metrics", params={"by": "model"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["by"] == "model"
        groups = body["groups"]
        assert sorted(groups) == ["churn", "fraud"]
        ack = groups["churn"]["time_to_acknowledge"]
        assert ack["count"] == 3  # INC-1, INC-2, INC-3; INC-5 is 45 days old
        median, p90 = _np([5 * 60, 15 * 60, 2 * 60])
        assert (ack["median_seconds"], ack["p90_seconds"]) == pytest.approx((median, p90))
        detect = groups["fraud"]["time_to_detect"]
        assert detect == {"count": 1, "median_seconds": 1500.0, "p90_seconds": 1500.0}
        resolve = groups["fraud"]["time_to_resolve"]
        assert resolve["count"] == 2
        assert resolve["median_seconds"] == pytest.approx(_np([30 * 60, 120 * 60])[0])
        assert groups["churn"]["time_to_mitigate"]["count"] == 2  # resolving stamps it

        labels = c.get("/api/v1/incidents/metrics", params={"by": "label"}).json()["groups"]
        assert sorted(labels) == ["(unlabelled)", "data_drift", "data_quality"]
        assert labels["data_drift"]["time_to_detect"]["count"] == 2

        weeks = c.get("/api/v1/incidents/metrics", params={"by": "week", "days": 60}).json()
        total = sum(g["time_to_acknowledge"]["count"] for g in weeks["groups"].values())
        assert total == 5

        bad = c.get("/api/v1/incidents/metrics", params={"by": "team"})
        assert bad.status_code == 422
        assert "model, label, day, week, month" in bad.json()["detail"]
        assert c.get("/api/v1/incidents/metrics", params={"days": 0}).status_code == 422


def test_metrics_show_incident_counts_and_response_quantiles(seeded: RunningServer) -> None:
    with client(seeded) as c:
        text = c.get("/metrics").text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    counts = {
        (s.labels["status"], s.labels["severity"]): s.value
        for s in families["smokejumper_incidents"].samples
    }
    assert counts == {("resolved", "SEV2"): 4.0, ("triage", "SEV2"): 1.0}
    seconds = {
        tuple(s.labels[k] for k in ("metric", "by", "group", "quantile")): s.value
        for s in families["smokejumper_incident_response_seconds"].samples
    }
    median, p90 = _np([5 * 60, 15 * 60, 2 * 60])
    assert seconds[("time_to_acknowledge", "model", "churn", "0.5")] == pytest.approx(median)
    assert seconds[("time_to_acknowledge", "model", "churn", "0.9")] == pytest.approx(p90)
    assert seconds[("time_to_detect", "label", "data_drift", "0.5")] == pytest.approx(
        _np([40 * 60, 25 * 60])[0]
    )
    # INC-4 (unlabelled) has no onset: no time to detect, so no quantile, and a count of 0
    assert ("time_to_detect", "label", "(unlabelled)", "0.5") not in seconds
    n = {
        tuple(s.labels[k] for k in ("metric", "by", "group")): s.value
        for s in families["smokejumper_incident_response_count"].samples
    }
    assert n[("time_to_resolve", "model", "churn")] == 2.0
    assert n[("time_to_detect", "label", "(unlabelled)")] == 0.0
