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
