"""Alerts, fingerprints and the alert set's state transition."""

from __future__ import annotations

import random
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.alerting.support import T0, hours, labels

from smokejumper.alerting import Alert, AlertSet, Evaluation, fingerprint
from smokejumper.errors import InvalidAlertError, UnknownAlertError

label_names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True)
label_sets = st.dictionaries(label_names, st.text(min_size=1, max_size=20), max_size=12)


@given(label_sets, st.randoms())
def test_fingerprint_does_not_depend_on_label_order(
    labels_: dict[str, str], rnd: random.Random
) -> None:
    items = list(labels_.items())
    rnd.shuffle(items)
    assert fingerprint(dict(items)) == fingerprint(labels_)


@given(label_sets, label_names, st.text(min_size=1, max_size=5))
def test_fingerprint_changes_with_any_label_value(
    labels_: dict[str, str], name: str, suffix: str
) -> None:
    changed = {**labels_, name: labels_.get(name, "") + suffix}
    assert fingerprint(changed) != fingerprint(labels_)


def test_fingerprint_is_stable_across_processes() -> None:
    code = (
        "from smokejumper.alerting import fingerprint;"
        "print(fingerprint({'model': 'churn', 'monitor': 'drift', 'team': 'ml'}))"
    )
    other = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345"},
    )
    here = fingerprint({"team": "ml", "monitor": "drift", "model": "churn"})
    assert other.stdout.strip() == here
    assert len(here) == 16


def test_empty_labels_are_absent() -> None:
    assert fingerprint({"model": "a", "column": ""}) == fingerprint({"model": "a"})
    assert dict(Alert({"model": "a", "column": ""}, {}, T0).labels) == {"model": "a"}


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [
        ({"model": 1}, "must have a string value"),
        ({"bad-name": "x"}, "label name 'bad-name'"),
    ],
)
def test_bad_labels_are_refused(bad: dict[str, object], fragment: str) -> None:
    with pytest.raises(InvalidAlertError, match=fragment):
        Alert(bad, {}, T0)  # type: ignore[arg-type]


def test_times_must_be_aware_and_in_order() -> None:
    with pytest.raises(InvalidAlertError, match="timezone-aware"):
        Alert({"model": "a"}, {}, datetime(2026, 1, 1))
    with pytest.raises(InvalidAlertError, match="before it starts"):
        Alert({"model": "a"}, {}, T0, ends_at=T0 - hours(1))


def test_same_fingerprint_firing_again_updates_the_alert() -> None:
    first = AlertSet().apply([Evaluation(labels(), True, {"summary": "one"})], T0)
    again = first.apply([Evaluation(labels(), True, {"summary": "two"})], T0 + hours(1))
    assert len(again) == 1
    (alert,) = again
    assert alert.starts_at == T0
    assert alert.annotations["summary"] == "two"


def test_resolve_then_fire_again_is_a_new_episode_in_its_place() -> None:
    alerts = AlertSet().apply([Evaluation(labels(), True)], T0)
    fp = next(iter(alerts)).fingerprint
    alerts = alerts.acknowledge(fp, "ana", T0 + hours(1))
    alerts = alerts.apply([Evaluation(labels(), False)], T0 + hours(2))
    resolved = alerts.get(fp)
    assert resolved is not None
    assert resolved.state == "resolved"
    assert resolved.ends_at == T0 + hours(2)
    alerts = alerts.apply([Evaluation(labels(), True)], T0 + hours(3))
    again = alerts.get(fp)
    assert len(alerts) == 1
    assert again is not None
    assert again.firing
    assert again.starts_at == T0 + hours(3)
    assert again.acknowledged_by is None


def test_not_firing_without_an_alert_changes_nothing() -> None:
    assert len(AlertSet().apply([Evaluation(labels(), False)], T0)) == 0


def test_acknowledge_keeps_who_and_when_and_refuses_unknown_prints() -> None:
    alerts = AlertSet().apply([Evaluation(labels(), True)], T0)
    fp = next(iter(alerts)).fingerprint
    acked = alerts.acknowledge(fp, "ana", T0 + hours(1)).get(fp)
    assert acked is not None
    assert (acked.acknowledged_by, acked.acknowledged_at) == ("ana", T0 + hours(1))
    with pytest.raises(UnknownAlertError, match="no alert has fingerprint 'nope'"):
        alerts.acknowledge("nope", "ana", T0)
    with pytest.raises(InvalidAlertError, match="who acknowledges"):
        alerts.acknowledge(fp, " ", T0)


def test_forget_resolved_keeps_recent_and_firing_alerts() -> None:
    alerts = AlertSet().apply(
        [Evaluation(labels(monitor="a"), True), Evaluation(labels(monitor="b"), True)], T0
    )
    alerts = alerts.apply([Evaluation(labels(monitor="a"), False)], T0 + hours(1))
    assert len(alerts.forget_resolved(T0 + hours(2), keep=hours(2))) == 2
    kept = alerts.forget_resolved(T0 + hours(4), keep=hours(2))
    assert [a.labels["monitor"] for a in kept] == ["b"]


def test_now_must_be_aware() -> None:
    with pytest.raises(InvalidAlertError, match="now must be a timezone-aware"):
        AlertSet().apply([], datetime(2026, 1, 1, tzinfo=None))
    assert AlertSet().apply([], datetime(2026, 1, 1, tzinfo=UTC)).firing() == []
