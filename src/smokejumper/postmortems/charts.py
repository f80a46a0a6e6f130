"""Supporting charts: each monitor that fired, its values by window around the onset, as a
Vega-Lite spec (one spec, rendered to SVG for HTML and to PNG for PDF by vl-convert).

>>> from datetime import UTC, datetime
>>> from smokejumper.postmortems.facts import Point, Series
>>> t = datetime(2026, 11, 1, 3, tzinfo=UTC)
>>> s = Series("churn", "income-nulls", "null_share", (Point(t, 0.4, False),))
>>> spec = chart_spec(s, t)
>>> spec["layer"][0]["mark"]["type"], spec["data"]["values"][0]["verdict"]
('line', 'unhealthy')
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from smokejumper.postmortems.facts import Series


def chart_spec(series: Series, onset: datetime | None) -> dict[str, Any]:
    """The Vega-Lite spec of ``series``: the value by window, unhealthy windows in red, and
    a rule at ``onset``."""
    values = [
        {
            "window": p.at.isoformat(),
            "value": p.value,
            "verdict": "unknown"
            if p.healthy is None
            else ("healthy" if p.healthy else "unhealthy"),
        }
        for p in series.points
    ]
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "line", "color": "#888"},
            "encoding": {
                "x": {"field": "window", "type": "temporal", "title": "window (UTC)"},
                "y": {"field": "value", "type": "quantitative", "title": series.kind},
            },
        },
        {
            "mark": {"type": "point", "filled": True, "size": 50},
            "encoding": {
                "x": {"field": "window", "type": "temporal"},
                "y": {"field": "value", "type": "quantitative"},
                "color": {
                    "field": "verdict",
                    "type": "nominal",
                    "scale": {
                        "domain": ["healthy", "unhealthy", "unknown"],
                        "range": ["#2a9d8f", "#d62828", "#999999"],
                    },
                },
            },
        },
    ]
    if onset is not None:
        layers.append(
            {
                "data": {"values": [{"onset": onset.isoformat()}]},
                "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#d62828"},
                "encoding": {"x": {"field": "onset", "type": "temporal"}},
            }
        )
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": f"{series.model} / {series.monitor}",
        "width": 520,
        "height": 160,
        "data": {"values": values},
        "layer": layers,
    }


def chart_svg(series: Series, onset: datetime | None) -> str:
    """``series``'s chart as SVG (vl-convert, offline)."""
    import vl_convert  # heavy: loaded when a chart is drawn

    return str(vl_convert.vegalite_to_svg(json.dumps(chart_spec(series, onset))))


def chart_png(series: Series, onset: datetime | None, scale: float = 2.0) -> bytes:
    """``series``'s chart as PNG (for the PDF)."""
    import vl_convert

    return bytes(vl_convert.vegalite_to_png(json.dumps(chart_spec(series, onset)), scale=scale))
