"""Helpers for the alerting tests: a controllable clock, alert builders and a pipeline driver
that keeps the state between passes the way the service will."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from smokejumper.alerting import (
    Alert,
    AlertingConfig,
    AlertSet,
    Evaluation,
    Notification,
    PassResult,
    PipelineState,
    Silence,
    parse_config,
    run_pass,
)

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def seconds(n: float) -> timedelta:
    return timedelta(seconds=n)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def labels(model: str = "churn", **more: str) -> dict[str, str]:
    """Labels of a monitor alert, ``monitor`` and ``type`` defaulting to a drift monitor."""
    out = {"model": model, "monitor": "drift", "type": "feature_drift", "severity": "warning"}
    out.update(more)
    return out


def config(route: Mapping[str, Any], *receivers: str, **top: Any) -> AlertingConfig:
    """A parsed configuration of ``route`` with receivers of those names (webhooks)."""
    names = receivers or ("team",)
    return parse_config({"route": route, "receivers": [{"name": n} for n in names], **top})


@dataclass
class Driver:
    """Runs pipeline passes at a controllable instant, keeping alerts, silences and state."""

    config: AlertingConfig
    now: datetime = T0
    alerts: AlertSet = field(default_factory=AlertSet)
    silences: list[Silence] = field(default_factory=list)
    state: PipelineState = field(default_factory=PipelineState)
    sent: list[Notification] = field(default_factory=list)
    last: PassResult | None = None

    def fire(self, *label_sets: Mapping[str, str]) -> None:
        self.alerts = self.alerts.apply([Evaluation(ls, True) for ls in label_sets], self.now)

    def resolve(self, *label_sets: Mapping[str, str]) -> None:
        self.alerts = self.alerts.apply([Evaluation(ls, False) for ls in label_sets], self.now)

    def ack(self, label_set: Mapping[str, str], by: str = "ana") -> None:
        fp = Evaluation(label_set, True).fingerprint
        self.alerts = self.alerts.acknowledge(fp, by, self.now)

    def tick(self, step: timedelta = timedelta(0)) -> list[Notification]:
        """Move the clock on by ``step`` and run one pass; the notifications it emits."""
        self.now += step
        self.last = run_pass(self.alerts, self.config, self.silences, self.state, self.now)
        self.state = self.last.state
        self.alerts = self.alerts.record_escalations(self.last.escalations)
        self.sent.extend(self.last.notifications)
        return self.last.notifications

    def run_until(self, end: datetime, step: timedelta) -> list[Notification]:
        """Passes every ``step`` until ``end``; every notification they emit."""
        out: list[Notification] = []
        while self.now + step <= end:
            out.extend(self.tick(step))
        return out


def summary(notes: Iterable[Notification]) -> list[tuple[str, str, int, int]]:
    """(receiver, reason, firing count, resolved count) of each notification."""
    return [(n.receiver, n.reason, len(n.firing), len(n.resolved)) for n in notes]


def columns_of(note: Notification) -> list[str]:
    return sorted(a.labels.get("column", "") for a in note.firing)


def firing_of(alerts: Sequence[Alert]) -> list[str]:
    return sorted(a.fingerprint for a in alerts if a.firing)
