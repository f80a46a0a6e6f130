"""``smokejumper incident diagnose ID``: diagnose an incident on a running server and print
its ranked hypotheses (Rich table: rank, confidence, category, label, cause, what moved the
score, next step, mitigation), or the diagnosis as JSON."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import typer
from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from smokejumper.cli.admin import FORMAT_HELP, admin_client, check_format, emit
from smokejumper.cli.incidents import incident_app


def hypotheses_table(diagnosis: Mapping[str, Any]) -> Group:
    """The ranked hypotheses as a table, with the diagnosis's summary above it.

    >>> from rich.console import Console
    >>> h = {"rank": 1, "confidence": 0.93, "category": "data", "label": "data_quality",
    ...      "title": "etl/f wrote 950 rows", "points": 3.9, "next_step": "compare runs",
    ...      "mitigation": "quarantine v4", "id": "H-1",
    ...      "contributions": [{"collector": "lineage", "kind": "run", "points": 1.8}]}
    >>> console = Console(width=200, color_system=None)
    >>> with console.capture() as out:
    ...     console.print(hypotheses_table({"incident_id": "INC-1", "hypotheses": [h]}))
    >>> "etl/f wrote 950 rows" in out.get() and "lineage +1.8" in out.get()
    True
    """
    title = f"Hypotheses for {diagnosis.get('incident_id', '')}"
    table = Table(title=title, title_justify="left", show_lines=True)
    for column in (
        "#",
        "confidence",
        "category",
        "label",
        "cause",
        "moved by",
        "next step",
        "mitigation",
    ):
        table.add_column(column, overflow="fold")
    for h in diagnosis.get("hypotheses") or []:
        moved = ", ".join(
            f"{c['collector']} {float(c['points']):+.1f}" for c in h.get("contributions") or []
        )
        table.add_row(
            str(h["rank"]),
            f"{float(h['confidence']):.0%} ({float(h['points']):.1f} pts)",
            str(h["category"]),
            str(h["label"]),
            escape(f"{h['title']} [{h['id']}]"),
            escape(moved),
            escape(str(h.get("next_step") or "")),
            escape(str(h.get("mitigation") or "")),
        )
    parts: list[Any] = []
    if diagnosis.get("summary"):
        parts.append(Text(str(diagnosis["summary"])))
    if not diagnosis.get("hypotheses"):
        parts.append(Text(str(diagnosis.get("reason") or "no candidate cause was found")))
    failed = diagnosis.get("failed") or {}
    if failed:
        parts.append(Text("collectors that failed: " + ", ".join(sorted(failed))))
    return Group(*parts, table)


@incident_app.command("diagnose")
def diagnose(
    incident_id: str,
    lookback_hours: Annotated[
        float | None, typer.Option(help="hours before the onset to look (default 24)")
    ] = None,
    show: Annotated[
        bool, typer.Option("--show", help="print the latest diagnosis without running a new one")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", help=FORMAT_HELP)] = "table",
) -> None:
    """Diagnose the incident now and print its ranked hypotheses."""
    check_format(fmt)
    with admin_client() as admin:
        found = (
            admin.hypotheses(incident_id)
            if show
            else admin.diagnose(incident_id, lookback_hours=lookback_hours)
        )
    emit(found, fmt, hypotheses_table)
