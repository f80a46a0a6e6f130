"""The report's JSON layout (a documented interface), Markdown and self-contained HTML."""

from __future__ import annotations

import json
import re
from pathlib import Path

from smokejumper._version import REPORT_FORMAT_VERSION, __version__
from smokejumper.stats.compare import compare

REQUIRED_COLUMN_FIELDS = {
    "name",
    "kind",
    "method",
    "statistic",
    "p_value",
    "effect_size",
    "threshold",
    "drift",
}


def test_json_has_the_documented_fields(loans: tuple[Path, Path]) -> None:
    doc = json.loads(compare(*loans).to_json())
    assert doc["format"] == "smokejumper.drift-report"
    assert doc["format_version"] == REPORT_FORMAT_VERSION
    assert doc["tool_version"] == __version__
    assert isinstance(doc["dataset_drift"], bool)
    assert doc["drifted_columns"] == sum(c["drift"] for c in doc["columns"])
    assert doc["reference_rows"] == doc["current_rows"] == 3000
    for col in doc["columns"]:
        assert set(col) >= REQUIRED_COLUMN_FIELDS, col["name"]
        assert col["p_value"] is None or 0 <= col["p_value"] <= 1
    drifted = {c["name"] for c in doc["columns"] if c["drift"]}
    assert drifted == {"x", "cat", "flag"}


def test_markdown_lists_every_column(loans: tuple[Path, Path]) -> None:
    md = compare(*loans).to_markdown()
    assert md.startswith("# Drift report")
    for name in ("x", "y", "n", "cat", "flag", "steady"):
        assert re.search(rf"^\| {name} \|", md, re.M), name
    assert "| x | numeric | DRIFT | wasserstein |" in md


def test_html_is_self_contained_with_charts_for_drifted_columns(loans: tuple[Path, Path]) -> None:
    html = compare(*loans).to_html()
    assert html.startswith("<!doctype html>")
    # Offline: no scripts, stylesheets or images fetched from anywhere.
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "<script" not in html
    # Summary first, then one section with an inline SVG chart per drifted column.
    assert html.index("Dataset drift detected") < html.index('<section class="column"')
    assert html.count('<section class="column"') == 3
    assert html.count("<svg") == 4  # three distributions and the effect-size overview


def test_a_verdict_within_its_bound_is_said_in_every_format() -> None:
    """From profiles, an effect size within its bound of the threshold: the JSON flags it, and
    the table's note says it in Markdown and HTML."""
    import numpy as np
    import pyarrow as pa

    from smokejumper.stats.compare import WITHIN_BOUND_NOTE
    from smokejumper.stats.dataset import profile

    rng = np.random.default_rng(3)
    ref = profile(pa.table({"x": rng.normal(size=50_000), "y": rng.normal(size=50_000)}))
    cur = profile(
        pa.table({"x": rng.normal(0.103, 1, 50_000), "y": rng.normal(1, 1, 50_000)}),
        reference=ref,
    )
    report = compare(ref, cur)
    columns = {c["name"]: c for c in json.loads(report.to_json())["columns"]}
    assert columns["x"]["basis"] == "profile"
    assert abs(columns["x"]["effect_size"] - 0.1) <= columns["x"]["bound"]
    assert columns["x"]["within_bound"] is True
    assert columns["y"]["within_bound"] is False  # a shift of 1 sd: far beyond its bound
    md = report.to_markdown()
    [x_row] = [line for line in md.splitlines() if line.startswith("| x |")]
    assert WITHIN_BOUND_NOTE in x_row
    assert WITHIN_BOUND_NOTE not in md.split("| y |")[1]
    assert WITHIN_BOUND_NOTE in report.to_html()
