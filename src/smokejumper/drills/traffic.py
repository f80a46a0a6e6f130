"""A drill's traffic: the windows of logged predictions and labels a scenario replays, the
same for the same scenario, size and seed.

Each window draws applications from the base pool (tilted by seasonality and by the fault),
draws their outcomes from the world (before any fault touches what the model sees), hands the
model the features as the fault left them, and logs the score, its confidence, the latency
and the error flag, and labels for 60% of the rows.

>>> from datetime import UTC, datetime
>>> from smokejumper.drills.registry import get_scenario
>>> from smokejumper.drills.model import train_model
>>> from smokejumper.drills.base_data import loans_pool
>>> scenario = get_scenario("volume_drop")
>>> model = train_model(loans_pool(), 1)
>>> end = datetime(2026, 11, 2, tzinfo=UTC)
>>> windows = build_traffic(scenario, Size.SMALL, 1, model, None, end)
>>> len(windows), windows[0].start.isoformat(), windows[-1].end == end
(24, '2026-11-01T00:00:00+00:00', True)
>>> windows[5].predictions.num_rows > 5 * windows[20].predictions.num_rows
True

The model's reference is the clean traffic of the days before (:func:`reference_traffic`),
drawn the same way, with the scenario's seasonality, and with its times:

>>> reference = reference_traffic(scenario, Size.SMALL, 1, windows[0].start)
>>> reference.num_rows == REFERENCE_DAYS * 24 * Size.SMALL.rows, reference.column_names[0]
(True, 'timestamp')
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa

from smokejumper.drills import faults
from smokejumper.drills.base_data import BasePool, default_probability, loans_pool
from smokejumper.drills.model import DrillModel
from smokejumper.drills.scenario import Scenario, Size

#: The share of predictions whose outcome comes back as a label.
LABELLED_SHARE = 0.6
#: How far traffic swings over a day in a seasonal scenario (share of the mean volume).
SEASONAL_SWING = 0.4
#: How far the mix of applicants tilts over a day in a seasonal scenario (towards older ones
#: in the day, younger at night; the reference holds the same pattern).
SEASONAL_TILT = 0.25
#: Days of clean traffic before the replayed windows that make the model's reference.
REFERENCE_DAYS = 3
#: Distinguishes the random streams of the reference's windows from the replayed ones'.
_REFERENCE_STREAM = 1


@dataclass(frozen=True)
class WindowTraffic:
    """One window: its index, start and end, the predictions as logged (standard field names),
    the model version serving them, and the labels that came back."""

    index: int
    start: datetime
    end: datetime
    predictions: pa.Table
    version: str
    label_ids: list[str]
    labels: list[int]


def base_pool(scenario: Scenario) -> BasePool:
    """The rows the scenario draws from."""
    if scenario.base != "loans":  # pragma: no cover - checked by the shared scenario suite
        raise ValueError(f"unknown base {scenario.base!r}")
    return loans_pool()


def window_grid(scenario: Scenario, size: Size, end: datetime) -> list[datetime]:
    """The starts of the replayed windows, the last one ending at ``end``."""
    step = timedelta(seconds=scenario.window_seconds)
    return [end - step * (size.windows - i) for i in range(size.windows)]


def _daily(start: datetime) -> float:
    """-1 to 1 over a day, highest in the afternoon."""
    hour = start.hour + start.minute / 60
    return float(np.sin(2 * np.pi * (hour - 9) / 24))


def _seasonal(
    scenario: Scenario, start: datetime, weights: np.ndarray, rows: float, age_z: np.ndarray
) -> tuple[np.ndarray, float]:
    """The sampling weights and the expected rows of a window starting at ``start`` once the
    scenario's daily pattern (if it has one) tilts them."""
    if not scenario.seasonal:
        return weights, rows
    cycle = _daily(start)
    return weights * np.exp(SEASONAL_TILT * cycle * age_z), rows * (1 + SEASONAL_SWING * cycle)


def _stamps(scenario: Scenario, start: datetime, count: int, rng: np.random.Generator) -> pa.Array:
    """``count`` times spread at random over the window starting at ``start``, in order."""
    seconds = np.sort(rng.uniform(0, scenario.window_seconds, count))
    stamps = [start + timedelta(seconds=float(s)) for s in seconds]
    return pa.array(stamps, pa.timestamp("us", tz="UTC"))


