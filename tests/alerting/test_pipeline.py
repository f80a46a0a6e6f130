"""The whole notification pipeline with a controllable clock: no sleeps."""

from __future__ import annotations

from tests.alerting.support import (
    T0,
    Driver,
    columns_of,
    config,
    hours,
    labels,
    minutes,
    seconds,
    summary,
)

from smokejumper.alerting import AlertingConfig, PipelineState, Receiver, Silence

BY_MODEL = {"receiver": "team", "group_by": ["model"]}


def drifting(n: int, model: str = "churn") -> list[dict[str, str]]:
    return [labels(model, monitor=f"drift-{i:02}", column=f"col{i:02}") for i in range(n)]


def test_ten_drifting_columns_are_one_notification_after_group_wait() -> None:
    d = Driver(config(BY_MODEL))
    d.fire(*drifting(10))
    assert d.tick() == []
    assert d.tick(seconds(29)) == []
    (note,) = d.tick(seconds(1))
    assert (note.receiver, note.reason, note.status) == ("team", "new", "firing")
    assert note.group_key == 'route:{model="churn"}'
    assert dict(note.group_labels) == {"model": "churn"}
    assert columns_of(note) == [f"col{i:02}" for i in range(10)]
    assert d.tick(seconds(30)) == []


def test_two_models_are_two_groups() -> None:
    d = Driver(config(BY_MODEL))
    d.fire(*drifting(3), *drifting(2, "fraud"))
    notes = d.tick(seconds(30))
    assert sorted((n.group_key, len(n.firing)) for n in notes) == [
        ('route:{model="churn"}', 3),
        ('route:{model="fraud"}', 2),
    ]


def test_a_change_within_group_interval_waits_for_it() -> None:
    d = Driver(config(BY_MODEL))
    d.fire(*drifting(2))
    assert summary(d.tick(seconds(30))) == [("team", "new", 2, 0)]
    d.fire(labels(monitor="nulls", type="null_rate", column="age"))
    assert d.run_until(T0 + seconds(30) + minutes(5) - seconds(10), seconds(10)) == []
    assert summary(d.tick(seconds(10))) == [("team", "changed", 3, 0)]


def test_repeat_after_repeat_interval_and_not_before() -> None:
    d = Driver(config({**BY_MODEL, "repeat_interval": "1h"}))
    d.fire(*drifting(2))
    first = d.tick(seconds(30))
    assert summary(first) == [("team", "new", 2, 0)]
    quiet = d.run_until(T0 + seconds(30) + minutes(59), minutes(1))
    assert quiet == []
    # flushes come every group_interval (5m): the first at or after 1h repeats
    later = d.run_until(T0 + seconds(30) + hours(1) + minutes(5), minutes(1))
    assert summary(later) == [("team", "repeat", 2, 0)]
    assert later[0].at == T0 + seconds(30) + hours(1)


def test_acknowledging_stops_repeats_but_not_news() -> None:
    d = Driver(config({**BY_MODEL, "repeat_interval": "1h"}))
    first, second = drifting(2)
    d.fire(first, second)
    d.tick(seconds(30))
    d.ack(first)
    d.ack(second)
    assert d.run_until(T0 + hours(5), minutes(5)) == []
    d.fire(labels(monitor="p99", type="latency"))
    assert summary(d.tick(minutes(5))) == [("team", "changed", 3, 0)]
    # the new alert is not acknowledged, so the group repeats again
    assert summary(d.run_until(d.now + hours(1), minutes(5))) == [("team", "repeat", 3, 0)]


def test_resolved_notifications_once_and_only_of_what_was_told() -> None:
    d = Driver(config(BY_MODEL))
    one, two = drifting(2)
    d.fire(one, two)
    d.tick(seconds(30))
    d.resolve(one)
    notes = d.tick(minutes(5))
    assert summary(notes) == [("team", "resolved", 1, 1)]
    assert notes[0].resolved[0].labels["column"] == "col00"
    assert d.tick(minutes(5)) == []  # told once
    d.resolve(two)
    (last,) = d.tick(minutes(5))
    assert (last.status, len(last.firing), len(last.resolved)) == ("resolved", 0, 1)
    assert d.tick(minutes(5)) == []
    assert d.state.channels == {}  # nothing left to say at its next flush: the channel closed


