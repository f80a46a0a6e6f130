"""Profiles merge associatively and commutatively, serialise, and stay small."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smokejumper.errors import IncompatibleProfilesError, ProfileFormatError
from smokejumper.stats import hll, serialize
from smokejumper.stats.categorical import EXACT_CAP, CategoricalProfile
from smokejumper.stats.dataset import DatasetProfile, merge_all, profile
from smokejumper.stats.numeric import NumericProfile

# Magnitudes up to 1e150: beyond ~1e154 squares overflow float64 (documented on NumericProfile).
floats = st.one_of(
    st.floats(-1e150, 1e150),
    st.sampled_from([float("nan"), float("inf"), float("-inf")]),
    st.floats(-1e6, 1e6),
    st.none(),
)
rows = st.lists(
    st.tuples(floats, st.sampled_from(["a", "b", "c", None]), st.booleans()),
    min_size=1,
    max_size=300,
)


def _table(data: list[tuple[float | None, str | None, bool]]) -> pa.Table:
    return pa.table(
        {
            "x": pa.array([r[0] for r in data], pa.float64()),
            "c": pa.array([r[1] for r in data], pa.string()),
            "b": pa.array([r[2] for r in data], pa.bool_()),
        }
    )


#: The most merges any test here folds into one profile (five parts).
MERGES = 4


def _rounding_slack(p: NumericProfile) -> tuple[float, float]:
    """How far float64 rounding alone may move ``p``'s mean and m2 between two ways of computing
    them: one pass over all the values, or Chan's pairwise merge of parts (see stats/numeric.py).

    With n finite values of largest magnitude M and spread s (max - min), eps = 2**-52:
    - every computed mean is within E = r eps M of the true one, r the roundings a value goes
      through: numpy's pairwise sum rounds each value at most 26 times in a block of 128 (8
      running sums of up to 16 values, up to 7 left over, 3 levels joining the 8) and once more
      per halving above 128 values; the division adds one, and each of the at most four merges
      here (MERGES) adds at most 5 of size eps M;
    - a two-pass m2 around a mean off by e is m2 + n e**2, times (1 + (n + 2) eps) for rounding
      the squares and their sum;
    - a merge adds w delta**2 (w = na nb / n <= n / 4, |delta| <= s) with delta off by up to
      2 E + eps s, so it is off by w (2 s (3 E) + 9 E**2); the weights of all merges add up to
      at most n.
    Both sides together: |mean difference| <= 2 E and
    |m2 difference| <= n E (6 s + 11 E) + 2 (n + 8) eps m2.
    This is a worst case (seen differences stay under a tenth of it), and it is wide only
    where float64 is: 300 values near 1e15 (ulp 0.125) with a spread of 1 have m2 near 25, known
    to about 1e6; values near 1e150 that cancel leave a mean known to about 1e136. Where s is
    near M the m2 slack is about 1e-13 of m2, so a wrong merge formula shows.
    """
    if p.n == 0:
        return 0.0, 0.0
    roundings = 26 + math.ceil(math.log2(max(p.n, 128) / 128)) + 1 + 5 * MERGES
    eps = float(np.finfo(np.float64).eps)
    big, spread = max(abs(p.min), abs(p.max)), p.max - p.min
    e = roundings * eps * big
    return 2 * e, p.n * e * (6 * spread + 11 * e) + 2 * (p.n + 8) * eps * p.m2


def _assert_same(a: DatasetProfile, b: DatasetProfile) -> None:
    assert a.rows == b.rows
    assert a.kinds == b.kinds
    xa, xb = a.columns["x"], b.columns["x"]
    assert isinstance(xa, NumericProfile)
    assert isinstance(xb, NumericProfile)
    for field in ("count", "nulls", "nans", "pos_inf", "neg_inf", "n"):
        assert getattr(xa, field) == getattr(xb, field), field
    np.testing.assert_array_equal(xa.counts, xb.counts)
    np.testing.assert_array_equal(xa.distinct, xb.distinct)
    if xa.n:
        assert (xa.min, xa.max) == (xb.min, xb.max)
    mean_slack, m2_slack = _rounding_slack(xb)
    assert abs(xa.mean - xb.mean) <= mean_slack, (xa.mean, xb.mean, mean_slack)
    assert abs(xa.m2 - xb.m2) <= m2_slack, (xa.m2, xb.m2, m2_slack)
    for name in ("c", "b"):
        ca, cb = a.columns[name], b.columns[name]
        assert isinstance(ca, CategoricalProfile)
        assert isinstance(cb, CategoricalProfile)
        assert (ca.count, ca.nulls, ca.frequencies()) == (cb.count, cb.nulls, cb.frequencies())
        np.testing.assert_array_equal(ca.distinct, cb.distinct)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=rows, cuts=st.lists(st.integers(0, 300), max_size=4), order=st.randoms())
def test_any_split_merged_in_any_order_equals_the_whole(data, cuts, order) -> None:  # type: ignore[no-untyped-def]
    table = _table(data)
    whole = profile(table)
    bounds = sorted({0, len(data), *(c % (len(data) + 1) for c in cuts)})
    parts = [profile(table.slice(s, e - s), reference=whole) for s, e in itertools.pairwise(bounds)]
    order.shuffle(parts)
    merged = parts[0]
    for part in parts[1:]:
        merged = merged.merge(part)
    _assert_same(merged, whole)


@settings(max_examples=30, deadline=None)
@given(a=rows, b=rows, c=rows)
def test_merge_is_associative_and_commutative(a, b, c) -> None:  # type: ignore[no-untyped-def]
    ref = profile(_table(a + b + c))
    pa_, pb, pc = (profile(_table(x), reference=ref) for x in (a, b, c))
    _assert_same(pa_.merge(pb).merge(pc), pa_.merge(pb.merge(pc)))
    _assert_same(pa_.merge(pb), pb.merge(pa_))


def test_merged_quantile_sketch_stays_within_its_rank_error(rng: np.random.Generator) -> None:
    values = rng.normal(size=400_000)
    whole = NumericProfile.from_values(values)
    parts = [NumericProfile.from_values(v, whole.binning) for v in np.array_split(values, 7)]
    merged = parts[0]
    for part in parts[1:]:
        merged = merged.merge(part)
    assert merged.quantiles is not None
    eps = merged.rank_error
    assert 0 < eps < 0.02
    s = np.sort(values)
    for q in (0.01, 0.1, 0.5, 0.9, 0.99):
        estimate = merged.quantiles.get_quantile(q)
        true_rank = np.searchsorted(s, estimate, side="right") / s.size
        assert abs(true_rank - q) <= eps


def test_distinct_count_is_within_four_standard_errors(rng: np.random.Generator) -> None:
    for n in (100, 5000, 200_000):
        values = rng.normal(size=n)
        regs = hll.registers(hll.hash_floats(values))
        assert abs(hll.estimate(regs) - n) <= 4 * hll.RELATIVE_ERROR * n


def test_categories_switch_to_a_sketch_beyond_the_cap() -> None:
    many = {f"v{i}": 1 + (i % 7) for i in range(EXACT_CAP + 500)}
    p = CategoricalProfile.from_counts(many)
    assert not p.is_exact
    assert p.count == sum(many.values())
    assert p.distinct_estimate == pytest.approx(len(many), rel=4 * hll.RELATIVE_ERROR)
    merged = p.merge(CategoricalProfile.from_counts({"v1": 100}))
    assert merged.frequencies()["v1"] >= 102 - merged.count_error


def test_profile_size_does_not_grow_with_rows(rng: np.random.Generator) -> None:
    sizes = []
    for n in (10_000, 1_000_000):
        t = pa.table({"x": rng.normal(size=n), "c": rng.choice(list("abcdefgh"), n)})
        sizes.append(len(serialize.dumps([profile(t)])))
    assert sizes[1] < sizes[0] * 1.5, sizes
    assert sizes[1] < 64_000


def test_round_trip_keeps_every_field(rng: np.random.Generator) -> None:
    t = pa.table({"x": np.r_[rng.normal(size=500), [np.nan, np.inf]], "c": ["a", "b"] * 251})
    [back] = serialize.loads(serialize.dumps([profile(t)]))
    _assert_same_basic = profile(t)
    assert back.columns["x"].nans == 1  # type: ignore[union-attr]
    assert back.columns["x"].pos_inf == 1  # type: ignore[union-attr]
    np.testing.assert_array_equal(back.columns["x"].counts, _assert_same_basic.columns["x"].counts)  # type: ignore[union-attr]
    assert back.columns["c"].frequencies() == {"a": 251, "b": 251}  # type: ignore[union-attr]


def test_damaged_or_foreign_profiles_are_refused() -> None:
    with pytest.raises(ProfileFormatError, match="SJPROF"):
        serialize.loads(b"PAR1....")
    with pytest.raises(ProfileFormatError, match="damaged"):
        serialize.loads(serialize.MAGIC + b"not zlib")
    import json
    import zlib

    future = serialize.MAGIC + zlib.compress(
        json.dumps({"format": serialize.FORMAT, "version": 99}).encode()
    )
    with pytest.raises(ProfileFormatError, match="version 99"):
        serialize.loads(future)


def test_profiles_with_other_bins_do_not_merge(rng: np.random.Generator) -> None:
    a = profile(pa.table({"x": rng.normal(size=100)}))
    b = profile(pa.table({"x": rng.normal(size=100)}))
    with pytest.raises(IncompatibleProfilesError, match="reference"):
        a.merge(b)


def test_merging_all_at_once_equals_merging_in_turn(rng: np.random.Generator) -> None:
    table = pa.table(
        {
            "x": np.r_[rng.normal(size=3000), [np.nan, np.inf, -np.inf]],
            "c": rng.choice(["a", "b", None], size=3003),
            "b": rng.random(3003) < 0.4,
        }
    )
    whole = profile(table)
    parts = [profile(table.slice(i, 700), reference=whole) for i in range(0, 3003, 700)]
    in_turn = parts[0]
    for part in parts[1:]:
        in_turn = in_turn.merge(part)
    at_once = merge_all(parts)
    _assert_same(at_once, in_turn)
    x_once, x_turn = at_once.columns["x"], in_turn.columns["x"]
    assert isinstance(x_once, NumericProfile)
    assert isinstance(x_turn, NumericProfile)
    assert (x_once.mean, x_once.m2) == (x_turn.mean, x_turn.m2)  # the same fold, bit for bit
    np.testing.assert_array_equal(x_once.at_edges, x_turn.at_edges)
    assert x_once.quantiles is not None
    assert x_once.quantiles.n == x_turn.n
    _assert_same(merge_all([whole]), whole)
