"""Columns that should not be tested, columns tested as another kind, and values at the edges."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pyarrow as pa
import pytest

from smokejumper.errors import UnknownColumnError
from smokejumper.stats.compare import compare
from smokejumper.stats.dataset import profile


def test_an_increasing_integer_id_is_skipped_with_a_note(rng: np.random.Generator) -> None:
    ref = pa.table({"id": np.arange(1000), "x": rng.normal(size=1000)})
    cur = pa.table({"id": np.arange(5000, 6000), "x": rng.normal(size=1000)})
    report = compare(ref, cur)
    col = report.column("id")
    assert col.status == "skipped"
    assert col.note is not None
    assert col.note.startswith("identifier")
    assert report.drifted_column_count == 0
    # Named, it is still skipped (a report over one column agrees with one over all); with its
    # kind given, it is tested (and drifts, as ids do).
    assert compare(ref, cur, columns=["id"]).column("id").status == "skipped"
    assert compare(ref, cur, kinds={"id": "numeric"}).column("id").drift
    # Integers that repeat, or are not in order, are data.
    shuffled = pa.table({"id": rng.permutation(1000), "x": rng.normal(size=1000)})
    assert compare(shuffled, shuffled).column("id").status == "tested"


def test_unique_strings_are_not_tested_by_default(rng: np.random.Generator) -> None:
    ids = pa.table({"key": [f"k{i}" for i in range(500)], "x": rng.normal(size=500)})
    other = pa.table({"key": [f"k{i}" for i in range(500, 1000)], "x": rng.normal(size=500)})
    assert compare(ids, other).column("key").status == "skipped"


def test_exclude_leaves_columns_out(rng: np.random.Generator) -> None:
    ref = pa.table({"a": rng.normal(size=500), "b": rng.normal(size=500), "gone": np.ones(500)})
    cur = pa.table({"a": rng.normal(size=500), "b": rng.normal(3, 1, size=500)})
    report = compare(ref, cur, exclude=["b", "gone"])
    assert [c.name for c in report.columns] == ["a"]
    assert not report.quality_failed  # the excluded column's absence is not a finding
    assert any("excluded on request" in n for n in report.notes)
    with pytest.raises(UnknownColumnError, match="cannot exclude column"):
        compare(ref, cur, exclude=["zz"])


def test_a_zero_one_integer_column_is_judged_as_binary(rng: np.random.Generator) -> None:
    ref = pa.table({"clicked": (rng.random(4000) < 0.2).astype(np.int64)})
    cur = pa.table({"clicked": (rng.random(4000) < 0.3).astype(np.int64)})
    col = compare(ref, cur).column("clicked")
    assert (col.kind, col.method) == ("boolean", "ztest")
    assert col.drift
    # The same from profiles (as the service compares windows).
    ref_p = profile(ref)
    col_p = compare(ref_p, profile(cur, reference=ref_p)).column("clicked")
    assert (col_p.method, col_p.effect_size) == ("ztest", col.effect_size)
    # A count that also takes other values stays numeric.
    counts = pa.table({"n": rng.integers(0, 3, 1000)})
    assert compare(counts, counts).column("n").method == "wasserstein"


def test_values_near_the_float_limit_give_finite_results_without_warnings(
    rng: np.random.Generator,
) -> None:
    ref_values = rng.normal(size=1000)
    ref_values[::7] = 1e308
    cur_values = rng.normal(size=1000)
    cur_values[::5] = -1e308
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = compare(pa.table({"x": ref_values}), pa.table({"x": cur_values}))
        col = report.column("x")
        doc = json.loads(report.to_json())
    assert col.effect_size is not None
    assert np.isfinite(col.effect_size)
    assert col.noise_floor is not None
    assert np.isfinite(col.noise_floor)
    assert col.drift  # a seventh of the values moved from +1e308 to -1e308
    assert doc["columns"][0]["effect_size"] == col.effect_size
    # Scaling changes nothing: the same data divided by 1e300 gives the same effect size.
    small = compare(pa.table({"x": ref_values / 1e300}), pa.table({"x": cur_values / 1e300}))
    assert small.column("x").effect_size == pytest.approx(col.effect_size, rel=1e-9)


def test_forty_digit_integers_say_what_is_wrong(rng: np.random.Generator) -> None:
    base = 10.0**39
    ref = pa.table({"account": base + rng.integers(0, 10**6, 500) * 1e24})
    cur = pa.table({"account": base + rng.integers(0, 10**6, 500) * 1e24})
    col = compare(ref, cur).column("account")
    assert col.effect_size is not None
    assert np.isfinite(col.effect_size)
    assert col.note is not None
    assert "beyond 2**53" in col.note
    assert "--kind NAME=categorical" in col.note


def test_drifted_column_names_and_count(rng: np.random.Generator) -> None:
    ref = pa.table({"a": rng.normal(size=2000), "b": rng.normal(size=2000)})
    cur = pa.table({"a": rng.normal(1, 1, size=2000), "b": rng.normal(size=2000)})
    report = compare(ref, cur)
    assert report.drifted_column_names == ["a"]
    assert report.drifted_column_count == report.drifted_columns == 1
    doc = json.loads(report.to_json())
    assert doc["drifted_column_names"] == ["a"]
    assert doc["drifted_column_count"] == doc["drifted_columns"] == 1


def test_scipy_falling_back_to_the_asymptotic_ks_p_value_does_not_warn() -> None:
    """Counts of 1,000 rows a side where SciPy's exact KS computation gives up (and warns)."""
    from scipy import stats

    rng = np.random.default_rng(746)
    a, b = rng.poisson(4.0, 1000), rng.poisson(4.0, 1000)
    with pytest.warns(RuntimeWarning, match="Exact calculation unsuccessful"):
        expected = stats.ks_2samp(a.astype(float), b.astype(float)).pvalue
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        col = compare(pa.table({"n": a}), pa.table({"n": b})).column("n")
    assert col.p_value == pytest.approx(expected, rel=1e-12)
