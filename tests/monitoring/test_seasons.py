"""Seasonal baselines: which part of the reference a window is compared with, and a feature
drift monitor that no longer alarms on a daily pattern the reference already holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from smokejumper.monitoring.monitors import MonitorSpec, WindowData, evaluate_all, parse_monitor
from smokejumper.monitoring.seasons import (
    HOURS_A_WEEK,
    ReferencePhases,
    hour_of_week,
    matching,
    phase_profiles,
    window_phases,
)
from smokejumper.stats.dataset import DatasetProfile, profile

MONDAY = datetime(2026, 11, 2, tzinfo=UTC)


def _night(at: datetime) -> bool:
    return at.hour < 6


def _traffic(start: datetime, hours: int, per_hour: int, seed: int) -> pa.Table:
    """Applicants by the hour: younger ones at night (00:00-06:00 UTC), as in the drills."""
    rng = np.random.default_rng(seed)
    stamps, ages = [], []
    for h in range(hours):
        at = start + timedelta(hours=h)
        stamps += [at + timedelta(seconds=float(s)) for s in rng.uniform(0, 3600, per_hour)]
        ages += list(rng.normal(28 if _night(at) else 45, 8, per_hour))
    return pa.table({"timestamp": pa.array(stamps, pa.timestamp("us", tz="UTC")), "age": ages})


def _reference(days: int = 7, per_hour: int = 300) -> tuple[DatasetProfile, ReferencePhases]:
    rows = _traffic(MONDAY - timedelta(days=days), 24 * days, per_hour, seed=1)
    whole = profile(rows.select(["age"]))
    return whole, ReferencePhases(phase_profiles(rows.select(["age"]), rows["timestamp"], whole))


def test_hour_of_week_starts_on_monday_utc() -> None:
    assert hour_of_week(MONDAY) == 0
    assert hour_of_week(MONDAY + timedelta(days=2, hours=5, minutes=59)) == 53
    assert hour_of_week(MONDAY - timedelta(minutes=1)) == HOURS_A_WEEK - 1
    # the same instant in another time zone is the same phase
    other = (MONDAY + timedelta(hours=3)).astimezone(
        datetime(2026, 1, 1, tzinfo=UTC).astimezone().tzinfo
    )
    assert hour_of_week(other) == 3


@pytest.mark.parametrize(
    ("offset", "seconds", "expected"),
    [
        (timedelta(hours=3), 3600, {3}),  # an hourly window: its own hour
        (timedelta(hours=3, minutes=10), 300, {3}),  # a short one: the hour it lies in
        (timedelta(hours=3, minutes=30), 3600, {3, 4}),  # across an hour's boundary
        (timedelta(hours=22), 4 * 3600, {22, 23, 24, 25}),  # across midnight
        (timedelta(days=6, hours=23), 7200, {167, 0}),  # across the week's end
        (timedelta(0), 86400, set(range(24))),  # a daily window: the whole day
        (timedelta(0), 14 * 86400, set(range(HOURS_A_WEEK))),
    ],
)
def test_window_phases_are_the_hours_it_spans(
    offset: timedelta, seconds: int, expected: set[int]
) -> None:
    assert window_phases(MONDAY + offset, seconds) == expected


def test_daily_matches_the_hour_on_every_day_weekly_only_that_day() -> None:
    assert matching(frozenset({27}), "weekly") == {27}
    assert matching(frozenset({27}), "daily") == {3 + 24 * d for d in range(7)}
    assert matching(frozenset({167, 0}), "daily") == {
        h for h in range(HOURS_A_WEEK) if h % 24 in (23, 0)
    }


def test_phase_profiles_split_rows_by_hour_on_the_whole_bins() -> None:
    rows = _traffic(MONDAY, 48, 50, seed=2)
    whole = profile(rows.select(["age"]))
    phases = phase_profiles(rows.select(["age"]), rows["timestamp"], whole)
    assert sorted(phases) == list(range(48))
    assert sum(p.rows for p in phases.values()) == rows.num_rows
    edges = whole.columns["age"].binning.edges  # type: ignore[union-attr]
    for part in phases.values():
        assert np.array_equal(part.columns["age"].binning.edges, edges)  # type: ignore[union-attr]


def test_rows_without_a_time_belong_to_no_phase() -> None:
    rows = pa.table({"age": [30.0, 40.0, 50.0]})
    stamps = pa.array([MONDAY, None, MONDAY + timedelta(hours=1)], pa.timestamp("us", tz="UTC"))
    phases = phase_profiles(rows, stamps, profile(rows))
    assert {h: p.rows for h, p in phases.items()} == {0: 1, 1: 1}


def test_reference_for_merges_the_matching_phases() -> None:
    _, phases = _reference(days=14, per_hour=10)
    wednesday_3am = MONDAY + timedelta(days=9, hours=3)  # a later week
    daily = phases.reference_for(wednesday_3am, 3600, "daily")
    weekly = phases.reference_for(wednesday_3am, 3600, "weekly")
    assert daily is not None
    assert weekly is not None
    assert daily.rows == 14 * 10  # 03:00 on each of the 14 days
    assert weekly.rows == 2 * 10  # 03:00 on each of the 2 Wednesdays
    across = phases.reference_for(wednesday_3am + timedelta(minutes=30), 3600, "weekly")
    assert across is not None
    assert across.rows == 2 * 2 * 10


def test_a_phase_the_reference_lacks_gives_none() -> None:
    rows = _traffic(MONDAY, 12, 20, seed=3)  # Monday 00:00 to 12:00 only
    whole = profile(rows.select(["age"]))
    phases = ReferencePhases(phase_profiles(rows.select(["age"]), rows["timestamp"], whole))
    assert phases.reference_for(MONDAY + timedelta(days=3, hours=5), 3600, "daily") is not None
    assert phases.reference_for(MONDAY + timedelta(days=3, hours=5), 3600, "weekly") is None
    assert phases.reference_for(MONDAY + timedelta(hours=20), 3600, "daily") is None


def _window(start: datetime, whole: DatasetProfile, phases: ReferencePhases) -> WindowData:
    rows = _traffic(start, 1, 500, seed=int(start.timestamp()) % 10_000)
    features = rows.select(["age"])
    return WindowData(
        start, rows, profile(features, reference=whole), whole, phases=phases, seconds=3600
    )


def _drift(name: str, **options: object) -> MonitorSpec:
    return parse_monitor({"name": name, "model": "m", "type": "feature_drift", "max": 0, **options})


def test_a_daily_pattern_in_the_reference_is_no_drift_with_daily_seasonality() -> None:
    whole, phases = _reference()
    plain, daily, weekly = (
        _drift("plain"),
        _drift("daily", seasonality="daily"),
        _drift("weekly", seasonality="weekly"),
    )
    night = _window(MONDAY + timedelta(days=1, hours=2), whole, phases)
    day = _window(MONDAY + timedelta(days=1, hours=14), whole, phases)
    for window in (night, day):
        got = evaluate_all([plain, daily, weekly], window)
        assert got[0].healthy is False  # against the whole day, each half of it drifted
        assert got[1].healthy is True
        assert got[2].healthy is True
        assert got[1].details["reference_rows"] == 7 * 300
        assert got[2].details["reference_rows"] == 300
    assert evaluate_all([daily], night)[0].details["phase"] == "02:00-03:00 UTC"


def test_a_real_change_is_still_drift_with_seasonality() -> None:
    whole, phases = _reference()
    start = MONDAY + timedelta(days=1, hours=14)
    shifted = _traffic(start, 1, 500, seed=9)
    shifted = shifted.set_column(1, "age", pc.add(shifted["age"], 15.0))
    window = WindowData(
        start, shifted, profile(shifted.select(["age"]), reference=whole), whole, phases=phases
    )
    [seen] = evaluate_all([_drift("daily", seasonality="daily")], window)
    assert seen.healthy is False
    assert seen.details["columns"]["age"]["drift"] is True


def test_a_seasonal_monitor_says_when_the_reference_has_no_phases() -> None:
    whole, _ = _reference(days=1, per_hour=20)
    window = _window(MONDAY + timedelta(hours=2), whole, ReferencePhases())
    [seen] = evaluate_all([_drift("daily", seasonality="daily")], window)
    assert seen.value is None
    assert seen.healthy is None
    assert "needs a reference with time" in seen.details["reason"]
    assert "first_hours" in seen.details["reason"]


def test_a_seasonal_monitor_says_when_the_phase_has_no_rows() -> None:
    rows = _traffic(MONDAY, 12, 20, seed=3)
    whole = profile(rows.select(["age"]))
    phases = ReferencePhases(phase_profiles(rows.select(["age"]), rows["timestamp"], whole))
    window = _window(MONDAY + timedelta(hours=20), whole, phases)
    [seen] = evaluate_all([_drift("daily", seasonality="daily")], window)
    assert seen.value is None
    assert seen.details["reason"] == "the reference has no rows at 20:00-21:00 UTC to compare with"


def test_seasonal_monitors_read_the_phases_and_plain_ones_do_not() -> None:
    assert "phases" in _drift("d", seasonality="daily").parts_read()
    assert "phases" not in _drift("p").parts_read()


def test_monitors_of_different_seasonality_share_no_report() -> None:
    whole, phases = _reference()
    window = _window(MONDAY + timedelta(days=1, hours=2), whole, phases)
    specs = [
        _drift("plain_a", columns=["age"]),
        _drift("plain_b"),
        _drift("daily_a", seasonality="daily", columns=["age"]),
        _drift("daily_b", seasonality="daily"),
    ]
    got = evaluate_all(specs, window)
    assert [o.healthy for o in got] == [False, False, True, True]
