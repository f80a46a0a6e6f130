"""Properties of the pipeline over random histories of alerts, acks, silences and clock steps."""

from __future__ import annotations

from datetime import datetime

from hypothesis import HealthCheck, given, settings, target
from hypothesis import strategies as st
from tests.alerting.support import Driver, config, labels, seconds

from smokejumper.alerting import Notification, Silence, fingerprint

ROUTE = {
    "receiver": "team",
    "group_by": ["model"],
    "group_wait": "30s",
    "group_interval": "5m",
    "repeat_interval": "30m",
    "routes": [
        {
            "receiver": "pager",
            "matchers": ['severity="page"'],
            "continue": True,
            "group_interval": "2m",
            "escalate_after": "10m",
            "escalate_to": ["lead", "head"],
        },
        {"receiver": "data", "matchers": ['type="null_rate"'], "group_by": ["..."]},
    ],
}
RECEIVERS = ("team", "pager", "lead", "head", "data")

ALERTS = [
    labels(model, monitor=f"{kind}-{i}", type=kind, severity=severity)
    for model in ("churn", "fraud")
    for i, (kind, severity) in enumerate(
        [
            ("feature_drift", "warning"),
            ("null_rate", "warning"),
            ("volume", "page"),
            ("latency", "page"),
        ]
    )
]

#: One step of a history: an action on an alert (or a silence of a model), then the clock moves.
steps = st.tuples(
    st.sampled_from(["fire", "fire", "resolve", "ack", "silence", "nothing"]),
    st.integers(0, len(ALERTS) - 1),
    st.sampled_from([0, 1, 30, 59, 90, 119, 120, 150, 299, 300, 301, 600, 1800]),
)


def interval_of(driver: Driver, note: Notification) -> int:
    path = note.group_key.split(":", 1)[0]
    (route,) = [r for r in driver.config.routes() if r.path == path]
    return int(route.group_interval.total_seconds())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(steps, min_size=5, max_size=60))
def test_never_two_notifications_to_a_group_and_receiver_within_group_interval(
    history: list[tuple[str, int, int]],
) -> None:
    d = Driver(config(ROUTE, *RECEIVERS))
    for kind, which, wait in history:
        alert = ALERTS[which]
        known = d.alerts.get(fingerprint(alert))
        if kind == "fire":
            d.fire(alert)
        elif kind == "resolve":
            d.resolve(alert)
        elif kind == "ack" and known is not None and known.firing:
            d.ack(alert)
        elif kind == "silence":
            end = d.now + seconds(wait + 60)
            name = f"s{len(d.silences)}"
            d.silences.append(Silence.of(name, [f'model="{alert["model"]}"'], d.now, end, "a", "b"))
        d.tick(seconds(wait))
    target(float(len(d.sent)))
    last: dict[tuple[str, str], datetime] = {}
    for note in d.sent:
        key = (note.group_key, note.receiver)
        if key in last:
            gap = (note.at - last[key]).total_seconds()
            assert gap >= interval_of(d, note), (key, last[key], note.at)
        last[key] = note.at
        assert note.firing or note.resolved, "a notification says something"
        if note.reason == "repeat":
            assert any(not a.acknowledged for a in note.firing)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(steps, min_size=5, max_size=40))
def test_every_alert_firing_unmuted_is_told_to_its_receivers_in_the_end(
    history: list[tuple[str, int, int]],
) -> None:
    d = Driver(config(ROUTE, *RECEIVERS))
    for kind, which, wait in history:
        alert = ALERTS[which]
        if kind == "fire":
            d.fire(alert)
        elif kind == "resolve":
            d.resolve(alert)
        elif kind == "silence":
            end = d.now + seconds(wait + 60)
            name = f"s{len(d.silences)}"
            d.silences.append(Silence.of(name, [f'model="{alert["model"]}"'], d.now, end, "a", "b"))
        d.tick(seconds(wait))
    d.run_until(d.now + seconds(3600), seconds(60))  # every silence is over, every timer ran
    assert d.last is not None
    told: dict[tuple[str, str], set[str]] = {}
    for note in d.sent:
        told[(note.group_key, note.receiver)] = {a.fingerprint for a in note.firing}
    for group in d.last.groups.values():
        firing = {a.fingerprint for a in group.firing()}
        assert firing <= told.get((group.key, group.route.receiver), set())
