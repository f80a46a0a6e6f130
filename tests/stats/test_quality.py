"""Breakage, not drift: missing values, absent or empty columns, one value taking over."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa

from smokejumper.stats.compare import compare, verdicts
from smokejumper.stats.dataset import profile


def _base(rng: np.random.Generator, rows: int) -> dict[str, object]:
    return {
        "a": rng.normal(size=rows),
        "b": rng.normal(size=rows),
        "c": rng.choice(["u", "v", "w"], rows),
        "d": rng.exponential(size=rows),
        "e": rng.integers(0, 100, rows),
        "f": rng.normal(size=rows),
    }


def test_a_feature_half_missing_is_breakage_even_when_nothing_drifts(
    rng: np.random.Generator,
) -> None:
    ref = pa.table(_base(rng, 4000))
    cur_cols = _base(rng, 4000)
    cur_cols["a"] = pa.array(cur_cols["a"], mask=rng.random(4000) < 0.5)
    report = compare(ref, pa.table(cur_cols))
    assert report.drifted_column_count == 0
    assert not report.dataset_drift
    assert report.quality_failed
    assert report.broken_columns == ["a"]
    (finding,) = report.quality_findings
    assert finding.check == "missing_share"
    assert finding.message.startswith("missing values moved from 0.0% to 4")
    a = report.column("a")
    assert a.missing_share is not None
    assert a.missing_share.material
    doc = json.loads(report.to_json())
    assert doc["quality_failed"] is True
    assert doc["broken_columns"] == ["a"]
    assert doc["quality"][0]["check"] == "missing_share"
    assert doc["columns"][0]["missing_share"]["material"] is True


def test_a_small_move_in_missing_values_at_a_million_rows_is_not_an_alarm(
    rng: np.random.Generator,
) -> None:
    rows = 1_000_000
    values = rng.normal(size=rows)
    ref = pa.table({"x": pa.array(values, mask=rng.random(rows) < 0.010)})
    cur = pa.table({"x": pa.array(rng.normal(size=rows), mask=rng.random(rows) < 0.012)})
    col = compare(ref, cur).column("x")
    assert col.missing_share is not None
    assert col.missing_share.p_value < 1e-6  # significant, but small: h about 0.02
    assert col.missing_share.effect_size < 0.03
    assert not col.missing_share.material
    assert col.quality == ()


def test_a_jump_in_missing_values_is_a_finding(rng: np.random.Generator) -> None:
    values = rng.normal(size=4000)
    ref = pa.table({"x": pa.array(values, mask=rng.random(4000) < 0.02)})
    cur = pa.table({"x": pa.array(values, mask=rng.random(4000) < 0.10)})
    col = compare(ref, cur).column("x")
    assert [f.check for f in col.quality] == ["missing_share"]
    assert "missing values moved from 2" in col.quality[0].message
    assert compare(ref, ref).column("x").quality == ()


def test_an_entirely_null_column_is_breakage(rng: np.random.Generator) -> None:
    ref = pa.table({"x": rng.normal(size=500), "y": rng.normal(size=500)})
    cur = pa.table({"x": pa.nulls(500, pa.float64()), "y": rng.normal(size=500)})
    report = compare(ref, cur)
    assert report.column("x").status == "skipped"
    assert [(f.column, f.check) for f in report.quality_findings] == [("x", "no_values")]
    both_null = compare(cur, cur, columns=["x"])
    assert not both_null.quality_failed  # always empty: nothing broke


def test_a_column_missing_on_either_side_is_breakage(rng: np.random.Generator) -> None:
    ref = pa.table({"x": rng.normal(size=300), "gone": rng.normal(size=300)})
    cur = pa.table({"x": rng.normal(size=300), "new": rng.normal(size=300)})
    report = compare(ref, cur)
    assert [(f.column, f.check) for f in report.quality_findings] == [
        ("gone", "column_missing"),
        ("new", "column_added"),
    ]
    assert report.broken_columns == ["gone", "new"]
    assert json.loads(report.to_json())["quality"][1]["column"] == "new"


def test_a_changed_type_is_breakage(rng: np.random.Generator) -> None:
    ref = pa.table({"x": rng.normal(size=300)})
    cur = pa.table({"x": [str(v) for v in rng.normal(size=300)]})
    report = compare(ref, cur, columns=["x"])
    assert [f.check for f in report.quality_findings] == ["type_changed"]
    assert "--kind x=numeric" in (report.column("x").note or "")


def test_default_values_filled_in_by_a_broken_join_are_breakage(
    rng: np.random.Generator,
) -> None:
    rows = 3000
    ref = pa.table(_base(rng, rows))
    broken = rng.random(rows) < 0.4
    cur_cols = _base(rng, rows)
    cur_cols["a"] = np.where(broken, 0.0, cur_cols["a"])  # zero-fill
    cur_cols["e"] = np.where(broken, -1, cur_cols["e"])  # a default of -1
    cur_cols["c"] = np.where(broken, "", cur_cols["c"])  # an empty string
    cur_cols["f"] = np.full(rows, 0.731)  # a frozen feed
    report = compare(ref, pa.table(cur_cols))
    spikes = {f.column: f.message for f in report.quality_findings if f.check == "value_spike"}
    assert set(spikes) == {"a", "c", "e", "f"}, report.quality_findings
    assert "'0'" in spikes["a"]
    assert "'-1'" in spikes["e"]
    assert "''" in spikes["c"]
    assert report.column("f").top_value is not None
    assert report.column("f").top_value.current == 1.0
    # Four columns of six drifted here, but one broken column would do: see the next test.
    only_one = _base(rng, rows)
    only_one["a"] = np.where(broken, 0.0, only_one["a"])
    one = compare(ref, pa.table(only_one))
    assert not one.dataset_drift
    assert one.broken_columns == ["a"]


def test_an_ordinary_category_move_stays_drift(rng: np.random.Generator) -> None:
    ref = pa.table({"c": rng.choice(list("abcd"), 5000, p=[0.4, 0.2, 0.2, 0.2])})
    cur = pa.table({"c": rng.choice(list("abcd"), 5000, p=[0.2, 0.4, 0.2, 0.2])})
    report = compare(ref, cur)
    assert report.column("c").drift
    assert not report.quality_failed


def test_unchanged_data_has_no_findings(rng: np.random.Generator) -> None:
    for rows in (200, 2000):
        cols = _base(rng, rows)
        cols["a"] = pa.array(cols["a"], mask=rng.random(rows) < 0.1)
        again = _base(rng, rows)
        again["a"] = pa.array(again["a"], mask=rng.random(rows) < 0.1)
        report = compare(pa.table(cols), pa.table(again))
        assert not report.quality_failed, report.quality_findings


def test_findings_survive_a_second_round_of_verdicts(rng: np.random.Generator) -> None:
    """The service's monitors re-judge subsets of a report's columns with ``verdicts``."""
    ref = profile(pa.table({"x": rng.normal(size=2000), "y": rng.normal(size=2000)}))
    cur_x = pa.array(rng.normal(size=2000), mask=rng.random(2000) < 0.3)
    cur = profile(pa.table({"x": cur_x, "y": rng.normal(size=2000)}), reference=ref)
    report = compare(ref, cur)
    assert report.broken_columns == ["x"]
    again = verdicts(report.columns, report.alpha, report.correction)
    assert again == report.columns
    alone = verdicts([report.column("x")], report.alpha, report.correction)
    assert [f.check for f in alone[0].quality] == ["missing_share"]


def test_a_zero_filled_window_is_breakage_from_profiles(rng: np.random.Generator) -> None:
    """As the service sees it: a window's profile on the reference's bins."""
    reference = profile(pa.table({"x": rng.normal(size=20_000), "y": rng.normal(size=20_000)}))
    x = rng.normal(size=300)
    x[rng.random(300) < 0.4] = 0.0
    window = profile(pa.table({"x": x, "y": rng.normal(size=300)}), reference=reference)
    report = compare(reference, window)
    (finding,) = report.quality_findings
    assert (finding.column, finding.check) == ("x", "value_spike")
    assert finding.message.startswith("values in (")
    top = report.column("x").top_value
    assert top is not None
    assert top.interval
    assert top.current > 0.35
    # A frozen feed sitting on a bin edge is named by its value.
    edge = float(reference.columns["y"].binning.edges[25])
    frozen = profile(
        pa.table({"x": rng.normal(size=300), "y": np.full(300, edge)}), reference=reference
    )
    (finding,) = compare(reference, frozen).quality_findings
    assert finding.column == "y"
    assert finding.message.startswith("the value '")
    # Clean windows have no finding.
    for _ in range(20):
        clean = profile(
            pa.table({"x": rng.normal(size=200), "y": rng.normal(size=200)}), reference=reference
        )
        assert not compare(reference, clean).quality_failed
