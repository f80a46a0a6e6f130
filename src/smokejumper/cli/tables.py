"""Rich tables of the server's answers for ``smokejumper model windows|observations``,
``smokejumper slo list`` and ``smokejumper evaluate``. Numbers are rounded for reading here;
``--format json`` gives them as the API answers them.

>>> span("2026-11-30T09:00:00+00:00", "2026-11-30T10:00:00+00:00")
'2026-11-30 09:00-10:00'
>>> budget(-98.99999999999991), budget(0.25), budget(1.0)
('-9,900%', '25%', '100%')
>>> value(0.123456789), value(None), value(12345.678)
('0.1235', '-', '1.235e+04')
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    # Types only: importing smokejumper.client loads httpx, which `--help` does not need.
    from smokejumper.client.api_types import (
        EvaluationSummary,
        Observation,
        SloStatus,
        WindowSummary,
    )

_STATE = {"ok": "green", "ticket": "yellow", "page": "bold red", "no_data": "dim"}


def _utc(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(UTC)


def span(start: str, end: str) -> str:
    """A window as ``YYYY-MM-DD HH:MM-HH:MM`` (UTC; the end's date too when it differs).

    >>> span("2026-11-30T22:00:00+00:00", "2026-11-30T23:00:00+00:00")
    '2026-11-30 22:00-23:00'
    >>> span("2026-11-30T23:00:00+00:00", "2026-12-01T00:00:00+00:00")
    '2026-11-30 23:00-2026-12-01 00:00'
    """
    first, last = _utc(start), _utc(end)
    tail = last.strftime("%H:%M") if last.date() == first.date() else f"{last:%Y-%m-%d %H:%M}"
    return f"{first:%Y-%m-%d %H:%M}-{tail}"


def value(number: float | None) -> str:
    """A monitor's value to 4 significant digits, ``-`` for none."""
    return "-" if number is None else f"{number:.4g}"


def budget(remaining: float) -> str:
    """An error budget left, as a whole percentage (negative once overspent)."""
    return f"{remaining:,.0%}"


def _nulls(window: WindowSummary) -> str:
    """The feature with the largest share of nulls in the window, and that share."""
    nulls = window["nulls"] or {}
    if not nulls or not window["rows"]:
        return "-"
    column, count = max(nulls.items(), key=lambda item: item[1])
    share = count / window["rows"]
    return f"{column} {share:.1%}" if count else "none"


def _drift(window: WindowSummary) -> str:
    drift = window["drift"]
    if drift is None:
        return "[dim]no reference[/]"
    columns = drift["columns"]
    drifted = [c["name"] for c in columns if c["drift"]]
    if not drifted:
        return f"[green]none[/] (0/{len(columns)})"
    return f"[bold red]DRIFT[/] {len(drifted)}/{len(columns)}: {', '.join(drifted)}"


def windows_table(model: str, windows: Sequence[WindowSummary]) -> Table:
    """One row per window of ``model``: rows, rows per version, the feature with most nulls
    and the drift against the reference."""
    table = Table(title=f"Windows of model '{model}' (UTC)", title_justify="left")
    table.add_column("window", no_wrap=True)
    table.add_column("rows", justify="right")
    table.add_column("versions")
    table.add_column("most nulls")
    table.add_column("drift against the reference")
    for w in windows:
        versions = ", ".join(f"{v} {n:,}" for v, n in sorted(w["versions"].items()))
        table.add_row(span(w["start"], w["end"]), f"{w['rows']:,}", versions, _nulls(w), _drift(w))
    if not windows:
        table.caption = "no windows: nothing was logged for this model in this range"
    return table


def _healthy(healthy: bool | None) -> str:
    if healthy is None:
        return "[dim]-[/]"
    return "[green]yes[/]" if healthy else "[bold red]NO[/]"


def finding(details: dict[str, Any]) -> str:
    """What an observation's details say, in a few words.

    >>> finding({"columns": {"age": {"drift": True, "effect_size": 0.31}}})
    'drift: age 0.31'
    >>> finding({"reason": "no rows in the window"})
    'no rows in the window'
    """
    if isinstance(details.get("columns"), dict):
        drifted = [
            f"{name} {c.get('effect_size', 0):.2f}"
            for name, c in details["columns"].items()
            if isinstance(c, dict) and c.get("drift")
        ]
        return f"drift: {', '.join(drifted)}" if drifted else ""
    if "reason" in details:
        return str(details["reason"])
    if "labelled" in details:
        return f"{details['labelled']:,} labelled"
    if "column" in details:
        return f"column {details['column']}"
    return ""


def observations_table(model: str, observations: Sequence[Observation]) -> Table:
    """One row per observation: window, monitor, value, healthy and what the details say."""
    table = Table(title=f"Observations of model '{model}' (UTC)", title_justify="left")
    table.add_column("window", no_wrap=True)
    table.add_column("monitor")
    table.add_column("value", justify="right")
    table.add_column("healthy")
    table.add_column("detail")
    for o in observations:
        table.add_row(
            span(o["window_start"], o["window_end"]),
            o["monitor"],
            value(o["value"]),
            _healthy(o["healthy"]),
            finding(o["details"]),
        )
    if not observations:
        table.caption = "no observations: run 'smokejumper evaluate' once a window has closed"
    return table


def slo_table(slos: Sequence[SloStatus]) -> Table:
    """Each SLO's state, bad windows, error budget left and fastest long-window burn rate."""
    table = Table(title="SLOs", title_justify="left")
    for column in ("SLO", "monitor", "objective", "state", "bad windows", "budget left"):
        table.add_column(column, justify="right" if column == "budget left" else "left")
    table.add_column("burn rate", justify="right")
    for s in slos:
        rates = [c["long_burn_rate"] for c in s["conditions"] if c["long_burn_rate"] is not None]
        table.add_row(
            s["name"],
            s["monitor"],
            f"{s['objective']:.4g}",
            f"[{_STATE.get(s['state'], 'white')}]{s['state']}[/]",
            f"{s['unhealthy_windows']:,} of {s['windows']:,}",
            budget(s["error_budget_remaining"]),
            f"{max(rates):.1f}x" if rates else "-",
        )
    if not slos:
        table.caption = "no SLOs declared (serve --config, or AdminClient.put_slo)"
    return table


def evaluation_table(summary: EvaluationSummary) -> RenderableType:
    """What one evaluation pass did, and its unhealthy observations (a line when none)."""
    said = (
        f"Evaluated {summary['windows']:,} windows: {summary['observations']:,} observations, "
        f"{len(summary['unhealthy']):,} unhealthy"
    )
    if not summary["windows"]:
        return Text(f"{said} (no window was due: a window is evaluated once it has closed)")
    if not summary["unhealthy"]:
        return Text(said)
    table = Table(title=said, title_justify="left")
    table.add_column("unhealthy (monitor@window start)")
    for name in summary["unhealthy"]:
        table.add_row(f"[bold red]{name}[/]")
    return table
