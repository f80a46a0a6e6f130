"""``smokejumper demo``: the product end to end on the sample loans data shipped with the package.

First a drift report comparing two months of the model's inputs, then the monitoring service
(a real ``smokejumper serve``, see :mod:`smokejumper.cli.demo_service`) catching the same drift
in predictions logged with the SDK. It leaves the files of README.md's tour in
``$SMOKEJUMPER_HOME/tour`` (see :mod:`smokejumper.cli.demo_tour`).
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from smokejumper.cli.console import make_console
from smokejumper.cli.drift import run_compare
from smokejumper.cli.output import print_report, write_text
from smokejumper.errors import ServiceDemoError

if TYPE_CHECKING:
    # The tour (pyarrow), the harness (httpx) and the settings are imported when the demo
    # runs, so that `smokejumper --help` and the other commands do not load them.
    from smokejumper.harness import ServerHarness


def demo(
    serve: Annotated[
        bool | None,
        typer.Option(
            "--serve/--no-serve",
            help="keep the demo's service running at the end (Ctrl-C stops it), or exit after "
            "the summary; by default it keeps running when run from a terminal",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Compare two months of a loan model's inputs, write an HTML report, then watch the model
    with the monitoring service: the alert, the incident, its post-mortem."""
    from smokejumper.cli.demo_tour import write_tour
    from smokejumper.settings import Settings

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
    if serve is None:  # a person at a terminal keeps it; a script or CI gets its exit
        serve = sys.stdin.isatty() and sys.stdout.isatty()
    server = _service_part(
        console, settings.home.resolve() / "demo-service", reference, current, serve
    )
    console.print(
        f"\nThe files of README.md's five-minute tour are in [bold]{tour}[/]: "
        f"source .venv/bin/activate && cd {_relative(tour)}"
    )
    if server is not None:
        _keep_serving(console, server)


def _keep_serving(console: Console, server: ServerHarness) -> None:
    """Say where the demo's service is and how to sign in; stop it on Ctrl-C."""
    console.print(
        f"\nThe demo's service is still running at [bold]{server.url}[/] (OpenAPI at "
        f"{server.url}/docs). Sign in from another terminal:\n"
        f"  export SMOKEJUMPER_URL={server.url} SMOKEJUMPER_TOKEN={server.token}\n"
        "  smokejumper incident show INC-1; smokejumper postmortem INC-1; "
        "smokejumper actions list\n"
        "Press Ctrl-C to stop it (smokejumper demo --no-serve exits here instead)."
    )
    try:
        while server.running:
            time.sleep(0.5)
        console.print("The demo's service stopped.")
    except KeyboardInterrupt:
        console.print("\nStopping the demo's service.")
    finally:
        server.stop()


def _relative(folder: Path) -> str:
    """``folder`` relative to the current folder when it is under it, else as it is."""
    try:
        return str(folder.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(folder)


def _service_part(
    console: Console, home: Path, reference: str, current: str, keep: bool
) -> ServerHarness | None:
    """Run the service demo (its server left running with ``keep``); on failure say what
    failed and exit with code 1."""
    from smokejumper.cli.demo_service import run_service_demo

    try:
        seconds, server = run_service_demo(console, home, Path(reference), Path(current), keep=keep)
    except ServiceDemoError as err:
        errors = make_console(stderr=True)
        errors.print(f"[bold red]error:[/] the monitoring service demo failed: {err}")
        raise typer.Exit(1) from err
    console.print(f"\nThe service part took {seconds:.1f} s (its data is in {home}).")
    console.print(
        "Watch your own model: smokejumper token create, smokejumper serve, then log with "
        "smokejumper.Client (README.md, 'Watch a deployed model')"
    )
    return server
