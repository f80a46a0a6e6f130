"""``smokejumper slo list``: the SLOs of a running server, their state and error budget."""

from __future__ import annotations

from typing import Annotated

import typer

from smokejumper.cli import tables
from smokejumper.cli.admin import FORMAT_HELP, admin_client, check_format, emit

slo_app = typer.Typer(
    help="SLOs on the server (SMOKEJUMPER_URL, SMOKEJUMPER_TOKEN).", no_args_is_help=True
)


@slo_app.command("list")
def list_slos(fmt: Annotated[str, typer.Option("--format", help=FORMAT_HELP)] = "table") -> None:
    """Every SLO: state, bad windows, error budget left and burn rate."""
    check_format(fmt)
    with admin_client() as admin:
        found = admin.slos()
    emit(found, fmt, tables.slo_table)
