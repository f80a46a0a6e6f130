"""Durations and matchers: Alertmanager's and Prometheus' own forms, and clear refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smokejumper.alerting import format_duration, parse_duration, parse_matcher
from smokejumper.errors import AlertingConfigError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", timedelta(seconds=30)),
        ("5m", timedelta(minutes=5)),
        ("4h", timedelta(hours=4)),
        ("1h30m", timedelta(minutes=90)),
        ("2d", timedelta(days=2)),
        ("1w", timedelta(weeks=1)),
        ("1y", timedelta(days=365)),
        ("250ms", timedelta(milliseconds=250)),
        ("1m30s500ms", timedelta(seconds=90.5)),
        ("0", timedelta(0)),
        ("0s", timedelta(0)),
    ],
)
def test_prometheus_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("5 minutes", "'5 minutes' is not a duration"),
        ("1.5h", "is not a duration"),
        ("-5m", "is not a duration"),
        ("5", "is not a duration"),
        ("", "is not a duration"),
        ("10m5h", "largest first"),
        ("5m5m", "largest first"),
    ],
)
def test_refuses_other_forms_naming_the_form_to_use(text: str, fragment: str) -> None:
    with pytest.raises(AlertingConfigError) as caught:
        parse_duration(text, "route.group_wait")
    assert caught.value.path == "route.group_wait"
    assert fragment in caught.value.reason
    assert "30s, 5m or 1h30m" in caught.value.reason


def test_refuses_a_number_that_is_not_a_string() -> None:
    with pytest.raises(AlertingConfigError, match=r"route.group_wait: expected a duration"):
        parse_duration(30, "route.group_wait")


@given(st.integers(min_value=0, max_value=10**12))
def test_formatting_round_trips(ms: int) -> None:
    value = timedelta(milliseconds=ms)
    assert parse_duration(format_duration(value)) == value


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        ('severity="page"', {"severity": "page"}, {"severity": "ticket"}),
        ("severity=page", {"severity": "page"}, {}),
        ('severity!="page"', {}, {"severity": "page"}),
        ('model=~"churn|fraud"', {"model": "fraud"}, {"model": "churn2"}),
        ('model!~"churn.*"', {"model": "fraud"}, {"model": "churn-v2"}),
        ('team=""', {"model": "x"}, {"team": "ml"}),
        ('  type = "volume" ', {"type": "volume"}, {"type": "vol"}),
    ],
)
def test_matchers_match_as_in_alertmanager(
    text: str, present: dict[str, str], absent: dict[str, str]
) -> None:
    matcher = parse_matcher(text)
    assert matcher.matches(present)
    assert not matcher.matches(absent)


def test_quoted_values_keep_escapes_and_print_back() -> None:
    matcher = parse_matcher(r'summary="a \"quoted\" \\ word"')
    assert matcher.value == 'a "quoted" \\ word'
    assert parse_matcher(str(matcher)) == matcher


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("severity", "is not a matcher"),
        ("severity == page", "may not start with '='"),
        ('9x="a"', "label name '9x'"),
        ('model="churn', "quote is open"),
        ('model=a"b', "quote a value"),
        (r'model="\q"', "unknown escape"),
        ('model=~"("', "invalid regular expression"),
        (3, "a matcher is a string"),
    ],
)
def test_bad_matchers_are_refused_with_their_path(text: object, fragment: str) -> None:
    with pytest.raises(AlertingConfigError) as caught:
        parse_matcher(text, "route.routes[1].matchers[0]")
    assert caught.value.path == "route.routes[1].matchers[0]"
    assert fragment in caught.value.reason
