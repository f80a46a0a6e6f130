"""The fairness monitor's accuracy gap: the worst group's shortfall against the rest, against
numbers computed by hand and SciPy's normal tail, and unhealthy only when wide and significant."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pytest
from scipy import stats

from smokejumper.monitoring.monitors import WindowData, evaluate, parse_monitor
from smokejumper.monitoring.monitors.config import MonitorSpec

START = datetime(2026, 11, 1, tzinfo=UTC)


def _window(wrong: dict[str, float], n: int = 900, seed: int = 4) -> WindowData:
    """Rows of three regions in turn (and a few of a tiny fourth), all labelled; the model is
    wrong for the share ``wrong[region]`` of each region's rows."""
    rng = np.random.default_rng(seed)
    regions = [("north", "south", "west")[i % 3] for i in range(n)] + ["east"] * 5
    scores = rng.random(len(regions))
    flips = [rng.random() < wrong.get(r, 0.1) for r in regions]
    labels = [str(int((s >= 0.5) != f)) for s, f in zip(scores, flips, strict=True)]
    ids = [f"p{i}" for i in range(len(regions))]
    rows = pa.table({"id": ids, "region": regions, "prediction": scores})
    return WindowData(START, rows, labels=pa.table({"id": ids, "label": labels}))


def _spec(**kw: object) -> MonitorSpec:
    return parse_monitor(
        {
            "name": "gap",
            "model": "loans",
            "type": "fairness",
            "metric": "accuracy_gap",
            "segment": "region",
            "max": 0.15,
            "alpha": 0.001,
            **kw,
        }
    )


def test_the_gap_is_the_worst_group_against_the_rest() -> None:
    window = _window({"south": 0.5})
    observed = evaluate(_spec(), window)
    table = window.predictions
    labels = window.labels
    assert labels is not None
    region = np.asarray(table.column("region").to_pylist())
    right = (np.asarray(table.column("prediction").to_pylist()) >= 0.5) == (
        np.asarray(labels.column("label").to_pylist()) == "1"
    )
    # east (5 rows) is under min_group_rows: not compared as a group, but part of the rest
    inside, rest = right[region == "south"], right[region != "south"]
    assert observed.value == pytest.approx(rest.mean() - inside.mean(), abs=1e-6)
    assert observed.details["worst"] == "south"
    assert observed.details["groups"] == ["north", "south", "west"]
    pooled = right.mean()
    z = (rest.mean() - inside.mean()) / np.sqrt(
        pooled * (1 - pooled) * (1 / len(inside) + 1 / len(rest))
    )
    assert observed.details["p_value"] == pytest.approx(min(1.0, 3 * stats.norm.sf(z)))
    assert observed.healthy is False


def test_a_gap_within_chance_or_under_the_limit_is_healthy() -> None:
    even = evaluate(_spec(), _window({}))
    assert even.healthy is True
    assert even.value is not None
    assert even.value < 0.15
    # a wide gap on a handful of rows is not significant: healthy, though over max
    few = evaluate(_spec(min_group_rows=3), _window({"south": 0.5}, n=24, seed=1))
    assert few.value is not None
    assert few.value > 0.15
    assert few.details["p_value"] >= 0.001
    assert few.healthy is True


def test_no_gap_without_labels_or_two_groups() -> None:
    window = _window({})
    unlabelled = WindowData(START, window.predictions)
    assert evaluate(_spec(), unlabelled).value is None
    one = evaluate(_spec(min_group_rows=10_000), window)
    assert one.value is None
    assert "fewer than 2 groups" in one.details["reason"]