def reference_traffic(scenario: Scenario, size: Size, seed: int, end: datetime) -> pa.Table:
    """The model's reference: the applications of the :data:`REFERENCE_DAYS` of clean traffic
    before ``end`` (the first replayed window's start), window by window as the replayed ones
    are drawn (no fault, the scenario's seasonality), with their ``timestamp``."""
    pool = base_pool(scenario)
    age_z = faults._z(pool.table, "age")
    step = timedelta(seconds=scenario.window_seconds)
    count = round(timedelta(days=REFERENCE_DAYS) / step)
    parts = []
    for index in range(count):
        start = end - step * (count - index)
        rng = np.random.default_rng(
            [seed, index, zlib.crc32(scenario.name.encode()), _REFERENCE_STREAM]
        )
        weights, rows = _seasonal(scenario, start, np.ones(pool.table.num_rows), size.rows, age_z)
        picked = rng.choice(pool.table.num_rows, max(1, round(rows)), p=weights / weights.sum())
        drawn = pool.table.take(pa.array(picked)).select(list(pool.features))
        parts.append(drawn.add_column(0, "timestamp", _stamps(scenario, start, len(picked), rng)))
    return pa.concat_tables(parts)


def build_traffic(
    scenario: Scenario,
    size: Size,
    seed: int,
    model: DrillModel,
    bad_model: DrillModel | None,
    end: datetime,
) -> list[WindowTraffic]:
    """Every window of the scenario's traffic, ending at ``end`` (a window boundary)."""
    pool = base_pool(scenario)
    fault = scenario.fault
    onset = scenario.onset_window(size)
    probability = default_probability(pool.table)
    age_z = faults._z(pool.table, "age")
    windows = []
    for index, start in enumerate(window_grid(scenario, size, end)):
        rng = np.random.default_rng([seed, index, zlib.crc32(scenario.name.encode())])
        strength = 0.0 if fault is None or onset is None else fault.strength(index, onset)
        outcomes = (rng.random(pool.table.num_rows) < probability).astype(np.int64)
        weights = faults.sampling_weights(fault, strength, pool.table, outcomes)
        rows = size.rows * faults.volume_factor(fault, strength)
        weights, rows = _seasonal(scenario, start, weights, rows, age_z)
        picked = rng.choice(pool.table.num_rows, max(1, round(rows)), p=weights / weights.sum())
        true = pool.table.take(pa.array(picked))
        if fault is not None and fault.kind == "label_shift":
            outcome = outcomes[picked]
        else:
            concept = faults.concept(fault, strength, true)
            outcome = rng.random(true.num_rows) < default_probability(true, concept=concept)
            outcome = outcome.astype(np.int64)
        seen = faults.corrupt_features(fault, strength, true, rng)
        serving_model = model
        if fault is not None and fault.kind == "bad_version" and strength > 0 and bad_model:
            serving_model = bad_model
        scores = faults.bend_scores(fault, strength, serving_model.score(seen))
        latency, errors = faults.serving(fault, strength, seen.num_rows, rng)
        ids = [f"w{index}-{i}" for i in range(seen.num_rows)]
        logged = pa.table(
            {
                "id": pa.array(ids),
                "timestamp": _stamps(scenario, start, seen.num_rows, rng),
                **{name: seen.column(name) for name in pool.features},
                "prediction": pa.array(scores, pa.float64()),
                "confidence": pa.array(np.abs(scores - 0.5) * 2, pa.float64()),
                "latency_ms": pa.array(latency, pa.float64()),
                "error": pa.array(errors),
            }
        )
        labelled = rng.random(seen.num_rows) < LABELLED_SHARE
        windows.append(
            WindowTraffic(
                index,
                start,
                start + timedelta(seconds=scenario.window_seconds),
                logged,
                serving_model.version,
                [i for i, keep in zip(ids, labelled, strict=True) if keep],
                [int(o) for o, keep in zip(outcome, labelled, strict=True) if keep],
            )
        )
    return windows
