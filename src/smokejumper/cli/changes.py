"""``smokejumper change record|list``: the change log of a running server, for CI (a deploy
step records itself) and people (SMOKEJUMPER_URL, SMOKEJUMPER_TOKEN: an ingest or write token
to record, a read token to list)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from smokejumper.changes import KINDS, parse_details
from smokejumper.cli.admin import FORMAT_HELP, admin_client, check_format, emit
from smokejumper.cli.console import make_console
from smokejumper.errors import InputError

change_app = typer.Typer(
    help="The change log: record a deploy, config or data change; list changes.",
    no_args_is_help=True,
)


@change_app.command("record")
def record(
    kind: Annotated[str, typer.Option(help=f"one of: {', '.join(KINDS)}")],
    summary: Annotated[str, typer.Option(help="what changed, in a line")],
    model: Annotated[str | None, typer.Option(help="the model touched")] = None,
    service: Annotated[str | None, typer.Option(help="or the service touched")] = None,
    link: Annotated[str | None, typer.Option(help="the PR, build or run (a URL)")] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="when, ISO 8601 with a zone (default: now)")
    ] = None,
    detail: Annotated[
        list[str] | None, typer.Option("--detail", help="key=value, repeatable")
    ] = None,
    change_id: Annotated[
        str | None, typer.Option("--id", help="your id: a retried command records it once")
    ] = None,
) -> None:
    """Record a change, e.g. from a CI deploy step:
    smokejumper change record --kind deploy --model churn --summary "churn v7" --detail version=7
    """
    when = _time(at) if at is not None else None
    with admin_client() as admin:
        done = admin.record_change(
            kind,
            summary,
            model=model,
            service=service,
            link=link,
            at=when,
            details=parse_details(list(detail or [])),
            change_id=change_id,
        )
    make_console().print(
        f"Recorded {done['kind']} change {done['id']} of {done['model'] or done['service']} "
        f"at {done['time']}."
    )


@change_app.command("list")
def list_command(
    model: Annotated[str | None, typer.Option(help="only this model's changes")] = None,
    kind: Annotated[str | None, typer.Option(help=f"one of: {', '.join(KINDS)}")] = None,
    since: Annotated[str | None, typer.Option(help="at or after (ISO 8601)")] = None,
    until: Annotated[str | None, typer.Option(help="before (ISO 8601)")] = None,
    fmt: Annotated[str, typer.Option("--format", help=FORMAT_HELP)] = "table",
) -> None:
    """Changes, newest first."""
    check_format(fmt)
    with admin_client() as admin:
        found = admin.changes(model=model, kind=kind, since=since, until=until)
    emit(found, fmt, change_table)


def change_table(changes: list[dict[str, Any]]) -> Table:
    """Changes as a Rich table."""
    table = Table(title=f"{len(changes)} change(s), newest first")
    for column in ("time", "kind", "model / service", "summary", "id"):
        table.add_column(column)
    for c in changes:
        table.add_row(c["time"], c["kind"], c["model"] or c["service"] or "", c["summary"], c["id"])
    return table


def _time(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"--at {text!r} is not an ISO 8601 time, e.g. 2026-11-30T09:30:00Z"
        ) from None
    if when.tzinfo is None:
        raise InputError(f"--at {text!r} has no zone; add Z (UTC) or +HH:MM")
    return when
