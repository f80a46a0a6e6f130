"""Self-contained HTML rendering: inline SVG charts, inline CSS, no network access needed."""

from __future__ import annotations

import json
from typing import Any

import jinja2

from smokejumper.report.charts import distribution_chart, effect_chart
from smokejumper.report.format import fmt, limit_fmt, p_fmt, verdict
from smokejumper.stats.report import DriftReport

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("smokejumper.report", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
)
_ENV.filters.update(fmt=fmt, p_fmt=p_fmt)
_ENV.globals["limit_fmt"] = limit_fmt
_ENV.globals["verdict"] = verdict


def svg(spec: dict[str, Any]) -> str:
    """Render a Vega-Lite spec to SVG text (offline, with vl-convert)."""
    import vl_convert

    return str(vl_convert.vegalite_to_svg(json.dumps(spec)))


def render_html(report: DriftReport) -> str:
    """The whole report as one HTML file: summary first, then every drifted column's charts."""
    drifted = [c for c in report.columns if c.drift and c.histogram is not None]
    charts = {c.name: svg(distribution_chart(c.name, c.histogram)) for c in drifted if c.histogram}
    overview = svg(effect_chart(report.columns)) if report.tested_columns else ""
    return _ENV.get_template("report.html.j2").render(
        report=report, drifted=drifted, charts=charts, overview=overview
    )
