"""Silences and inhibition, each stage alone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.alerting.support import T0, hours, labels, minutes

from smokejumper.alerting import (
    DEFAULT_INHIBIT_RULES,
    Alert,
    Silence,
    inhibit,
    is_silenced,
    parse_config,
    silenced,
)
from smokejumper.alerting.index import LabelIndex
from smokejumper.alerting.matchers import parse_matcher
from smokejumper.errors import InvalidSilenceError


def silence(*matchers: str, start: datetime = T0, end: datetime | None = None) -> Silence:
    return Silence.of("s", matchers, start, end or T0 + hours(2), "ana", "retraining the model")


def test_silence_is_active_from_start_until_end() -> None:
    s = silence('model="churn"')
    drift = Alert(labels(), {}, T0)
    assert not is_silenced(drift, [s], T0 - minutes(1))
    assert is_silenced(drift, [s], T0)
    assert is_silenced(drift, [s], T0 + hours(2) - minutes(1))
    assert not is_silenced(drift, [s], T0 + hours(2))
    assert s.state(T0 + hours(3)) == "expired"


def test_silence_needs_every_matcher() -> None:
    s = silence('model="churn"', 'type=~".*drift"')
    assert is_silenced(Alert(labels(), {}, T0), [s], T0)
    assert not is_silenced(Alert(labels(type="volume"), {}, T0), [s], T0)
    assert not is_silenced(Alert(labels(model="fraud"), {}, T0), [s], T0)


def test_resolved_alerts_are_not_silenced() -> None:
    resolved = Alert(labels(), {}, T0, ends_at=T0 + minutes(5))
    assert not is_silenced(resolved, [silence('model="churn"')], T0 + minutes(10))


def test_indexed_silencing_agrees_with_checking_every_pair() -> None:
    alerts = [
        Alert(labels(model=m, monitor=f"mon{i}", type=t), {}, T0)
        for m in ("churn", "fraud", "ltv")
        for i in range(3)
        for t in ("volume", "feature_drift")
    ]
    silences = [
        Silence.of("a", ['model="churn"'], T0, T0 + hours(1), "ana", "x"),
        Silence.of("b", ['type=~"vol.*"', 'model!="ltv"'], T0, T0 + hours(1), "ana", "x"),
        Silence.of("c", ['monitor="mon1"', 'team=""'], T0, T0 + hours(1), "ana", "x"),
        Silence.of("d", ['model="fraud"'], T0 + hours(5), T0 + hours(6), "ana", "pending"),
        Silence.of("e", ['model=~"nothing"'], T0, T0 + hours(1), "ana", "x"),
    ]
    got = silenced(alerts, silences, T0 + minutes(1))
    expected = {
        a.fingerprint: tuple(s.id for s in silences if s.mutes(a, T0 + minutes(1)))
        for a in alerts
        if is_silenced(a, silences, T0 + minutes(1))
    }
    assert got == expected
    assert len(got) == 12  # churn's 6 (a), fraud's volume 3 (b), mon1 of fraud drift and ltv (c)


@pytest.mark.parametrize(
    ("matchers", "start", "end", "by", "comment", "fragment"),
    [
        (['model="a"'], T0, T0 - hours(1), "ana", "c", "before it starts"),
        (['model="a"'], T0, T0, "ana", "c", "before it starts"),
        ([], T0, T0 + hours(1), "ana", "c", "has no matcher"),
        (['team!="ml"'], T0, T0 + hours(1), "ana", "c", "would mute nearly every alert"),
        (['model="a"'], T0, T0 + hours(1), "", "c", "needs a created by"),
        (['model="a"'], T0, T0 + hours(1), "ana", " ", "needs a comment"),
        (['model=="a"'], T0, T0 + hours(1), "ana", "c", r"silence 's': matchers\[0\]"),
        (['model="a"'], datetime(2026, 1, 1), datetime(2026, 1, 2), "ana", "c", "timezone"),
    ],
)
def test_bad_silences_are_refused(
    matchers: list[str], start: datetime, end: datetime, by: str, comment: str, fragment: str
) -> None:
    with pytest.raises(InvalidSilenceError, match=fragment):
        Silence.of("s", matchers, start, end, by, comment)


def test_pipeline_broke_inhibits_that_models_drift_and_quality_only() -> None:
    rejected = Alert(labels(type="rejected_batches", monitor="rejects"), {}, T0)
    drift = Alert(labels(), {}, T0)
    nulls = Alert(labels(type="null_rate", monitor="nulls"), {}, T0)
    latency = Alert(labels(type="latency", monitor="p99"), {}, T0)
    other_model = Alert(labels(model="fraud"), {}, T0)
    muted = inhibit([rejected, drift, nulls, latency, other_model], DEFAULT_INHIBIT_RULES)
    assert muted == {
        drift.fingerprint: rejected.fingerprint,
        nulls.fingerprint: rejected.fingerprint,
    }


def test_a_resolved_source_inhibits_nothing() -> None:
    volume = Alert(labels(type="volume", monitor="vol"), {}, T0, ends_at=T0 + minutes(1))
    assert inhibit([volume, Alert(labels(), {}, T0)], DEFAULT_INHIBIT_RULES) == {}


def test_equal_labels_must_agree_and_absent_counts_as_empty() -> None:
    config = parse_config(
        {
            "route": {"receiver": "r"},
            "receivers": [{"name": "r"}],
            "default_inhibit_rules": False,
            "inhibit_rules": [
                {
                    "source_matchers": ['severity="page"'],
                    "target_matchers": ['severity="warning"'],
                    "equal": ["model", "team"],
                }
            ],
        }
    )
    page = Alert(labels(severity="page", monitor="p"), {}, T0)
    warn_same = Alert(labels(), {}, T0)
    warn_team = Alert(labels(team="ml"), {}, T0)
    warn_other = Alert(labels(model="fraud"), {}, T0)
    muted = inhibit([page, warn_same, warn_team, warn_other], config.inhibit_rules)
    assert muted == {warn_same.fingerprint: page.fingerprint}


def test_alerts_matching_both_sides_do_not_mute_each_other() -> None:
    config = parse_config(
        {
            "route": {"receiver": "r"},
            "receivers": [{"name": "r"}],
            "inhibit_rules": [
                {"source_matchers": ['type="volume"'], "target_matchers": ['model="churn"']}
            ],
        }
    )
    a = Alert(labels(type="volume", monitor="a"), {}, T0)
    b = Alert(labels(type="volume", monitor="b"), {}, T0)
    drift = Alert(labels(), {}, T0)
    muted = inhibit([a, b, drift], config.inhibit_rules)
    assert set(muted) == {drift.fingerprint}


def test_silence_times_compare_across_zones() -> None:
    from datetime import timedelta, timezone

    paris = timezone(timedelta(hours=1))
    s = silence('model="churn"', start=T0.astimezone(paris))
    assert is_silenced(Alert(labels(), {}, T0), [s], T0.astimezone(UTC))


values = st.sampled_from(["", "a", "b", "ab", "churn"])
matcher_texts = st.builds(
    lambda name, op, value: f'{name}{op}"{value}"',
    st.sampled_from(["model", "team", "type"]),
    st.sampled_from(["=", "!=", "=~", "!~"]),
    st.sampled_from(["", "a", "b", "a|b", ".*", "c.*", "ab?"]),
)


@given(
    st.lists(st.fixed_dictionaries({"model": values, "team": values, "type": values}), max_size=30),
    st.lists(matcher_texts, min_size=1, max_size=3),
)
def test_the_label_index_selects_what_checking_every_alert_selects(
    label_sets: list[dict[str, str]], texts: list[str]
) -> None:
    alerts = [Alert(ls, {}, T0) for ls in label_sets]
    matchers = [parse_matcher(t) for t in texts]
    expected = [a for a in alerts if all(m.matches(a.labels) for m in matchers)]
    assert LabelIndex(alerts).select(matchers) == expected
