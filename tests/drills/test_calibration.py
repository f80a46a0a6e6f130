"""Calibration measures of the diagnosis's confidences: judging, reliability, the fit."""

from __future__ import annotations

import math

import numpy as np
import pytest

from smokejumper.drills.calibration import (
    Judged,
    brier,
    expected_calibration_error,
    fit_logistic,
    judge,
    log_loss,
    reliability,
)
from smokejumper.drills.scenario import Component


def test_judging_uses_the_rank_rule_for_systems_and_the_label_for_the_world() -> None:
    hypotheses = [
        {"title": "alias champion moved from v1 to v2", "label": "model_regression", "points": 4},
        {"title": "drift in age", "label": "data_drift", "points": 1, "confidence": 0.3},
    ]
    moved = judge(hypotheses, Component("version", "champion", "v2"), None)
    assert [j.right for j in moved] == [True, False]
    assert moved[1] == Judged(1.0, 0.3, False)
    world = judge(hypotheses, Component("world", "default rate"), "data_drift")
    assert [j.right for j in world] == [False, True]


def test_reliability_puts_one_in_the_last_bin_and_leaves_empty_bins_out() -> None:
    judged = [Judged(0, 1.0, True), Judged(0, 0.8, False), Judged(0, 0.05, False)]
    table = reliability(judged, bins=5)
    assert [(b.low, b.count, b.right) for b in table] == [(0.0, 1, 0), (0.8, 2, 1)]
    assert table[1].mean_confidence == pytest.approx(0.9)
    assert table[1].share_right == 0.5


def test_a_perfectly_calibrated_set_has_no_calibration_error() -> None:
    judged = [Judged(0, 0.5, True), Judged(0, 0.5, False), Judged(0, 0.9, True)] * 1
    judged += [Judged(0, 0.9, True)] * 8 + [Judged(0, 0.9, False)]
    # bin 0.4-0.6: 0.5 mean, half right; bin 0.8-1.0: 10 at 0.9, 9 right
    assert expected_calibration_error(judged) == pytest.approx(0.0)
    assert brier([Judged(0, 1.0, True), Judged(0, 0.0, False)]) == 0.0


def test_the_fit_minimises_the_log_loss_it_reports() -> None:
    rng = np.random.default_rng(3)
    points = rng.uniform(-1, 5, 600)
    right = rng.random(600) < 1 / (1 + np.exp(-(points - 1.5) / 1.2))
    judged = [Judged(float(p), 0.0, bool(r)) for p, r in zip(points, right, strict=True)]
    midpoint, scale = fit_logistic(judged)
    best = log_loss(judged, midpoint, scale)
    for dm, ds in ((0.2, 0), (-0.2, 0), (0, 0.15), (0, -0.15)):
        assert log_loss(judged, midpoint + dm, scale + ds) > best
    p = 1 / (1 + math.exp(-(judged[0].points - midpoint) / scale))
    assert 0 < p < 1


def test_the_fit_refuses_outcomes_that_do_not_vary_or_grow_with_the_points() -> None:
    with pytest.raises(ValueError, match="nothing to fit"):
        fit_logistic([Judged(1, 0, True), Judged(2, 0, True)])
    backwards = [Judged(float(p), 0, p < 2) for p in range(5)] * 3
    with pytest.raises(ValueError, match="not a logistic"):
        fit_logistic(backwards)
