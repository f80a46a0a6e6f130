"""Bad input gets a clear error or a clear per-column note, never a traceback or a NaN."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from smokejumper.errors import (
    DataSourceNotFoundError,
    EmptyDataError,
    InputError,
    NoCommonColumnsError,
    UnknownColumnError,
    UnknownMethodError,
)
from smokejumper.stats.compare import compare


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataSourceNotFoundError):
        compare(tmp_path / "nope.parquet", pa.table({"x": [1.0]}))


def test_no_common_columns() -> None:
    with pytest.raises(NoCommonColumnsError, match="share no column"):
        compare(pa.table({"a": [1.0]}), pa.table({"b": [1.0]}))


def test_empty_tables() -> None:
    empty = pa.table({"x": pa.array([], pa.float64())})
    with pytest.raises(EmptyDataError, match="reference data has no rows"):
        compare(empty, pa.table({"x": [1.0]}))
    with pytest.raises(EmptyDataError, match="current data has no rows"):
        compare(pa.table({"x": [1.0]}), empty)


def test_unknown_names_fail_before_any_work() -> None:
    t = pa.table({"x": [1.0, 2.0]})
    with pytest.raises(UnknownMethodError):
        compare(t, t, method="ks2")
    with pytest.raises(UnknownColumnError, match="not in the reference"):
        compare(t, t, columns=["y"])
    with pytest.raises(UnknownColumnError):
        compare(t, t, method={"y": "ks"})
    with pytest.raises(InputError, match="alpha"):
        compare(t, t, alpha=1.5)


def test_type_change_is_an_error_row_and_counts_as_drift(rng: np.random.Generator) -> None:
    ref = pa.table({"x": rng.normal(size=100), "y": rng.normal(size=100)})
    cur = pa.table({"x": [str(v) for v in rng.choice(list("ab"), 100)], "y": rng.normal(size=100)})
    report = compare(ref, cur)
    x = report.column("x")
    assert x.status == "error"
    assert x.drift
    assert x.note is not None
    assert "type changed: numeric in the reference, categorical" in x.note
    assert report.column("y").status == "tested"


def test_all_null_and_constant_columns_get_notes(rng: np.random.Generator) -> None:
    ref = pa.table(
        {
            "empty": pa.array([None] * 100, pa.float64()),
            "nan": np.full(100, np.nan),
            "const": np.ones(100),
            "cat_null": pa.array([None] * 100, pa.string()),
            "ok": rng.normal(size=100),
        }
    )
    cur = pa.table(
        {
            "empty": rng.normal(size=100),
            "nan": rng.normal(size=100),
            "const": np.ones(100),
            "cat_null": ["a"] * 100,
            "ok": rng.normal(size=100),
        }
    )
    report = compare(ref, cur)
    for name in ("empty", "nan", "cat_null"):
        col = report.column(name)
        assert col.status == "skipped", name
        assert col.note is not None
        assert "no usable values in the reference" in col.note
    const = report.column("const")
    assert const.status == "tested"
    assert not const.drift
    assert const.note is not None
    assert "single value" in const.note
    # Nothing in the JSON is NaN: it must parse strictly.
    doc = json.loads(report.to_json(), parse_constant=lambda c: pytest.fail(f"JSON has {c}"))
    assert doc["tested_columns"] == 2


def test_nan_and_infinity_are_counted_not_dropped_silently(rng: np.random.Generator) -> None:
    values = np.r_[rng.normal(size=95), [np.nan] * 3, [np.inf, -np.inf]]
    report = compare(pa.table({"x": values}), pa.table({"x": values}))
    ref = report.column("x").reference
    assert ref is not None
    assert (ref.rows, ref.nans, ref.infinities) == (100, 3, 2)
    assert ref.mean is not None
    assert math.isfinite(ref.mean)


def test_columns_only_on_one_side_are_noted(rng: np.random.Generator) -> None:
    ref = pa.table({"x": rng.normal(size=50), "old": rng.normal(size=50)})
    cur = pa.table({"x": rng.normal(size=50), "new": rng.normal(size=50)})
    report = compare(ref, cur)
    assert [c.name for c in report.columns] == ["x"]
    assert "only in the reference, not compared: old" in report.notes
    assert "only in the current, not compared: new" in report.notes


def test_inapplicable_method_falls_back_with_a_note(rng: np.random.Generator) -> None:
    ref = pa.table({"x": rng.normal(size=200), "c": rng.choice(list("ab"), 200)})
    report = compare(ref, ref, method="ks")
    c = report.column("c")
    assert c.method == "chisquare"
    assert c.note is not None
    assert "'ks' does not apply to categorical" in c.note


def test_kinds_cannot_change_after_profiling_and_corrections_are_checked(
    rng: np.random.Generator,
) -> None:
    from smokejumper.stats.dataset import profile

    t = pa.table({"x": rng.integers(0, 3, 100)})
    with pytest.raises(InputError, match="profiled as numeric"):
        compare(profile(t), t, kinds={"x": "categorical"})
    assert compare(t, t, kinds={"x": "categorical"}).column("x").method == "chisquare"
    with pytest.raises(InputError, match="unknown correction 'fdr'"):
        compare(t, t, correction="fdr")
