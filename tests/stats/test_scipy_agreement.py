"""On raw data, every statistic SciPy also computes agrees with SciPy to 1e-9 relative."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from scipy import stats
from scipy.spatial import distance

from smokejumper.stats.compare import compare
from smokejumper.stats.corrections import adjust
from smokejumper.stats.methods.chisquare import chi_squared
from smokejumper.stats.methods.ks import ks_statistic
from smokejumper.stats.methods.wasserstein import wasserstein
from smokejumper.stats.methods.ztest import two_proportion_z

REL = 1e-9


def _col(ref: np.ndarray, cur: np.ndarray, method: str):  # type: ignore[no-untyped-def]
    return compare(pa.table({"c": ref}), pa.table({"c": cur}), method=method).column("c")


@pytest.mark.parametrize(
    ("n", "m", "ties"),
    [
        (50, 80, False),
        (3000, 2000, True),
        (9000, 10_000, False),
        (40_000, 25_000, False),
        (30_000, 30_000, True),
    ],
)
def test_ks_agrees_with_scipy(n: int, m: int, ties: bool, rng: np.random.Generator) -> None:
    a, b = rng.normal(size=n), rng.normal(0.03, 1.0, size=m)
    if ties:
        a, b = np.round(a, 1), np.round(b, 1)
    ours = _col(a, b, "ks")
    theirs = stats.ks_2samp(a, b)
    assert ours.statistic == pytest.approx(theirs.statistic, rel=REL)
    assert ours.p_value == pytest.approx(theirs.pvalue, rel=REL)
    assert ks_statistic(np.sort(a), np.sort(b)) == pytest.approx(theirs.statistic, rel=REL)


def test_wasserstein_agrees_with_scipy(rng: np.random.Generator) -> None:
    a, b = rng.gamma(2.0, size=5000), rng.gamma(2.05, size=12_000)
    expected = stats.wasserstein_distance(a, b)
    assert wasserstein(np.sort(a), np.sort(b)) == pytest.approx(expected, rel=REL)
    col = _col(a, b, "wasserstein")
    assert col.statistic == pytest.approx(expected / np.std(a, ddof=1), rel=REL)
    # Its significance is the two-sample KS test's.
    assert col.p_value == pytest.approx(stats.ks_2samp(a, b).pvalue, rel=REL)


def test_anderson_darling_agrees_with_scipy(rng: np.random.Generator) -> None:
    a, b = rng.normal(size=400), rng.normal(0.15, 1.0, size=500)
    theirs = stats.anderson_ksamp([a, b], variant="midrank")
    ours = _col(a, b, "anderson")
    assert ours.statistic == pytest.approx(theirs.statistic, rel=REL)
    assert ours.p_value == pytest.approx(theirs.pvalue, rel=REL)


@pytest.mark.parametrize(("n", "m"), [(15, 12), (800, 1200)])
def test_cramer_von_mises_agrees_with_scipy(n: int, m: int, rng: np.random.Generator) -> None:
    a, b = rng.normal(size=n), rng.normal(0.2, 1.0, size=m)
    theirs = stats.cramervonmises_2samp(a, b)
    ours = _col(a, b, "cramervonmises")
    assert ours.statistic == pytest.approx(theirs.statistic, rel=REL)
    assert ours.p_value == pytest.approx(theirs.pvalue, rel=REL)


def test_energy_distance_agrees_with_scipy(rng: np.random.Generator) -> None:
    a, b = rng.normal(size=2000), rng.normal(0.3, 1.2, size=1500)
    ours = _col(a, b, "energy")
    assert ours.statistic == pytest.approx(stats.energy_distance(a, b) / np.std(a, ddof=1), rel=REL)


def test_chi_squared_agrees_with_scipy(rng: np.random.Generator) -> None:
    ref = rng.choice(list("abcde"), 3000, p=[0.3, 0.3, 0.2, 0.1, 0.1])
    cur = rng.choice(list("abcdf"), 2000, p=[0.25, 0.3, 0.2, 0.15, 0.1])
    ours = _col(ref, cur, "chisquare")
    labels = sorted(set(ref) | set(cur))
    table = [[int((ref == v).sum()) for v in labels], [int((cur == v).sum()) for v in labels]]
    theirs = stats.chi2_contingency(table, correction=False)
    assert ours.statistic == pytest.approx(theirs.statistic, rel=REL)
    assert ours.p_value == pytest.approx(theirs.pvalue, rel=REL)
    stat, _, v = chi_squared(np.array(table[0], float), np.array(table[1], float))
    assert v == pytest.approx(np.sqrt(stat / 5000), rel=REL)


def test_two_proportion_z_equals_uncorrected_chi_squared() -> None:
    z, p, _ = two_proportion_z(130, 1000, 171, 1100)
    theirs = stats.chi2_contingency([[130, 870], [171, 929]], correction=False)
    assert z**2 == pytest.approx(theirs.statistic, rel=REL)
    assert p == pytest.approx(theirs.pvalue, rel=REL)


def test_binned_divergences_agree_with_scipy(rng: np.random.Generator) -> None:
    ref = rng.choice(list("abcd"), 4000, p=[0.4, 0.3, 0.2, 0.1])
    cur = rng.choice(list("abcd"), 4000, p=[0.3, 0.3, 0.25, 0.15])
    p = np.array([(ref == v).mean() for v in "abcd"])
    q = np.array([(cur == v).mean() for v in "abcd"])
    js = _col(ref, cur, "jensenshannon").statistic
    assert js == pytest.approx(distance.jensenshannon(p, q, base=2), rel=REL)
    assert _col(ref, cur, "kl").statistic == pytest.approx(stats.entropy(p, q), rel=REL)
    assert _col(ref, cur, "tv").statistic == pytest.approx(np.abs(p - q).sum() / 2, rel=REL)
    assert _col(ref, cur, "linf").statistic == pytest.approx(np.abs(p - q).max(), rel=REL)
    hellinger = np.sqrt(np.sum((np.sqrt(p) - np.sqrt(q)) ** 2) / 2)
    assert _col(ref, cur, "hellinger").statistic == pytest.approx(hellinger, rel=REL)
    assert _col(ref, cur, "psi").statistic == pytest.approx(
        np.sum((q - p) * np.log(q / p)), rel=REL
    )


def test_holm_and_bh_match_their_definitions(rng: np.random.Generator) -> None:
    p = rng.random(12) ** 3
    order = np.argsort(p)
    m = len(p)
    holm = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        holm[i] = running
    bh = np.empty(m)
    running = 1.0
    for rank in range(m - 1, -1, -1):
        i = order[rank]
        running = min(running, p[i] * m / (rank + 1))
        bh[i] = running
    assert adjust(list(p), "holm") == pytest.approx(list(holm), rel=REL)
    assert adjust(list(p), "bh") == pytest.approx(list(bh), rel=REL)
    assert adjust(list(p), "bonferroni") == pytest.approx(list(np.minimum(p * m, 1)), rel=REL)
