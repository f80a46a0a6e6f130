"""Issue 9, section 2: no false alarm on small hourly windows of real data, the real shift
still caught. Real flights out of New York City in 2013 (``benchmarks/replay/data/``) go
through a real ``smokejumper serve`` as hourly windows of 100 and 500 rows; a ``feature_drift``
monitor over three columns that do not shift judges clean windows, one over the temperature
(which the summer moves) judges shifted windows. ``benchmarks/windowed_replay.py`` runs the
same replay at more sizes and draws and writes the table.
"""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest
from benchmarks.replay import (
    MAX_FALSE_ALARMS_PER_100,
    MIN_CAUGHT_SHARE,
    Replay,
    SizePlan,
    SizeResult,
    data,
    load,
    replay,
    run,
    targets,
    windows,
)

pytestmark = pytest.mark.slow

# How many windows, and why that many. The replay is deterministic (the extract's rows in file
# order, the server's verdicts a function of them), so the question is whether one fixed sample
# of windows can tell a rule that meets the target (at most 1 unhealthy clean window in 100)
# from today's (about 2-3 in 100 at these sizes in the issue and in the benchmark). The clean
# windows are independent draws without replacement from one pool, so the count of unhealthy
# ones is about binomial(n, p), and the test allows n / 100 of them:
# - 500 clean windows of 100 rows, at most 5 unhealthy. A rule at 2.2 in 100 passes with
#   probability 0.036 (at 3 in 100: 0.003), so today's rule cannot pass by luck; a rule at
#   0.3 in 100 passes with probability 0.996 (at 0.5: 0.958). This is where the test has power.
# - 100 clean windows of 500 rows, at most 1 unhealthy (all 50,000 clean rows of the pool). A
#   rule at 6 in 100 passes with probability 0.015, one at 3 in 100 with 0.195, one at 0.3 in
#   100 fails with probability 0.037: a weaker check, which the benchmark's six draws back up.
# The shifted windows only need enough to see "nearly every": 50 and 20, with at most one miss
# at 100 rows (98 %) and none at 500.
PLANS = (SizePlan(100, 500, 50), SizePlan(500, 100, 20))


@pytest.fixture(scope="module")
def replayed() -> Replay:
    """The replay, run once for the module (about 10 s)."""
    return replay([load()], PLANS)


def describe(result: SizeResult) -> str:
    return (
        f"{result.rows_per_window} rows per window: {result.clean_unhealthy} of "
        f"{result.clean_windows} clean windows unhealthy (flagged columns: {result.flagged}), "
        f"shift caught in {result.shifted_caught} of {result.shifted_windows}"
    )


def test_the_replay_judged_every_window_it_placed(replayed: Replay) -> None:
    assert [r.rows_per_window for r in replayed.results] == [100, 500]
    counts = [(r.clean_windows, r.shifted_windows) for r in replayed.results]
    assert counts == [(500, 50), (100, 20)]
    # Every placed window was judged (the replay raises if one has no verdict); an hour that
    # closed during the run may add a silent window per model.
    assert 550 + 120 <= replayed.windows_evaluated <= 550 + 120 + 2


def test_clean_windows_raise_at_most_one_alarm_in_100(replayed: Replay) -> None:
    over = [
        describe(r)
        for r in replayed.results
        if r.clean_unhealthy > r.clean_windows * MAX_FALSE_ALARMS_PER_100 / 100
    ]
    assert not over, "; ".join(over)


def test_the_real_shift_is_caught_in_nearly_every_window(replayed: Replay) -> None:
    missed = [describe(r) for r in replayed.results if r.caught_share < MIN_CAUGHT_SHARE]
    assert not missed, "; ".join(missed)


@pytest.mark.parametrize("module", [data, windows, run, targets], ids=lambda m: m.__name__)
def test_the_replay_modules_examples_hold(module: ModuleType) -> None:
    # pytest collects doctests under src and tests only; the replay package lives in benchmarks.
    failures, tried = doctest.testmod(module)
    assert tried > 0
    assert failures == 0
