"""The performance monitor's optional significance test (``alpha``) against SciPy."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pytest
from scipy import stats

from smokejumper.monitoring.monitors.performance import Performance, binomial_shortfall_p
from smokejumper.monitoring.monitors.window import WindowData


@pytest.mark.parametrize(
    ("successes", "trials", "share"),
    [(117, 165, 0.72), (99, 165, 0.72), (0, 10, 0.5), (10, 10, 0.9), (480, 600, 0.85)],
)
def test_the_p_value_is_scipys_exact_binomial_test(
    successes: int, trials: int, share: float
) -> None:
    expected = stats.binomtest(successes, trials, share, alternative="less").pvalue
    assert binomial_shortfall_p(successes, trials, share) == pytest.approx(expected, rel=1e-9)


def _window(right: int, wrong: int) -> WindowData:
    ids = [f"p{i}" for i in range(right + wrong)]
    predictions = pa.table({"id": ids, "prediction": [0.9] * (right + wrong)})
    labels = pa.table({"id": ids, "label": ["1"] * right + ["0"] * wrong})
    return WindowData(datetime(2026, 1, 1, tzinfo=UTC), predictions, labels=labels)


def test_with_alpha_only_a_significant_shortfall_is_unhealthy() -> None:
    plain = Performance(name="acc", model="m", type="performance", metric="accuracy", min=0.72)
    tested = plain.model_copy(update={"alpha": 0.05})
    chance = _window(117, 48)  # 0.709 on 165 labels: p = 0.41
    value, details = tested.measure(chance)
    assert (details["successes"], details["trials"]) == (117, 165)
    assert plain.judge(value, details) is False
    assert tested.judge(value, details) is True
    fallen = _window(99, 66)  # 0.6 on 165 labels: p = 0.0006
    value, details = tested.measure(fallen)
    assert tested.judge(value, details) is False
    assert tested.judge(0.9, details) is True  # above min: healthy whatever the counts


def test_alpha_keeps_chance_pages_rare_at_the_limit() -> None:
    """Windows whose true accuracy is exactly ``min`` page at most ``alpha`` of the time."""
    spec = Performance(
        name="acc", model="m", type="performance", metric="accuracy", min=0.75, alpha=0.05
    )
    rng = np.random.default_rng(3)
    right = rng.binomial(120, 0.75, size=4000)
    pages = sum(spec.judge(r / 120, {"successes": int(r), "trials": 120}) is False for r in right)
    assert pages / 4000 <= 0.05
    assert pages > 0  # the test still pages on some unlucky windows: it is not switched off
