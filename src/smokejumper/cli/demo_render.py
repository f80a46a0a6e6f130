"""The tables of the service part of ``smokejumper demo``: windows, unhealthy observations and
SLOs, drawn with Rich from the API's answers.

>>> window_label("2026-01-01T05:00:00+00:00", "2026-01-01T06:00:00+00:00")
'05:00-06:00'
>>> bounds({"name": "acc", "min": 0.7}), bounds({"name": "nulls", "max": 0.05}), bounds({})
('>= 0.7', '<= 0.05', '-')
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from rich.markup import escape as rich_escape
from rich.panel import Panel
from rich.table import Table

from smokejumper.client.api_types import Observation, SloStatus, WindowSummary


def _hhmm(iso: str) -> str:
    """``HH:MM`` (UTC) of an ISO 8601 time."""
    return datetime.fromisoformat(iso).astimezone(UTC).strftime("%H:%M")


def window_label(start: str, end: str) -> str:
    """A window as ``HH:MM-HH:MM`` (UTC)."""
    return f"{_hhmm(start)}-{_hhmm(end)}"


def windows_table(model: str, windows: Sequence[WindowSummary]) -> Table:
    """Rows, missing credit scores and the drift verdict of every window of ``model``."""
    table = Table(title=f"Hourly windows of model '{model}' (UTC)", title_justify="left")
    table.add_column("window")
    table.add_column("rows", justify="right")
    table.add_column("credit_score null", justify="right")
    table.add_column("drift against the reference")
    for w in windows:
        missing = (w["nulls"] or {}).get("credit_score", 0) / max(w["rows"], 1)
        columns = w["drift"]["columns"] if w["drift"] is not None else []
        drifted = [c["name"] for c in columns if c["drift"]]
        if drifted:
            verdict = f"[bold red]DRIFT[/] {len(drifted)}/{len(columns)}: {', '.join(drifted)}"
        else:
            verdict = f"[green]none[/] (0/{len(columns)})" if columns else "no reference"
        table.add_row(
            window_label(w["start"], w["end"]),
            f"{w['rows']:,}",
            f"[red]{missing:.1%}[/]" if missing > 0.05 else f"{missing:.1%}",
            verdict,
        )
    return table


def bounds(monitor: Mapping[str, Any]) -> str:
    """A monitor's healthy range, as declared."""
    parts = [
        f">= {monitor['min']:g}" if "min" in monitor else "",
        f"<= {monitor['max']:g}" if "max" in monitor else "",
    ]
    return " and ".join(p for p in parts if p) or "-"


def _finding(observation: Observation) -> str:
    """What an observation's details say, in a few words."""
    details = observation["details"]
    if isinstance(details.get("columns"), dict):
        drifted = details["columns"].items()
        return ", ".join(f"{n} {c['effect_size']:.2f}" for n, c in drifted if c.get("drift"))
    if "labelled" in details:
        return f"{details['labelled']:,} labelled"
    if "column" in details:
        return f"column {details['column']}"
    return ""


def observations_table(
    observations: Sequence[Observation], monitors: Sequence[Mapping[str, Any]]
) -> Table:
    """The unhealthy observations, oldest window first, with the healthy range of their
    monitor among the declared ``monitors``."""
    declared = {m["name"]: m for m in monitors}
    table = Table(title="Unhealthy observations", title_justify="left")
    for column in ("window", "monitor", "value", "healthy", "detail"):
        table.add_column(column, justify="right" if column == "value" else "left")
    for o in observations:
        if o["healthy"] is False:
            table.add_row(
                window_label(o["window_start"], o["window_end"]),
                f"[red]{o['monitor']}[/]",
                f"{o['value']:.3g}",
                bounds(declared.get(o["monitor"], {})),
                _finding(o),
            )
    return table


def slo_table(slos: Sequence[SloStatus]) -> Table:
    """Each SLO's state, bad windows, error budget left and fastest burn rate."""
    table = Table(title="SLOs (multi-window burn-rate alerts)", title_justify="left")
    for column in ("SLO", "objective", "bad windows", "budget left", "burn", "state"):
        table.add_column(column, no_wrap=column == "SLO")
    colours = {"ok": "green", "ticket": "yellow", "page": "bold red"}
    for s in slos:
        burn = max((c["long_burn_rate"] or 0.0 for c in s["conditions"]), default=0.0)
        state = s["state"]
        table.add_row(
            f"{s['name']}\n[dim]on {s['monitor']}[/]",
            f"{s['objective']:.0%}",
            f"{s['unhealthy_windows']} of {s['windows']}",
            f"{s['error_budget_remaining']:,.0%}",
            f"{burn:.0f}x",
            f"[{colours.get(state, 'white')}]{state}[/]",
        )
    return table


def slack_panel(message: Mapping[str, Any], where: str) -> Panel:
    """A Slack Block Kit message as the channel would show it (header, sections, context,
    link buttons), in a panel titled ``where``."""

    def escape(text: str) -> str:  # Slack's mrkdwn escapes &, < and >; Rich's markup is [
        return rich_escape(html.unescape(text))

    lines: list[str] = []
    for block in message.get("blocks", []):
        kind = block.get("type")
        if kind == "header":
            lines.append(f"[bold]{escape(block['text']['text'])}[/]")
        elif kind == "section":
            lines.append(escape(block["text"]["text"]).replace("*", ""))
        elif kind == "context":
            lines.append(f"[dim]{' '.join(escape(e['text']) for e in block['elements'])}[/]")
        elif kind == "divider":
            lines.append("[dim]" + "─" * 40 + "[/]")
        elif kind == "actions":
            lines.append(
                "  ".join(
                    f"[link={e['url']}][underline]{escape(e['text']['text'])}[/][/link]"
                    for e in block["elements"]
                    if "url" in e
                )
            )
    return Panel("\n".join(lines), title=where, title_align="left", expand=False)