def test_an_alert_that_fires_and_resolves_between_flushes_is_never_sent() -> None:
    d = Driver(config(BY_MODEL))
    d.fire(labels())
    d.tick()
    d.resolve(labels())
    assert d.run_until(T0 + hours(1), minutes(1)) == []


def test_receivers_without_send_resolved_hear_only_of_firing() -> None:
    cfg = config(BY_MODEL)
    quiet = Receiver("team", {"webhook_configs": ({"send_resolved": False},)})
    d = Driver(AlertingConfig(cfg.route, {"team": quiet}, cfg.inhibit_rules))
    one, two = drifting(2)
    d.fire(one, two)
    d.tick(seconds(30))
    d.resolve(one)
    assert d.tick(minutes(5)) == []
    d.fire(labels(monitor="other"))
    (note,) = d.tick(minutes(5))
    assert (note.reason, len(note.firing), note.resolved) == ("changed", 2, ())


def test_silence_suppresses_then_expires() -> None:
    d = Driver(config(BY_MODEL))
    d.silences.append(
        Silence.of("s1", ['model="churn"'], T0, T0 + hours(1), "ana", "retraining today")
    )
    d.fire(*drifting(3))
    assert d.run_until(T0 + hours(1) - seconds(1), minutes(1)) == []
    assert d.last is not None
    assert set(d.last.silenced.values()) == {("s1",)}
    d.now = T0 + hours(1)
    (note,) = d.tick()  # new again; its alerts are older than group_wait, so at once
    assert (note.reason, len(note.firing)) == ("new", 3)


def test_rejected_batches_inhibits_the_models_drift_in_the_pipeline() -> None:
    d = Driver(config({"receiver": "team", "group_by": ["model", "type"]}))
    d.fire(*drifting(4), labels(monitor="rejects", type="rejected_batches"))
    d.fire(*drifting(1, "fraud"))
    notes = d.tick(seconds(30))
    assert sorted(n.group_key for n in notes) == [
        'route:{model="churn",type="rejected_batches"}',
        'route:{model="fraud",type="feature_drift"}',
    ]
    assert d.last is not None
    assert len(d.last.inhibited) == 4


def test_inhibition_off_lets_the_drift_through() -> None:
    d = Driver(config({"receiver": "team", "group_by": ["model"]}, default_inhibit_rules=False))
    d.fire(*drifting(4), labels(monitor="rejects", type="rejected_batches"))
    (note,) = d.tick(seconds(30))
    assert len(note.firing) == 5


def test_routing_with_continue_and_child_routes_notifies_each_receiver() -> None:
    route = {
        "receiver": "team",
        "group_by": ["model"],
        "routes": [
            {"receiver": "pager", "matchers": ['severity="page"'], "continue": True},
            {
                "receiver": "data",
                "matchers": ['type=~"null_rate|feature_drift"'],
                "group_wait": "1m",
                "routes": [{"receiver": "fraud", "matchers": ['model="fraud"']}],
            },
        ],
    }
    d = Driver(config(route, "team", "pager", "data", "fraud"))
    d.fire(labels(severity="page"), labels(model="fraud"), labels(type="latency", monitor="p99"))
    assert sorted(summary(d.tick(seconds(30)))) == [
        ("pager", "new", 1, 0),
        ("team", "new", 1, 0),
    ]
    assert sorted(summary(d.tick(seconds(30)))) == [
        ("data", "new", 1, 0),
        ("fraud", "new", 1, 0),
    ]


def test_escalation_chain_for_an_unacknowledged_alert() -> None:
    route = {**BY_MODEL, "escalate_after": "30m", "escalate_to": ["lead", "head"]}
    d = Driver(config(route, "team", "lead", "head"))
    d.fire(labels())
    assert summary(d.tick(seconds(30))) == [("team", "new", 1, 0)]
    assert d.run_until(T0 + seconds(30) + minutes(29), minutes(1)) == []
    assert summary(d.tick(minutes(1))) == [("lead", "escalation", 1, 0)]
    assert d.last is not None
    assert [(e.receiver, e.level) for e in d.last.escalations] == [("lead", 1)]
    assert summary(d.run_until(T0 + seconds(30) + minutes(60), minutes(1))) == [
        ("head", "escalation", 1, 0)
    ]
    (alert,) = d.alerts
    assert [(r.receiver, r.level) for r in alert.escalations] == [("lead", 1), ("head", 2)]
    assert d.run_until(T0 + hours(3), minutes(1)) == []  # the end of the chain
    d.resolve(labels())
    assert sorted(summary(d.tick(minutes(5)))) == [
        ("head", "resolved", 0, 1),
        ("lead", "resolved", 0, 1),
        ("team", "resolved", 0, 1),
    ]


