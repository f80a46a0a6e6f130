"""The verdict rule: no false alarms at 1M rows, material shifts caught at 1k rows."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from smokejumper.stats.compare import compare


def _frame(
    rng: np.random.Generator, rows: int, shift: float, cat_p: list[float], flag_p: float
) -> pa.Table:
    return pa.table(
        {
            **{f"n{i}": rng.normal(shift if i < 2 else 0.0, 1.0, rows) for i in range(6)},
            "cat": rng.choice(list("abcd"), rows, p=cat_p),
            "flag": rng.random(rows) < flag_p,
        }
    )


def test_unchanged_columns_are_not_flagged_at_a_million_rows(rng: np.random.Generator) -> None:
    base = [0.4, 0.3, 0.2, 0.1]
    ref = _frame(rng, 1_000_000, 0.0, base, 0.2)
    cur = _frame(rng, 1_000_000, 0.0, base, 0.2)
    report = compare(ref, cur)
    assert report.drifted_columns == 0, report.to_markdown()
    # Large samples make even tiny differences "significant"; the effect size keeps them quiet.
    assert all(c.effect_size is not None and c.effect_size < 0.01 for c in report.columns)


def test_tiny_real_shift_at_a_million_rows_is_significant_but_not_drift(
    rng: np.random.Generator,
) -> None:
    ref = pa.table({"x": rng.normal(size=1_000_000)})
    cur = pa.table({"x": rng.normal(0.02, 1.0, size=1_000_000)})
    col = compare(ref, cur).column("x")
    assert col.p_value_adjusted is not None
    assert col.p_value_adjusted < 1e-6
    assert not col.drift


def test_material_shifts_are_flagged_at_a_thousand_rows(rng: np.random.Generator) -> None:
    ref = _frame(rng, 1000, 0.0, [0.4, 0.3, 0.2, 0.1], 0.2)
    cur = _frame(rng, 1000, 0.5, [0.2, 0.3, 0.2, 0.3], 0.4)
    report = compare(ref, cur)
    drifted = {c.name for c in report.columns if c.drift}
    assert drifted == {"n0", "n1", "cat", "flag"}, report.to_markdown()
    assert report.share_drifted == 4 / 8
    assert report.dataset_drift  # at the default share of 0.5


def test_drift_share_threshold_decides_dataset_drift(rng: np.random.Generator) -> None:
    ref = _frame(rng, 2000, 0.0, [0.25] * 4, 0.2)
    cur = _frame(rng, 2000, 0.6, [0.25] * 4, 0.2)
    assert not compare(ref, cur, drift_share=0.5).dataset_drift  # 2 of 8
    assert compare(ref, cur, drift_share=0.25).dataset_drift


def test_per_column_method_and_threshold(rng: np.random.Generator) -> None:
    ref = _frame(rng, 2000, 0.0, [0.25] * 4, 0.2)
    cur = _frame(rng, 2000, 0.3, [0.25] * 4, 0.2)
    report = compare(ref, cur, method={"n0": "ks", "cat": "psi"}, thresholds={"n1": 0.5})
    assert report.column("n0").method == "ks"
    assert report.column("cat").method == "psi"
    assert report.column("n2").method == "wasserstein"
    assert report.column("n1").threshold == 0.5
    assert not report.column("n1").drift


def test_default_catches_small_moves_of_location_and_spread(rng: np.random.Generator) -> None:
    rows = 200_000
    ref = pa.table({c: rng.normal(size=rows) for c in ("mean", "scale", "same")})
    cur = pa.table(
        {
            "mean": rng.normal(0.2, 1.0, rows),  # a fifth of a standard deviation
            "scale": rng.normal(0.0, 1.2, rows),  # 20 % wider, same centre
            "same": rng.normal(size=rows),
        }
    )
    report = compare(ref, cur)
    assert [c.drift for c in report.columns] == [True, True, False]
    assert {c.method for c in report.columns} == {"wasserstein"}
