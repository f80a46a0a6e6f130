"""The drills' reference: the clean traffic of the days before the drill, with its times, so a
seasonal scenario's reference holds its daily pattern hour by hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from smokejumper.drills.base_data import loans_pool
from smokejumper.drills.model import train_model
from smokejumper.drills.monitors import monitor_suite
from smokejumper.drills.registry import get_scenario
from smokejumper.drills.scenario import Size
from smokejumper.drills.traffic import REFERENCE_DAYS, reference_traffic

FIRST = datetime(2026, 11, 2, tzinfo=UTC)  # the first replayed window's start


def _hours(table: pa.Table) -> np.ndarray:
    return np.asarray(pc.hour(table["timestamp"]).to_numpy(zero_copy_only=False))


def test_the_reference_is_the_days_before_the_drill_with_times() -> None:
    scenario = get_scenario("sudden_drift")
    reference = reference_traffic(scenario, Size.SMALL, 1, FIRST)
    stamps = reference["timestamp"]
    assert pc.min(stamps).as_py() >= FIRST - timedelta(days=REFERENCE_DAYS)
    assert pc.max(stamps).as_py() < FIRST
    assert set(reference.column_names) == {"timestamp", *loans_pool().features}
    assert reference.num_rows == REFERENCE_DAYS * 24 * Size.SMALL.rows  # no seasonal swing
    assert reference.equals(reference_traffic(scenario, Size.SMALL, 1, FIRST))
    assert not reference.equals(reference_traffic(scenario, Size.SMALL, 2, FIRST))


def test_a_seasonal_reference_holds_the_daily_pattern() -> None:
    reference = reference_traffic(get_scenario("seasonal"), Size.SMALL, 1, FIRST)
    hours, age = _hours(reference), reference["age"].to_numpy()
    night, afternoon = (hours >= 0) & (hours < 6), (hours >= 12) & (hours < 18)
    assert age[night].mean() < age[afternoon].mean() - 2  # younger applicants at night
    assert afternoon.sum() > 1.5 * night.sum()  # and fewer of them
    flat = reference_traffic(get_scenario("sudden_drift"), Size.SMALL, 1, FIRST)
    flat_hours, flat_age = _hours(flat), flat["age"].to_numpy()
    flat_night, flat_day = flat_hours < 6, (flat_hours >= 12) & (flat_hours < 18)
    assert abs(flat_age[flat_night].mean() - flat_age[flat_day].mean()) < 1.5


def test_the_suite_judges_input_drift_by_the_hour_of_the_day() -> None:
    pool = loans_pool()
    suite = monitor_suite("m", pool, train_model(pool, 1), rows=300)
    [drift] = [m for m in suite if m["name"] == "m-drift"]
    assert drift["type"] == "feature_drift"
    assert drift["seasonality"] == "daily"
