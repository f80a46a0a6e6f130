"""Vega-Lite specifications of the report's charts (plain dicts, no I/O).

>>> from smokejumper.stats.report import Histogram
>>> spec = distribution_chart("age", Histogram(["a", "b"], [0.5, 0.5], [0.2, 0.8]))
>>> spec["mark"]["type"], len(spec["data"]["values"])
('bar', 4)
"""

from __future__ import annotations

from typing import Any

from smokejumper.stats.report import ColumnDrift, Histogram

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
COLORS = {"reference": "#8c8c8c", "current": "#d9480f"}


def distribution_chart(name: str, histogram: Histogram) -> dict[str, Any]:
    """Reference and current shares per bin, side by side."""
    values = [
        {"bin": label, "order": i, "side": side, "share": share}
        for side, shares in (("reference", histogram.reference), ("current", histogram.current))
        for i, (label, share) in enumerate(zip(histogram.labels, shares, strict=True))
    ]
    return {
        "$schema": SCHEMA,
        "title": f"{name}: share of rows per bin",
        "width": 520,
        "height": 180,
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": {
            "x": {
                "field": "bin",
                "type": "ordinal",
                "sort": {"field": "order"},
                "title": None,
                "axis": {"labelAngle": -35, "labelLimit": 120},
            },
            "xOffset": {"field": "side"},
            "y": {"field": "share", "type": "quantitative", "axis": {"format": "%"}},
            "color": {
                "field": "side",
                "scale": {"domain": list(COLORS), "range": list(COLORS.values())},
                "title": None,
            },
            "tooltip": [
                {"field": "bin"},
                {"field": "side"},
                {"field": "share", "format": ".2%"},
            ],
        },
    }


def effect_chart(columns: list[ColumnDrift]) -> dict[str, Any]:
    """Each tested column's effect size as a share of its threshold."""
    values = [
        {"column": c.name, "ratio": c.effect_size / c.threshold, "drift": c.drift}
        for c in columns
        if c.status == "tested" and c.effect_size is not None and c.threshold
    ]
    return {
        "$schema": SCHEMA,
        "title": "Effect size / threshold (1 = threshold)",
        "width": 520,
        "height": {"step": 16},
        "data": {"values": values},
        "layer": [
            {
                "mark": "bar",
                "encoding": {
                    "y": {"field": "column", "type": "nominal", "sort": "-x", "title": None},
                    "x": {"field": "ratio", "type": "quantitative", "title": None},
                    "color": {
                        "field": "drift",
                        "scale": {"domain": [False, True], "range": ["#8c8c8c", "#d9480f"]},
                    },
                },
            },
            {"mark": {"type": "rule", "strokeDash": [4, 4]}, "encoding": {"x": {"datum": 1}}},
        ],
    }
