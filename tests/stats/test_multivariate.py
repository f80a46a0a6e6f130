"""The domain classifier finds a change in the joint distribution that no column shows."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from smokejumper.stats.compare import compare


def _pair(rng: np.random.Generator, rows: int, corr: float) -> pa.Table:
    xy = rng.multivariate_normal([0, 0], [[1, corr], [corr, 1]], rows)
    return pa.table({"x": xy[:, 0], "y": xy[:, 1], "c": rng.choice(["p", "q"], rows)})


@pytest.mark.slow
def test_rotated_gaussian_is_caught_only_by_the_multivariate_method(
    rng: np.random.Generator,
) -> None:
    # Rotating a correlated Gaussian by 90 degrees flips the correlation; marginals stay N(0, 1).
    ref, cur = _pair(rng, 4000, 0.8), _pair(rng, 4000, -0.8)
    report = compare(ref, cur, multivariate=True)
    assert report.drifted_columns == 0
    assert report.multivariate is not None
    assert report.multivariate.drift
    assert report.multivariate.auc > 0.75
    assert report.dataset_drift


@pytest.mark.slow
def test_unchanged_joint_distribution_is_not_flagged(rng: np.random.Generator) -> None:
    report = compare(_pair(rng, 4000, 0.8), _pair(rng, 4000, 0.8), multivariate=True)
    assert report.multivariate is not None
    assert not report.multivariate.drift
    assert report.multivariate.auc < 0.55
    assert not report.dataset_drift


def test_multivariate_needs_raw_data(rng: np.random.Generator) -> None:
    from smokejumper.stats.dataset import profile

    ref = profile(_pair(rng, 500, 0.5))
    report = compare(ref, _pair(rng, 500, 0.5), multivariate=True)
    assert report.multivariate is None
    assert any("raw data" in n for n in report.notes)
