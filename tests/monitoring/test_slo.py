"""SLO core: workbook burn conditions, their scaling, burn rates, error budgets and states."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smokejumper.errors import (
    InputError,
    InvalidConditionError,
    InvalidObjectiveError,
    InvalidRangeError,
    InvalidSampleError,
)
from smokejumper.monitoring.slo import (
    BurnCondition,
    Objective,
    SliSample,
    burn_rate,
    conditions_for,
    error_budget,
    slo_state,
)

NOW = datetime(2024, 6, 1, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
MONTH = timedelta(days=30)
SLO = Objective(0.99)


def steady(start: datetime, end: datetime, step: timedelta, bad_fraction: float) -> list[SliSample]:
    """Buckets of ``step`` from ``start`` to ``end``, 1000 events per minute, a fixed bad share."""
    out = []
    t = start
    while t < end:
        total = 1000 * (step / MINUTE)
        out.append(SliSample(t, t + step, total * (1 - bad_fraction), total))
        t += step
    return out


def clean_month_until(end: datetime) -> list[SliSample]:
    """Error-free traffic: hourly buckets from 30 days before NOW, then minutes up to ``end``."""
    coarse_end = NOW - 2 * HOUR
    return steady(NOW - MONTH, coarse_end, HOUR, 0.0) + steady(coarse_end, end, MINUTE, 0.0)


# ------------------------------------------------------------------------- the table


def test_workbook_table_for_a_30_day_period() -> None:
    table = conditions_for(MONTH)
    assert table == [
        BurnCondition("page", HOUR, 5 * MINUTE, 14.4),
        BurnCondition("page", 6 * HOUR, 30 * MINUTE, 6.0),
        BurnCondition("ticket", 3 * DAY, 6 * HOUR, 1.0),
    ]
    assert [c.budget_share(MONTH) for c in table] == pytest.approx([0.02, 0.05, 0.10])
    assert all(c.short_window * 12 == c.long_window for c in table)
    assert conditions_for(Objective(0.999).period) == table  # the default period is 30 days


@pytest.mark.parametrize(
    ("period", "windows"),
    [
        (
            timedelta(days=7),
            [
                (timedelta(minutes=14), timedelta(seconds=70)),
                (timedelta(minutes=84), timedelta(minutes=7)),
                (timedelta(hours=16, minutes=48), timedelta(minutes=84)),
            ],
        ),
        (
            timedelta(days=90),
            [
                (3 * HOUR, 15 * MINUTE),
                (18 * HOUR, 90 * MINUTE),
                (9 * DAY, 18 * HOUR),
            ],
        ),
    ],
    ids=["7d", "90d"],
)
def test_other_periods_scale_windows_and_keep_thresholds(
    period: timedelta, windows: list[tuple[timedelta, timedelta]]
) -> None:
    base, scaled = conditions_for(MONTH), conditions_for(period)
    assert [(c.long_window, c.short_window) for c in scaled] == windows
    assert [c.threshold for c in scaled] == [c.threshold for c in base]
    assert [c.severity for c in scaled] == [c.severity for c in base]
    assert [c.budget_share(period) for c in scaled] == pytest.approx(
        [c.budget_share(MONTH) for c in base], rel=1e-12
    )


@pytest.mark.parametrize("days", [7, 30, 90])
def test_burning_at_threshold_for_the_long_window_spends_the_same_share(days: int) -> None:
    period = timedelta(days=days)
    fast = conditions_for(period)[0]
    # Constant traffic (10 events a second): clean, then 14.4x over the scaled long window.
    burst_start = NOW - fast.long_window
    clean_total = 10 * (period - fast.long_window).total_seconds()
    clean = SliSample(NOW - period, burst_start, good=clean_total, total=clean_total)
    burst_total = 10 * fast.long_window.total_seconds()
    burst = SliSample(burst_start, NOW, good=burst_total * (1 - 0.144), total=burst_total)

    state = slo_state([clean, burst], NOW, Objective(0.99, period))

    assert 1 - state.budget.remaining == pytest.approx(0.02)
    assert state.state == "page"
    assert [c.condition for c in state.firing] == [fast]


@given(st.timedeltas(min_value=timedelta(hours=1), max_value=timedelta(days=3650)))
def test_scaled_share_of_budget_is_identical_for_any_period(period: timedelta) -> None:
    for base, scaled in zip(conditions_for(MONTH), conditions_for(period), strict=True):
        assert scaled.threshold == base.threshold
        assert scaled.budget_share(period) == pytest.approx(base.budget_share(MONTH), rel=1e-6)


# ---------------------------------------------------------------------------- burn rates


def test_steady_error_rate_at_the_budget_burns_at_one() -> None:
    samples = steady(NOW - MONTH, NOW, HOUR, 0.01)
    assert burn_rate(samples, NOW - MONTH, NOW, SLO) == pytest.approx(1.0)
    assert burn_rate(samples, NOW - 90 * MINUTE, NOW - 7 * MINUTE, SLO) == pytest.approx(1.0)
    budget = error_budget(samples, NOW, SLO)
    assert budget.remaining == pytest.approx(0.0, abs=1e-9)
    state = slo_state(samples, NOW, SLO)
    assert state.state == "ticket"  # burning at exactly 1x over 3 d and 6 h: the ticket threshold
    assert [c.condition.severity for c in state.firing] == ["ticket"]


@given(
    target=st.floats(min_value=0.001, max_value=0.999),
    bad_fraction=st.floats(min_value=0.0, max_value=1.0),
    buckets=st.lists(
        st.tuples(st.integers(1, 7200), st.floats(min_value=1.0, max_value=1e6)),
        min_size=1,
        max_size=30,
    ),
    cut=st.tuples(st.floats(0.0, 0.49), st.floats(0.51, 1.0)),
)
def test_uniform_bad_fraction_burns_at_bad_fraction_over_budget(
    target: float,
    bad_fraction: float,
    buckets: list[tuple[int, float]],
    cut: tuple[float, float],
) -> None:
    samples, t = [], NOW
    for seconds, total in buckets:
        end = t + timedelta(seconds=seconds)
        samples.append(SliSample(t, end, total * (1 - bad_fraction), total))
        t = end
    expected = bad_fraction / (1 - target)
    objective = Objective(target)
    assert burn_rate(samples, NOW, t, objective) == pytest.approx(expected, rel=1e-9, abs=1e-12)
    # Any sub-range, cutting buckets pro rata, sees the same rate.
    span = t - NOW
    lo, hi = NOW + span * cut[0], NOW + span * cut[1]
    if lo < hi:
        got = burn_rate(samples, lo, hi, objective)
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_partial_overlap_counts_pro_rata_by_time() -> None:
    t = NOW
    two_hours = SliSample(t, t + 2 * HOUR, good=1960, total=2000)  # 40 bad, 20 per hour
    one_hour = SliSample(t + 2 * HOUR, t + 3 * HOUR, good=1000, total=1000)
    samples = [two_hours, one_hour]
    # [t+1h, t+3h): half of the first sample (980 good of 1000) and all of the second.
    assert burn_rate(samples, t + HOUR, t + 3 * HOUR, SLO) == pytest.approx((20 / 2000) / 0.01)
    # [t+90min, t+2h15min): a quarter of the first (10 bad of 500), a quarter of the second
    # (0 bad of 250).
    rate = burn_rate(samples, t + 90 * MINUTE, t + 135 * MINUTE, SLO)
    assert rate == pytest.approx((10 / 750) / 0.01)
    # Ranges are half-open: a sample ending where the range starts does not count.
    assert burn_rate([two_hours], t + 2 * HOUR, t + 3 * HOUR, SLO) is None


def test_samples_may_arrive_in_any_order_and_any_iterable() -> None:
    samples = steady(NOW - DAY, NOW, HOUR, 0.02)
    forward = burn_rate(samples, NOW - 5 * HOUR, NOW, SLO)
    backward = burn_rate(reversed(samples), NOW - 5 * HOUR, NOW, SLO)
    assert forward == pytest.approx(backward) == pytest.approx(2.0)
    assert slo_state(iter(samples), NOW, SLO) == slo_state(samples, NOW, SLO)


# ------------------------------------------------------------------- multi-window firing


def test_fast_burn_over_the_last_hour_pages() -> None:
    samples = clean_month_until(NOW - HOUR) + steady(NOW - HOUR, NOW, MINUTE, 0.144)

    state = slo_state(samples, NOW, SLO)

    fast = state.conditions[0]
    assert fast.long_burn_rate == pytest.approx(14.4)
    assert fast.short_burn_rate == pytest.approx(14.4)
    assert fast.firing  # exactly at 14.4x fires despite 0.144 / (1 - 0.99) = 14.3999...
    assert state.state == "page"
    assert state.firing == (fast,)
    slow_page = state.conditions[1]
    assert slow_page.long_burn_rate == pytest.approx(14.4 / 6)
    assert not slow_page.firing


def test_a_burst_that_stopped_no_longer_pages_once_the_short_window_recovers() -> None:
    burst = steady(NOW - 70 * MINUTE, NOW - 10 * MINUTE, MINUTE, 0.18)  # 18x for an hour
    samples = (
        clean_month_until(NOW - 70 * MINUTE) + burst + steady(NOW - 10 * MINUTE, NOW, MINUTE, 0.0)
    )

    # While it burned, both windows were over 14.4x: page.
    during = slo_state(samples, NOW - 10 * MINUTE, SLO)
    assert during.state == "page"
    assert during.conditions[0].firing

    # Ten minutes after it stopped, the hour still averages 15x, but the last 5 minutes are clean:
    # the long window alone would keep paging for another 20 minutes; the short window stops it.
    after = slo_state(samples, NOW, SLO).conditions[0]
    assert after.long_burn_rate == pytest.approx(18 * 50 / 60)
    assert after.long_burn_rate is not None
    assert after.long_burn_rate >= after.condition.threshold
    assert after.short_burn_rate == 0.0
    assert not after.firing
    assert slo_state(samples, NOW, SLO).state == "ok"


def test_a_brief_spike_does_not_page_because_the_long_window_is_calm() -> None:
    samples = clean_month_until(NOW - 5 * MINUTE) + steady(NOW - 5 * MINUTE, NOW, MINUTE, 0.5)

    fast = slo_state(samples, NOW, SLO).conditions[0]

    assert fast.short_burn_rate == pytest.approx(50.0)
    assert fast.long_burn_rate == pytest.approx(50.0 * 5 / 60)
    assert not fast.firing


def test_a_slow_leak_over_three_days_opens_a_ticket() -> None:
    leak_start = NOW - 3 * DAY
    samples = steady(NOW - MONTH, leak_start, HOUR, 0.0) + steady(leak_start, NOW, HOUR, 0.015)

    state = slo_state(samples, NOW, SLO)

    assert state.state == "ticket"
    ticket = state.conditions[2]
    assert ticket.condition.severity == "ticket"
    assert ticket.long_burn_rate == pytest.approx(1.5)
    assert ticket.short_burn_rate == pytest.approx(1.5)
    assert state.firing == (ticket,)
    assert state.budget.remaining == pytest.approx(1 - 1.5 * 3 / 30)


def test_the_same_leak_for_one_day_is_not_a_ticket_yet() -> None:
    leak_start = NOW - DAY
    samples = steady(NOW - MONTH, leak_start, HOUR, 0.0) + steady(leak_start, NOW, HOUR, 0.015)

    state = slo_state(samples, NOW, SLO)

    assert state.conditions[2].long_burn_rate == pytest.approx(0.5)
    assert state.state == "ok"
    assert state.firing == ()


def test_custom_conditions_replace_the_table() -> None:
    samples = steady(NOW - DAY, NOW, HOUR, 0.03)  # 3x
    mine = BurnCondition("page", 2 * HOUR, 10 * MINUTE, 2.0)

    state = slo_state(samples, NOW, SLO, conditions=[mine])

    assert [c.condition for c in state.conditions] == [mine]
    assert state.state == "page"


# ---------------------------------------------------------------------------- error budget


def test_error_budget_arithmetic() -> None:
    objective = Objective(0.9, timedelta(days=10))
    day = SliSample(NOW - DAY, NOW, good=950, total=1000)

    budget = error_budget([day], NOW, objective)

    assert budget.period_start == NOW - timedelta(days=10)
    assert budget.now == NOW
    assert budget.events == 1000
    assert budget.allowed == pytest.approx(100.0)
    assert budget.consumed == pytest.approx(50.0)
    assert budget.remaining == pytest.approx(0.5)
    assert budget.has_data


def test_overspent_budget_goes_negative() -> None:
    day = SliSample(NOW - DAY, NOW, good=700, total=1000)
    budget = error_budget([day], NOW, Objective(0.9))
    assert budget.consumed == pytest.approx(300.0)
    assert budget.remaining == pytest.approx(-2.0)


def test_budget_only_counts_the_period_and_straddling_samples_pro_rata() -> None:
    objective = Objective(0.9, timedelta(days=10))
    start = NOW - timedelta(days=10)
    too_old = SliSample(start - DAY, start, good=0, total=1000)
    straddling = SliSample(start - DAY, start + DAY, good=1800, total=2000)  # half inside
    inside = SliSample(NOW - DAY, NOW, good=1000, total=1000)

    budget = error_budget([too_old, straddling, inside], NOW, objective)

    assert budget.events == pytest.approx(2000.0)
    assert budget.consumed == pytest.approx(100.0)
    assert budget.allowed == pytest.approx(200.0)
    assert budget.remaining == pytest.approx(0.5)


# ---------------------------------------------------------------------------------- no data


def test_no_data() -> None:
    assert burn_rate([], NOW - HOUR, NOW, SLO) is None
    empty_bucket = SliSample(NOW - HOUR, NOW, good=0, total=0)
    assert burn_rate([empty_bucket], NOW - HOUR, NOW, SLO) is None

    budget = error_budget([], NOW, SLO)
    assert (budget.events, budget.allowed, budget.consumed, budget.remaining) == (0, 0, 0, 1.0)
    assert not budget.has_data

    state = slo_state([empty_bucket], NOW, SLO)
    assert state.state == "no_data"
    assert state.firing == ()
    assert all(c.long_burn_rate is None and c.short_burn_rate is None for c in state.conditions)


def test_samples_older_than_the_period_are_no_data() -> None:
    old = steady(NOW - 2 * MONTH, NOW - MONTH, HOUR, 0.5)
    assert slo_state(old, NOW, SLO).state == "no_data"


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (0, r"strictly between 0 and 1 .*got 0$"),
        (1, r"strictly between 0 and 1 .*got 1$"),
        (1.5, r"got 1\.5$"),
        (-0.1, r"got -0\.1$"),
        (math.nan, r"got nan$"),
        (math.inf, r"got inf$"),
        (True, r"got True$"),
        ("0.99", r"got '0\.99'$"),
        (50, r"got 50; did you mean 0\.5\?$"),
        (99, r"got 99; did you mean 0\.99\?$"),
        (99.9, r"got 99\.9; did you mean 0\.999\?$"),
    ],
)
def test_invalid_target_is_rejected_clearly(target: object, message: str) -> None:
    with pytest.raises(InvalidObjectiveError, match=message) as info:
        Objective(target)  # type: ignore[arg-type]
    assert isinstance(info.value, InputError)
    assert "SLO target must be a fraction strictly between 0 and 1" in str(info.value)


@pytest.mark.parametrize("period", [timedelta(0), -DAY, 30, None])
def test_invalid_period_is_rejected_clearly(period: object) -> None:
    with pytest.raises(InvalidObjectiveError, match="SLO period must be a positive timedelta"):
        Objective(0.99, period)  # type: ignore[arg-type]
    with pytest.raises(InvalidObjectiveError, match="SLO period must be a positive timedelta"):
        conditions_for(period)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("good", "total", "message"),
    [
        (11, 10, r"need 0 <= good <= total, got good=11, total=10"),
        (-1, 10, r"need 0 <= good <= total, got good=-1, total=10"),
        (math.nan, 10, r"must be finite numbers, got good=nan, total=10"),
        (1, math.inf, r"must be finite numbers, got good=1, total=inf"),
    ],
)
def test_invalid_sample_counts(good: float, total: float, message: str) -> None:
    with pytest.raises(InvalidSampleError, match=message):
        SliSample(NOW - MINUTE, NOW, good, total)


def test_invalid_sample_times() -> None:
    with pytest.raises(InvalidSampleError, match="must end after it starts"):
        SliSample(NOW, NOW, 1, 1)
    with pytest.raises(InvalidSampleError, match="must end after it starts"):
        SliSample(NOW, NOW - MINUTE, 1, 1)
    with pytest.raises(InvalidSampleError, match="one has a time zone and the other does not"):
        SliSample(NOW.replace(tzinfo=None), NOW + MINUTE, 1, 1)


def test_invalid_ranges() -> None:
    sample = SliSample(NOW - HOUR, NOW, 1, 1)
    with pytest.raises(InvalidRangeError, match="time range must end after it starts"):
        burn_rate([sample], NOW, NOW - HOUR, SLO)
    naive = NOW.replace(tzinfo=None)
    with pytest.raises(InvalidRangeError, match="use timezone-aware datetimes"):
        burn_rate([sample], naive - HOUR, naive, SLO)
    with pytest.raises(InvalidRangeError, match="use timezone-aware datetimes"):
        slo_state([sample], naive, SLO)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("warn", HOUR, MINUTE, 1.0), "severity must be 'page' or 'ticket', got 'warn'"),
        (("page", MINUTE, HOUR, 1.0), "0 < short_window <= long_window"),
        (("page", HOUR, timedelta(0), 1.0), "0 < short_window <= long_window"),
        (("page", HOUR, MINUTE, 0.0), "threshold must be a positive burn rate, got 0.0"),
        (("page", HOUR, MINUTE, math.nan), "threshold must be a positive burn rate, got nan"),
    ],
)
def test_invalid_burn_conditions(args: tuple[object, ...], message: str) -> None:
    with pytest.raises(InvalidConditionError, match=message):
        BurnCondition(*args)  # type: ignore[arg-type]