def test_acknowledged_alerts_do_not_escalate() -> None:
    route = {**BY_MODEL, "escalate_after": "30m", "escalate_to": "lead"}
    d = Driver(config(route, "team", "lead"))
    d.fire(labels())
    d.tick(seconds(30))
    d.ack(labels())
    assert d.run_until(T0 + hours(2), minutes(1)) == []


def test_escalation_sends_only_the_escalated_alerts() -> None:
    route = {**BY_MODEL, "escalate_after": "30m", "escalate_to": "lead"}
    d = Driver(config(route, "team", "lead"))
    old, acked = drifting(2)
    d.fire(old, acked)
    d.tick(seconds(30))
    d.ack(acked)
    notes = d.run_until(T0 + seconds(30) + minutes(30), minutes(1))
    assert summary(notes) == [("lead", "escalation", 1, 0)]
    assert columns_of(notes[0]) == ["col00"]


def test_state_survives_a_round_trip_through_plain_data() -> None:
    straight = Driver(config({**BY_MODEL, "repeat_interval": "1h"}))
    stored = Driver(config({**BY_MODEL, "repeat_interval": "1h"}))
    for d in (straight, stored):
        d.fire(*drifting(3))
    for step in range(40):
        for d in (straight, stored):
            if step == 12:
                d.resolve(drifting(3)[0])
            d.tick(minutes(3))
        stored.state = PipelineState.from_dict(stored.state.to_dict())
    assert summary(stored.sent) == summary(straight.sent)
    assert len(straight.sent) >= 3


def test_a_short_silence_is_not_news_when_it_ends() -> None:
    d = Driver(config(BY_MODEL))
    d.fire(*drifting(2))
    assert summary(d.tick(seconds(30))) == [("team", "new", 2, 0)]
    d.silences.append(
        Silence.of("s1", ['model="churn"'], d.now, d.now + minutes(1), "ana", "deploying")
    )
    assert d.run_until(T0 + hours(1), minutes(1)) == []  # within repeat_interval: nothing new


def test_a_long_silence_closes_the_channel_and_its_end_is_news() -> None:
    d = Driver(config(BY_MODEL))
    d.fire(*drifting(2))
    d.tick(seconds(30))
    d.silences.append(
        Silence.of("s1", ['model="churn"'], d.now, d.now + hours(1), "ana", "retraining")
    )
    assert d.run_until(T0 + seconds(30) + hours(1) - minutes(1), minutes(1)) == []
    assert d.state.channels == {}
    assert summary(d.tick(minutes(1))) == [("team", "new", 2, 0)]


def test_an_alert_firing_again_soon_after_resolving_waits_for_group_interval() -> None:
    d = Driver(config(BY_MODEL))
    d.fire(labels())
    d.tick(seconds(30))
    d.resolve(labels())
    assert summary(d.tick(minutes(5))) == [("team", "resolved", 0, 1)]
    d.fire(labels())
    assert d.run_until(T0 + seconds(30) + minutes(10) - seconds(30), seconds(30)) == []
    assert summary(d.tick(seconds(30))) == [("team", "changed", 1, 0)]


def test_a_silence_pauses_escalation_and_its_end_resumes_it() -> None:
    route = {**BY_MODEL, "escalate_after": "30m", "escalate_to": "lead"}
    d = Driver(config(route, "team", "lead"))
    d.fire(labels())
    d.tick(seconds(30))
    d.silences.append(
        Silence.of("s1", ['model="churn"'], d.now, d.now + minutes(40), "ana", "looking")
    )
    assert d.run_until(T0 + seconds(30) + minutes(39), minutes(1)) == []
    # the silence outlasted group_interval, so its end is news for the team too
    assert sorted(summary(d.tick(minutes(1)))) == [
        ("lead", "escalation", 1, 0),
        ("team", "new", 1, 0),
    ]
