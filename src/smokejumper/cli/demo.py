"""``smokejumper demo``: a drift report on the sample loans data shipped with the package."""

from __future__ import annotations

from importlib import resources

from rich.console import Console

from smokejumper.cli.drift import run_compare
from smokejumper.cli.output import print_report, write_text
from smokejumper.settings import Settings


def demo() -> None:
    """Compare two months of a loan model's inputs and write an HTML report."""
    settings = Settings()
    console = Console()
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
