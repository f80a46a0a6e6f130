"""``smokejumper demo``: the product end to end on the sample loans data shipped with the package.

First a drift report comparing two months of the model's inputs, then the monitoring service
(a real ``smokejumper serve``, see :mod:`smokejumper.cli.demo_service`) catching the same drift
in predictions logged with the SDK. It leaves the files of README.md's tour in
``$SMOKEJUMPER_HOME/tour`` (see :mod:`smokejumper.cli.demo_tour`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import typer
from rich.console import Console

from smokejumper.cli.console import make_console
from smokejumper.cli.demo_tour import write_tour
from smokejumper.cli.drift import run_compare
from smokejumper.cli.output import print_report, write_text
from smokejumper.errors import ServiceDemoError
from smokejumper.settings import Settings


def demo() -> None:
    """Compare two months of a loan model's inputs, write an HTML report, then watch the model
    with the monitoring service."""
    settings = Settings()
    console = make_console()
    data = resources.files("smokejumper") / "data"
    reference = str(data / "loans_reference.parquet")
    current = str(data / "loans_current.parquet")
    console.print("[bold]Smokejumper demo[/]: September vs October inputs of a loan model\n")
    report = run_compare(reference, current, console)
    print_report(report, console)
    target = (settings.home / "reports" / "demo-drift.html").resolve()
    write_text(target, report.to_html())
    console.print(f"\nHTML report written to [bold]{target}[/]")
    console.print("Try it on your own data: smokejumper drift REFERENCE.parquet CURRENT.parquet")
    console.print()
    tour = settings.home.resolve() / "tour"
    write_tour(tour, Path(reference), Path(current), datetime.now(UTC))
    _service_part(console, settings.home.resolve() / "demo-service", reference, current)
    console.print(
        f"\nThe files of README.md's five-minute tour are in [bold]{tour}[/]: "
        f"source .venv/bin/activate && cd {_relative(tour)}"
    )


def _relative(folder: Path) -> str:
    """``folder`` relative to the current folder when it is under it, else as it is."""
    try:
        return str(folder.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(folder)


def _service_part(console: Console, home: Path, reference: str, current: str) -> None:
    """Run the service demo; on failure say what failed and exit with code 1."""
    from smokejumper.cli.demo_service import run_service_demo

    try:
        seconds = run_service_demo(console, home, Path(reference), Path(current))
    except ServiceDemoError as err:
        errors = make_console(stderr=True)
        errors.print(f"[bold red]error:[/] the monitoring service demo failed: {err}")
        raise typer.Exit(1) from err
    console.print(f"\nThe service part took {seconds:.1f} s (its data is in {home}).")
    console.print(
        "Watch your own model: smokejumper token create, smokejumper serve, then log with "
        "smokejumper.Client (README.md, 'Watch a deployed model')"
    )
