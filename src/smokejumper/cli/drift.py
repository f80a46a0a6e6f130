"""``smokejumper drift REFERENCE CURRENT``: the drift report between two files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from smokejumper.cli.console import make_console
from smokejumper.cli.output import FORMATS, print_report, render, write_text
from smokejumper.errors import InputError
from smokejumper.stats.report import DriftReport


def _split(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def _kinds(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, kind = pair.partition("=")
        if not sep:
            raise InputError(f"--kind takes COLUMN=KIND, got {pair!r}")
        out[name.strip()] = kind.strip()
    return out


#: What ``--fail-on`` can fail the run on.
FAIL_ON = ("quality", "drift", "any", "none")


def failures(report: DriftReport, fail_on: str) -> list[str]:
    """Why the run fails under ``--fail-on`` (nothing when it passes), naming the columns."""
    reasons = []
    if fail_on in {"quality", "any"} and report.quality_failed:
        reasons.append(
            "quality problems (a broken pipeline) in column(s) " + ", ".join(report.broken_columns)
        )
    if fail_on in {"drift", "any"} and report.dataset_drift:
        names = ", ".join(report.drifted_column_names) or "(multivariate)"
        reasons.append(f"dataset drift; drifted column(s): {names}")
    return reasons


def run_compare(reference: str, current: str, console: Console, **options: object) -> DriftReport:
    """Compare with a transient progress bar over columns on the terminal."""
    # Imported here: the drift methods load scipy, which the other commands do not need.
    from smokejumper.stats.compare import compare

    with Progress(
        TextColumn("comparing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task("columns", total=None)
        return compare(
            reference,
            current,
            progress=lambda _: bar.advance(task),
            **options,  # type: ignore[arg-type]
        )


def drift(
    reference: Annotated[str, typer.Argument(help="Reference data: .parquet, .csv or .profile")],
    current: Annotated[str, typer.Argument(help="Current data: .parquet, .csv or .profile")],
    format: Annotated[
        str, typer.Option("--format", "-f", help=f"One of {', '.join(FORMATS)}")
    ] = "table",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report here")
    ] = None,
    columns: Annotated[str | None, typer.Option(help="Only these columns, comma-separated")] = None,
    exclude: Annotated[
        str | None, typer.Option(help="Leave these columns out, comma-separated")
    ] = None,
    method: Annotated[str | None, typer.Option(help="One drift method for every column")] = None,
    kind: Annotated[list[str], typer.Option(help="Override a kind: COLUMN=KIND (repeatable)")] = [],  # noqa: B006 - Typer reads the default, never mutates it
    alpha: Annotated[float, typer.Option(help="Significance level")] = 0.05,
    correction: Annotated[str, typer.Option(help="holm, bh, bonferroni or none")] = "holm",
    drift_share: Annotated[
        float, typer.Option(help="Share of drifted columns that is dataset drift")
    ] = 0.5,
    multivariate: Annotated[bool, typer.Option(help="Also run the domain classifier")] = False,
    encoding: Annotated[
        str | None, typer.Option(help="Text encoding of CSV files (default UTF-8), e.g. latin-1")
    ] = None,
    fail_on: Annotated[
        str,
        typer.Option(
            help="Exit 1 on: quality (a broken pipeline: missing values, absent or empty "
            "columns, one value taking over), drift (dataset drift), any, or none"
        ),
    ] = "quality",
    fail_on_drift: Annotated[
        bool, typer.Option(help="Exit 1 on dataset drift or a quality finding (--fail-on any)")
    ] = False,
) -> None:
    """Compare CURRENT with REFERENCE column by column and report what drifted."""
    if format not in FORMATS:
        raise InputError(f"unknown --format {format!r}; use one of {', '.join(FORMATS)}")
    if fail_on not in FAIL_ON:
        raise InputError(f"unknown --fail-on {fail_on!r}; use one of {', '.join(FAIL_ON)}")
    if format == "table" and output is not None:
        format = {".json": "json", ".md": "markdown", ".html": "html"}.get(output.suffix, "json")
    console = make_console(stderr=format != "table")
    report = run_compare(
        reference,
        current,
        console,
        columns=_split(columns),
        exclude=_split(exclude) or (),
        method=method,
        kinds=_kinds(kind),
        alpha=alpha,
        correction=correction,
        drift_share=drift_share,
        multivariate=multivariate,
        encoding=encoding,
    )
    if format == "table":
        print_report(report, console)
    elif output is None:
        typer.echo(render(report, format))
    else:
        write_text(output, render(report, format))
        console.print(f"wrote {format} report to {output}")
    reasons = failures(report, "any" if fail_on_drift else fail_on)
    for reason in reasons:
        make_console(stderr=True).print(f"[bold red]failed[/]: {reason}", highlight=False)
    if reasons:
        raise typer.Exit(1)
