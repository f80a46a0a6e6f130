"""``smokejumper evaluate``: evaluate the due windows of a running server now."""

from __future__ import annotations

from typing import Annotated

import typer

from smokejumper.cli import tables
from smokejumper.cli.admin import FORMAT_HELP, admin_client, check_format, emit


def evaluate(fmt: Annotated[str, typer.Option("--format", help=FORMAT_HELP)] = "table") -> None:
    """Evaluate every monitor on every window that is due, now (needs a write token)."""
    check_format(fmt)
    with admin_client() as admin:
        summary = admin.evaluate()
    emit(summary, fmt, tables.evaluation_table)
