"""Terminal output shared by commands: the Rich drift table and writing reports to files."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from smokejumper.report.format import fmt, p_fmt, verdict
from smokejumper.stats.report import ColumnDrift, DriftReport

FORMATS = ("table", "json", "markdown", "html")
_STYLE = {
    "DRIFT": "bold red",
    "BROKEN": "bold white on red",
    "ERROR": "bold magenta",
    "skipped": "dim",
    "ok": "green",
}


#: Below this terminal width the notes go under the table instead of into a column.
WIDE = 130


def drift_table(report: DriftReport, *, notes: bool = True) -> Table:
    """The report as a Rich table, one row per column (with a note column unless told not)."""
    title = (
        f"[bold red]Dataset drift[/]: {report.drifted_columns}/{report.tested_columns} columns"
        if report.dataset_drift
        else f"No dataset drift: {report.drifted_columns}/{report.tested_columns} columns drifted"
    )
    if report.quality_failed:
        title += f"; [bold red]broken pipeline[/]: {', '.join(report.broken_columns)}"
    table = Table(title=title, title_justify="left")
    for header in ("column", "kind", "verdict", "method"):
        table.add_column(header, no_wrap=True)
    for header in ("p (adj.)", "effect", "limit"):
        table.add_column(header, justify="right", no_wrap=True)
    if notes:
        table.add_column("note", overflow="fold", ratio=1)
    for c in report.columns:
        word = verdict(c.drift, c.status, bool(c.quality))
        effect = fmt(c.effect_size) + (f" ±{fmt(c.bound, 2)}" if c.bound else "")
        cells = [
            c.name,
            c.kind,
            f"[{_STYLE[word]}]{word}[/]",
            c.method or "-",
            p_fmt(c.p_value_adjusted),
            effect,
            fmt(c.limit),
        ]
        table.add_row(*cells, *([column_note(c)] if notes else []))
    return table


def column_note(c: ColumnDrift) -> str:
    """A column's quality findings, then its note."""
    return "; ".join([*(f.message for f in c.quality), *([c.note] if c.note else [])])


def render(report: DriftReport, fmt_name: str) -> str:
    """The report in a file format (json, markdown or html)."""
    if fmt_name == "json":
        return report.to_json()
    if fmt_name == "markdown":
        return report.to_markdown()
    return report.to_html()


def print_report(report: DriftReport, console: Console) -> None:
    """Print the report's table, multivariate result and notes to the terminal."""
    wide = console.width >= WIDE
    console.print(drift_table(report, notes=wide))
    if not wide:
        for c in report.columns:
            if c.note or c.quality:
                console.print(f"[dim]{c.name}: {column_note(c)}[/]", highlight=False)
    for finding in report.schema_changes:
        console.print(f"[bold red]BROKEN[/] {finding.column}: {finding.message}", highlight=False)
    if report.multivariate is not None:
        m = report.multivariate
        word = "[bold red]DRIFT[/]" if m.drift else "no drift"
        console.print(f"multivariate: AUC {m.auc:.3f}, p {p_fmt(m.p_value)}: {word}")
    for note in report.notes:
        console.print(f"[dim]note: {note}[/]")


def write_text(path: Path, text: str) -> None:
    """Write a file atomically, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
