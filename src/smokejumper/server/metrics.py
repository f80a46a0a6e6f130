"""Prometheus exposition at ``/metrics``, read from the store at each scrape.

Every process serving the same store reports the same numbers, so replicas can be scraped
alike. The names are what ``smokejumper export prometheus-rules`` and ``export grafana`` use.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry
from sqlalchemy.orm import Session, sessionmaker

from smokejumper.service.incidents.metrics import SHOWN, recent_aggregates
from smokejumper.service.pollers.mlflow_config import MlflowConfig
from smokejumper.service.slos import slo_statuses
from smokejumper.store import outbox
from smokejumper.store.alerts import count_by_state_and_severity
from smokejumper.store.batches import ingest_totals
from smokejumper.store.database import as_utc
from smokejumper.store.incidents import count_by_status_and_severity
from smokejumper.store.labels import label_totals
from smokejumper.store.models import list_models
from smokejumper.store.monitors import monitors_of
from smokejumper.store.observations import latest_observations
from smokejumper.store.registry_polls import get_poll

PREFIX = "smokejumper"


def _ingest(session: Session) -> Iterator[Metric]:
    rows = CounterMetricFamily(
        f"{PREFIX}_ingested_predictions", "Predictions acknowledged", labels=["model"]
    )
    batches = CounterMetricFamily(
        f"{PREFIX}_ingest_batches", "Batches acknowledged", labels=["model"]
    )
    labels = GaugeMetricFamily(f"{PREFIX}_labels", "Labels stored", labels=["model"])
    for name, count, total in ingest_totals(session):
        rows.add_metric([name], float(total))
        batches.add_metric([name], float(count))
    for name, count in label_totals(session):
        labels.add_metric([name], float(count))
    yield from (rows, batches, labels)


def _observations(session: Session) -> Iterator[Metric]:
    value = GaugeMetricFamily(
        f"{PREFIX}_observation_value",
        "Latest observation of each monitor",
        labels=["model", "monitor", "type"],
    )
    healthy = GaugeMetricFamily(
        f"{PREFIX}_observation_healthy",
        "1 when the latest observation is within its limits, else 0",
        labels=["model", "monitor", "type"],
    )
    effect = GaugeMetricFamily(
        f"{PREFIX}_column_drift_effect_size",
        "Drift effect size per column in the latest window",
        labels=["model", "monitor", "column"],
    )
    models = {m.id: m.name for m in list_models(session)}
    found = latest_observations(session)
    for row, spec in monitors_of(session):
        obs = found.get(row.id)
        if obs is None:
            continue
        labels = [models[row.model_id], spec.name, spec.type]
        if obs.value is not None:
            value.add_metric(labels, obs.value)
        if obs.healthy is not None:
            healthy.add_metric(labels, 1.0 if obs.healthy else 0.0)
        if spec.type == "feature_drift":
            for column, result in json.loads(obs.details).get("columns", {}).items():
                if result.get("effect_size") is not None:
                    effect.add_metric(
                        [models[row.model_id], spec.name, column], result["effect_size"]
                    )
    yield from (value, healthy, effect)


def _slos(session: Session) -> Iterator[Metric]:
    budget = GaugeMetricFamily(
        f"{PREFIX}_slo_error_budget_remaining",
        "Share of the error budget left (negative when overspent)",
        labels=["slo"],
    )
    burn = GaugeMetricFamily(
        f"{PREFIX}_slo_burn_rate",
        "Burn rate over a condition's window",
        labels=["slo", "severity", "window_seconds"],
    )
    firing = GaugeMetricFamily(
        f"{PREFIX}_slo_firing",
        "1 when a burn-rate condition fires on both its windows",
        labels=["slo", "severity", "long_window_seconds"],
    )
    state = GaugeMetricFamily(
        f"{PREFIX}_slo_state", "1 for the SLO's current state", labels=["slo", "state"]
    )
    for status in slo_statuses(session):
        name = status["name"]
        budget.add_metric([name], status["error_budget_remaining"])
        for current in ("ok", "ticket", "page", "no_data"):
            state.add_metric([name, current], 1.0 if status["state"] == current else 0.0)
        for c in status["conditions"]:
            for key in ("long", "short"):
                rate = c[f"{key}_burn_rate"]
                if rate is not None:
                    burn.add_metric([name, c["severity"], f"{c[f'{key}_window_seconds']:g}"], rate)
            firing.add_metric(
                [name, c["severity"], f"{c['long_window_seconds']:g}"], 1.0 if c["firing"] else 0.0
            )
    yield from (budget, burn, firing, state)


def _alerting(session: Session, now: datetime) -> Iterator[Metric]:
    alerts = GaugeMetricFamily(
        f"{PREFIX}_alerts", "Alerts by state and severity", labels=["state", "severity"]
    )
    for (state, severity), n in sorted(count_by_state_and_severity(session).items()):
        alerts.add_metric([state, severity], float(n))
    messages = GaugeMetricFamily(
        f"{PREFIX}_notifications",
        "Notification messages by receiver, integration and state (pending, sent, dead)",
        labels=["receiver", "integration", "state"],
    )
    failed = CounterMetricFamily(
        f"{PREFIX}_notification_failed_attempts",
        "Delivery attempts that did not deliver, by receiver and integration",
        labels=["receiver", "integration"],
    )
    failures: dict[tuple[str, str], int] = {}
    for (channel, status), (n, attempts) in sorted(outbox.counts(session).items()):
        receiver, _, integration = channel.partition("/")
        messages.add_metric([receiver, integration, status], float(n))
        lost = attempts - (n if status == outbox.SENT else 0)
        failures[(receiver, integration)] = failures.get((receiver, integration), 0) + lost
    for (receiver, integration), lost in sorted(failures.items()):
        failed.add_metric([receiver, integration], float(lost))
    age = GaugeMetricFamily(
        f"{PREFIX}_outbox_oldest_pending_seconds",
        "Age of the oldest notification not delivered yet (0 when none waits)",
    )
    oldest = outbox.oldest_pending(session)
    age.add_metric([], max(0.0, (now - as_utc(oldest)).total_seconds()) if oldest else 0.0)
    yield from (alerts, messages, failed, age)


def _incidents(session: Session, now: datetime) -> Iterator[Metric]:
    counts = GaugeMetricFamily(
        f"{PREFIX}_incidents", "Incidents by status and severity", labels=["status", "severity"]
    )
    for (status, severity), n in sorted(count_by_status_and_severity(session).items()):
        counts.add_metric([status, severity], float(n))
    seconds = GaugeMetricFamily(
        f"{PREFIX}_incident_response_seconds",
        "Time to detect, acknowledge, mitigate and resolve incidents detected in the last 30 "
        "days: median (quantile 0.5) and 90th percentile, by model or by taxonomy label",
        labels=["metric", "by", "group", "quantile"],
    )
    incidents = GaugeMetricFamily(
        f"{PREFIX}_incident_response_count",
        "Incidents detected in the last 30 days that have each response time, by model or by "
        "taxonomy label",
        labels=["metric", "by", "group"],
    )
    for by in ("model", "label"):
        for group, stats in recent_aggregates(session, by, now).items():
            for metric in SHOWN:
                stat = stats[metric]
                incidents.add_metric([metric, by, group], float(stat.count))
                for quantile, value in (("0.5", stat.median), ("0.9", stat.p90)):
                    if value is not None:
                        seconds.add_metric([metric, by, group, quantile], value.total_seconds())
    yield from (counts, seconds, incidents)


def _mlflow(session: Session, config: MlflowConfig) -> Iterator[Metric]:
    """How the MLflow poller's polls go (stored by the process that polls)."""
    source = [config.source]
    up = GaugeMetricFamily(
        f"{PREFIX}_mlflow_up",
        "1 when the last poll of the MLflow registry succeeded, else 0",
        labels=["tracking_uri"],
    )
    errors = CounterMetricFamily(
        f"{PREFIX}_mlflow_poll_errors",
        "Polls of the MLflow registry that failed (no answer, an error status, a bad answer)",
        labels=["tracking_uri"],
    )
    failing = GaugeMetricFamily(
        f"{PREFIX}_mlflow_consecutive_poll_errors",
        "Polls of the MLflow registry failed in a row since the last success",
        labels=["tracking_uri"],
    )
    recorded = CounterMetricFamily(
        f"{PREFIX}_mlflow_changes_recorded",
        "Changes (new versions, stage and alias moves) the MLflow poller recorded",
        labels=["tracking_uri"],
    )
    last = GaugeMetricFamily(
        f"{PREFIX}_mlflow_last_success_timestamp_seconds",
        "When the MLflow registry was last read (Unix time; absent before the first success)",
        labels=["tracking_uri"],
    )
    poll = get_poll(session, config.source)
    up.add_metric(source, 1.0 if poll and poll.polled_at and not poll.consecutive_failures else 0)
    errors.add_metric(source, float(poll.errors_total if poll else 0))
    failing.add_metric(source, float(poll.consecutive_failures if poll else 0))
    recorded.add_metric(source, float(poll.changes_total if poll else 0))
    if poll is not None and poll.polled_at is not None:
        last.add_metric(source, poll.polled_at.timestamp())
    yield from (up, errors, failing, recorded, last)


class StoreCollector(Collector):
    """Collects every Smokejumper metric from the store when Prometheus scrapes (with
    ``mlflow``, the MLflow poller's too)."""

    def __init__(self, sessions: sessionmaker[Session], mlflow: MlflowConfig | None = None) -> None:
        self._sessions = sessions
        self._mlflow = mlflow

    def collect(self) -> Iterator[Metric]:
        with self._sessions() as session:
            yield from _ingest(session)
            yield from _observations(session)
            yield from _slos(session)
            now = datetime.now(UTC)
            yield from _alerting(session, now)
            yield from _incidents(session, now)
            if self._mlflow is not None:
                yield from _mlflow(session, self._mlflow)


def registry_for(
    sessions: sessionmaker[Session], mlflow: MlflowConfig | None = None
) -> CollectorRegistry:
    """A registry holding only the store collector (no process metrics of this replica)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StoreCollector(sessions, mlflow))
    return registry
