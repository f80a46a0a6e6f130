"""The KLL sketches built from sorted batches, and the HyperLogLog register shortcut."""

from __future__ import annotations

import dataclasses
import functools
import struct

import datasketches
import numpy as np
import pytest

from smokejumper.frames.kinds import ColumnKind
from smokejumper.stats import hll, kll, kll_format
from smokejumper.stats.compare import compare
from smokejumper.stats.dataset import DatasetProfile
from smokejumper.stats.numeric import NumericProfile
from smokejumper.stats.numeric import merge_all as numeric_merge_all


def _exact_cdf(sorted_values: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = sorted_values.size
    at_or_below = np.searchsorted(sorted_values, points, side="right") / n
    below = np.searchsorted(sorted_values, points, side="left") / n
    return at_or_below, below


def _largest_error(sketch: datasketches.kll_doubles_sketch, sorted_values: np.ndarray) -> float:
    """Largest cumulative-share error at 401 quantiles and about 2,000 of the values."""
    points = np.unique(
        np.concatenate(
            [
                np.quantile(sorted_values, np.linspace(0, 1, 401)),
                sorted_values[:: max(1, sorted_values.size // 2000)],
            ]
        )
    )
    truth_le, truth_lt = _exact_cdf(sorted_values, points)
    est_le = np.asarray(sketch.get_cdf(list(points), True))[:-1]
    est_lt = np.asarray(sketch.get_cdf(list(points), False))[:-1]
    return float(max(np.abs(est_le - truth_le).max(), np.abs(est_lt - truth_lt).max()))


def _samples(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    return {
        "normal": rng.normal(size=n),
        "discrete": rng.integers(0, 7, size=n).astype(np.float64),
        "heavy tail": rng.standard_cauchy(size=n),
        "one value": np.full(n, 3.25),
    }


@pytest.mark.parametrize("n", [1, 2, 199, 200, 8191, 8192, 8193, 12_345, 100_003, 1_048_577])
def test_sketch_of_a_sorted_batch_is_within_its_bound(rng: np.random.Generator, n: int) -> None:
    for name, values in _samples(rng, n).items():
        values = np.sort(values)
        sketch = kll.from_sorted(values)
        assert sketch.n == n, name
        assert sketch.get_min_value() == values[0]
        assert sketch.get_max_value() == values[-1]
        assert _largest_error(sketch, values) <= kll.rank_error(sketch), name


def test_small_batches_keep_every_value(rng: np.random.Generator) -> None:
    values = np.sort(rng.normal(size=150))
    sketch = kll.from_sorted(values)
    assert not sketch.is_estimation_mode()
    assert kll.rank_error(sketch) == 0.0
    assert _largest_error(sketch, values) == 0.0


def test_presampled_sketches_merge_with_ordinary_ones(rng: np.random.Generator) -> None:
    parts = [rng.normal(loc=i / 3, size=size) for i, size in enumerate((9000, 300_000, 57, 41_000))]
    merged = kll.empty()
    for i, part in enumerate(parts):
        if i % 2:
            ordinary = kll.empty()
            ordinary.update(part)
            merged = kll.merged(merged, ordinary)
        else:
            merged = kll.merged(merged, kll.from_sorted(np.sort(part)))
    everything = np.sort(np.concatenate(parts))
    assert merged.n == everything.size
    assert merged.get_min_value() == everything[0]
    assert merged.get_max_value() == everything[-1]
    assert _largest_error(merged, everything) <= kll.rank_error(merged)


def test_many_presampled_batches_stay_within_the_bound(rng: np.random.Generator) -> None:
    batches = [np.sort(rng.exponential(size=20_000)) for _ in range(40)]
    merged = kll.empty()
    for batch in batches:
        merged = kll.merged(merged, kll.from_sorted(batch))
    everything = np.sort(np.concatenate(batches))
    assert _largest_error(merged, everything) <= kll.rank_error(merged)


def test_lifted_sketch_serialises_back_to_the_same_bytes(rng: np.random.Generator) -> None:
    sketch = kll.from_sorted(np.sort(rng.normal(size=500_000)))
    raw = sketch.serialize()
    again = datasketches.kll_doubles_sketch.deserialize(raw)
    assert again.serialize() == raw
    assert again.n == 500_000


@pytest.mark.parametrize("n", [300, 5_000, 70_000, 2_000_000])
def test_capacity_formula_matches_the_library(rng: np.random.Generator, n: int) -> None:
    sketch = kll.empty()
    sketch.update(rng.normal(size=n))
    raw = sketch.serialize()
    *_, num_levels, _ = struct.unpack_from("<BBBBHBBQHBB", raw)
    first = struct.unpack_from("<I", raw, 20)[0]
    assert kll_format.total_capacity(kll.KLL_K, 8, num_levels) - first == sketch.num_retained


@pytest.mark.parametrize("n", [0, 1, 100, 131_071, 131_072, 300_000, 2_000_000])
def test_register_shortcut_gives_the_same_registers(rng: np.random.Generator, n: int) -> None:
    hashes = hll.hash_floats(rng.normal(size=n))
    assert np.array_equal(hll.registers(hashes), hll._registers(hashes))


def test_register_shortcut_falls_back_when_a_register_would_stay_empty() -> None:
    # Every hash lands in register 0 with the lowest rank, so the filtered set is empty.
    hashes = np.full(200_000, (1 << hll.RANK_BITS) - 1, dtype=np.uint64)
    regs = hll.registers(hashes)
    assert np.array_equal(regs, hll._registers(hashes))
    assert regs[0] == 1
    assert not regs[1:].any()


@pytest.mark.parametrize("n", [1, 65_535, 65_536, 65_537, 140_000, 1_000_000])
def test_chunked_registers_of_sorted_floats_match_the_plain_way(
    rng: np.random.Generator, n: int
) -> None:
    for values in (
        rng.normal(size=n),
        rng.integers(0, 50, size=n).astype(np.float64),  # few distinct values: no shortcut
        np.where(rng.random(n) < 0.5, -0.0, rng.normal(size=n)),  # -0.0 and 0.0 alike
    ):
        values = np.sort(values)
        plain = hll.registers(hll.hash_floats(np.unique(values)))
        assert np.array_equal(hll.sorted_float_registers(values), plain)


def test_chunked_registers_fall_back_when_the_shortcut_leaves_a_register_empty(
    rng: np.random.Generator, monkeypatch: pytest.MonkeyPatch
) -> None:
    values = np.sort(rng.normal(size=200_000))
    plain = hll.registers(hll.hash_floats(values))
    monkeypatch.setattr(hll, "_skip", lambda count: 20)  # keeps ~1 hash in a million
    assert np.array_equal(hll.sorted_float_registers(values), plain)


def test_merging_sketches_is_reproducible() -> None:
    """DataSketches' own merge flips unseeded coins: the same parts merged twice gave different
    sketches, so a window's statistics beyond the reference's bins differed between the
    service's evaluation and a monitor evaluated alone (benchmarks/monitor_evaluation.py)."""
    rng = np.random.default_rng(12)
    reference = NumericProfile.from_values(rng.normal(size=50_000))
    parts = [
        NumericProfile.from_values(rng.normal(size=1000) * 3, reference.binning) for _ in range(5)
    ]
    at_once, again = numeric_merge_all(parts), numeric_merge_all(parts)
    assert at_once.quantiles is not None
    assert again.quantiles is not None
    assert at_once.quantiles.serialize() == again.quantiles.serialize()
    in_turn = functools.reduce(kll.merged, [p.quantiles for p in parts])
    assert (
        in_turn.serialize()
        == functools.reduce(kll.merged, [p.quantiles for p in parts]).serialize()
    )
    # and the effect size of a column beyond the reference's bins, which reads the sketch
    kinds = {"x": ColumnKind.NUMERIC}
    before = DatasetProfile(50_000, kinds, {"x": reference})
    effects = {
        compare(before, DatasetProfile(5000, kinds, {"x": merged})).column("x").effect_size
        for merged in (at_once, again, numeric_merge_all(list(parts)))
    }
    assert len(effects) == 1


@pytest.mark.parametrize("parts", [2, 5, 40])
def test_merging_many_sketches_at_once_compacts_once_within_the_bound(parts: int) -> None:
    """A window's parts are pooled and compacted in one pass (the merge in turn, written out and
    read back after every step, made loading a window twice as slow as DataSketches' merge)."""
    rng = np.random.default_rng(parts)
    batches = [np.sort(rng.exponential(size=int(rng.integers(500, 20_000)))) for _ in range(parts)]
    sketches = [kll.from_sorted(b) for b in batches]
    every = np.sort(np.concatenate(batches))
    at_once = kll.merged_all(sketches)
    assert at_once.n == every.size
    assert (at_once.get_min_value(), at_once.get_max_value()) == (every[0], every[-1])
    assert _largest_error(at_once, every) <= kll.rank_error(at_once)
    assert at_once.serialize() == kll.merged_all(sketches).serialize()
    assert at_once.num_retained == sum(level.size for level in kll._levels(at_once)[3])
    reads = 0
    real = kll._levels

    def counted(sketch: datasketches.kll_doubles_sketch) -> tuple[int, int, int, list[np.ndarray]]:
        nonlocal reads
        reads += 1
        return real(sketch)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(kll, "_levels", counted)
        kll.merged_all(sketches)
    assert reads == parts  # each part read once, the pool written once


def test_a_merged_sketch_stays_within_its_rank_error() -> None:
    values = [np.sort(np.random.default_rng(i).normal(size=100_000)) for i in range(8)]
    sketch = functools.reduce(kll.merged, [kll.from_sorted(v) for v in values])
    every = np.sort(np.concatenate(values))
    points = np.linspace(-4, 4, 401)
    truth = np.searchsorted(every, points, side="right") / every.size
    estimate = np.asarray(sketch.get_cdf(list(points), True))[:-1]
    assert sketch.n == every.size
    assert np.abs(estimate - truth).max() <= kll.rank_error(sketch)


def _exact_largest_error(sketch: datasketches.kll_doubles_sketch, sorted_values: np.ndarray) -> int:
    """Largest error, in values, of the sketch's rank at or below (and below) every distinct
    value: both step functions change only there, so this is the largest error anywhere."""
    points = np.unique(sorted_values)
    truth_le, truth_lt = _exact_cdf(sorted_values, points)
    est_le = np.asarray(sketch.get_cdf(list(points), True))[:-1]
    est_lt = np.asarray(sketch.get_cdf(list(points), False))[:-1]
    worst = max(np.abs(est_le - truth_le).max(), np.abs(est_lt - truth_lt).max())
    return round(float(worst) * sorted_values.size)


SHAPES = {
    "normal": lambda r, n: r.normal(size=n),
    "lognormal": lambda r, n: r.lognormal(size=n),
    "discrete": lambda r, n: r.integers(0, 7, size=n).astype(np.float64),
    "heavy tail": lambda r, n: r.standard_cauchy(size=n),
    "one value": lambda r, n: np.full(n, 3.25),
}


@pytest.mark.parametrize(
    "n", [2, 400, 401, 1_000, 8_191, 8_192, 8_193, 65_537, 100_000, 300_001, 1_048_577]
)
def test_a_sorted_batch_sketch_states_a_certain_error(rng: np.random.Generator, n: int) -> None:
    """Every rank the sketch gives is within its stated error, checked at every distinct value;
    the error is at most n / 534 from 1,068 values on and one value below (stats/kll.py), and
    the same values give the same bytes (DataSketches' own update flips unseeded coins)."""
    for name, draw in SHAPES.items():
        values = np.sort(draw(rng, n))
        sketch, error = kll.build(values)
        assert sketch.n == n
        assert (sketch.get_min_value(), sketch.get_max_value()) == (values[0], values[-1])
        assert error is not None
        assert _exact_largest_error(sketch, values) <= error, name
        assert error <= max(1, n / 534) if n > kll.KLL_K else error == 0, (name, error)
        if n >= 38_402:
            assert error <= n / 600, (name, error)
        assert kll.rank_error(sketch, error) <= kll.rank_error(sketch)  # within the a-priori bound
        assert kll.build(values).sketch.serialize() == sketch.serialize()  # after queries too
        assert sketch.is_estimation_mode() == (n > kll.KLL_K)


@pytest.mark.parametrize(("parts", "size"), [(2, 100_000), (24, 1_000), (40, 20_000), (200, 250)])
def test_a_merged_sketch_states_a_certain_error(parts: int, size: int) -> None:
    """The parts' errors plus the measured shift of the compaction bound the merged sketch."""
    rng = np.random.default_rng([parts, size])
    for name, draw in SHAPES.items():
        batches = [np.sort(draw(rng, int(rng.integers(size // 2, size + 1)))) for _ in range(parts)]
        merged = kll.merged_bounded([kll.build(b) for b in batches])
        every = np.sort(np.concatenate(batches))
        assert merged.error is not None
        assert merged.sketch.n == every.size
        assert _exact_largest_error(merged.sketch, every) <= merged.error, name
        again = kll.merged_bounded([kll.build(b) for b in batches[::-1]])
        assert (again.sketch.serialize(), again.error) == (merged.sketch.serialize(), merged.error)


def test_a_merge_with_a_sketch_of_unknown_error_falls_back_to_the_a_priori_bound(
    rng: np.random.Generator,
) -> None:
    values = np.sort(rng.normal(size=50_000))
    ordinary = datasketches.kll_doubles_sketch(200)  # as older profiles hold: k = 200
    ordinary.update(rng.normal(size=30_000))
    merged = kll.merged_bounded([kll.build(values), kll.Bounded(ordinary, None)])
    assert merged.error is None
    assert kll.rank_error(merged.sketch, merged.error) == pytest.approx(
        merged.sketch.normalized_rank_error(False) + kll.PRESAMPLE_ERROR
    )
    assert merged.sketch.n == 80_000


def test_a_profile_without_a_stored_error_reads_with_the_a_priori_bound(
    rng: np.random.Generator,
) -> None:
    """Profiles written before ``kll_error`` was stored still load and state a bound."""
    from smokejumper.stats import serialize

    p = NumericProfile.from_values(rng.normal(size=20_000))
    assert p.quantile_error is not None
    assert p.rank_error == p.quantile_error / 20_000
    doc = serialize._column_to_dict(p, serialize._Blobs())
    assert doc["kll_error"] == p.quantile_error
    older = dataclasses.replace(p, quantile_error=None)
    assert older.rank_error == kll.rank_error(p.quantiles)
    assert older.rank_error > p.rank_error
