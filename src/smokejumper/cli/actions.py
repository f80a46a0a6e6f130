"""``smokejumper actions``: post-mortem action items of a running server (SMOKEJUMPER_URL,
SMOKEJUMPER_TOKEN): list (open and overdue ones across incidents), export (CSV for Jira's
importer, or JSON), add, update, and file in GitHub or Jira."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from smokejumper.cli.admin import By, Format, admin_client, check_format, emit, me
from smokejumper.cli.console import make_console
from smokejumper.errors import InputError

actions_app = typer.Typer(
    help="Post-mortem action items: add them, chase them, export them.", no_args_is_help=True
)

EXPORT_FORMATS = ("csv", "json")


def action_table(items: Sequence[Mapping[str, Any]]) -> Table:
    """One item a row: id, incident, type, status, owner, due (overdue ones marked), what,
    tracker.

    >>> t = action_table([{"id": "ACT-1", "incident_id": "INC-7", "type": "prevent",
    ...     "status": "open", "owner": "ML platform", "due": "2026-11-20", "overdue": True,
    ...     "days_late": 2, "description": "Schema check", "tracker_key": None}])
    >>> t.row_count, [c.header for c in t.columns][:3]
    (1, ['id', 'incident', 'type'])
    """
    table = Table(title="Action items", title_justify="left")
    for column in ("id", "incident", "type", "status", "owner", "due", "description", "tracker"):
        table.add_column(column)
    for item in items:
        due = item["due"]
        if item.get("overdue"):
            due = f"[red]{due} ({item.get('days_late', 0)} d late)[/]"
        table.add_row(
            item["id"],
            item["incident_id"],
            item["type"],
            item["status"],
            escape(item["owner"]),
            due,
            escape(item["description"]),
            escape(item.get("tracker_key") or ""),
        )
    if not items:
        table.caption = "no action items"
    return table


@actions_app.command("list")
def list_actions(
    overdue: Annotated[
        bool, typer.Option("--overdue", help="only those open past their due date")
    ] = False,
    incident: Annotated[str | None, typer.Option("--incident", help="only this incident's")] = None,
    status: Annotated[
        str | None,
        typer.Option(
            help="only these statuses (comma-separated): open, in_progress, done, wont_do"
        ),
    ] = None,
    fmt: Format = "table",
) -> None:
    """Action items across incidents, by due date (overdue ones in red)."""
    check_format(fmt)
    with admin_client() as admin:
        found = admin.action_items(incident=incident, status=status, overdue=overdue)
    emit(found, fmt, action_table)


@actions_app.command("export")
def export(
    fmt: Annotated[
        str, typer.Option("--format", help="csv (Jira's CSV importer, dates yyyy-MM-dd) or json")
    ] = "csv",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="write to this file (default: stdout)")
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="only the overdue ones")] = False,
    incident: Annotated[str | None, typer.Option("--incident", help="only this incident's")] = None,
    status: Annotated[
        str | None, typer.Option(help="only these statuses (comma-separated)")
    ] = None,
) -> None:
    """Export action items as CSV for Jira's importer (tell it the date format yyyy-MM-dd)
    or as JSON."""
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"unknown format {fmt!r}; use one of: {', '.join(EXPORT_FORMATS)}")
    with admin_client() as admin:
        text = admin.export_action_items(fmt, incident=incident, status=status, overdue=overdue)
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    rows = max(text.count("\n") - 1, 0) if fmt == "csv" else None
    said = f" ({rows} item{'s' if rows != 1 else ''})" if rows is not None else ""
    make_console(stderr=True).print(f"Wrote {escape(str(output))}{said}.")


@actions_app.command("add")
def add(
    incident_id: Annotated[str, typer.Argument(metavar="INCIDENT", help="the incident's id")],
    description: Annotated[str, typer.Argument(help="what is to be done")],
    type: Annotated[str, typer.Option("--type", help="mitigate, prevent, detect or process")],
    owner: Annotated[str, typer.Option("--owner", help="a role or a team (not a person)")],
    due: Annotated[str, typer.Option("--due", help="the due date, YYYY-MM-DD")],
    link: Annotated[str | None, typer.Option("--link", help="an http(s) URL")] = None,
    by: By = None,
) -> None:
    """Add an action item to an incident."""
    with admin_client() as admin:
        made = admin.add_action_item(
            incident_id, description, type=type, owner=owner, due=due, by=me(by), link=link
        )
    make_console().print(
        f"Added {made['id']} to {made['incident_id']} ({made['type']}, {escape(made['owner'])}, "
        f"due {made['due']})."
    )


@actions_app.command("update")
def update(
    item_id: Annotated[str, typer.Argument(metavar="ID", help="the action item's id (ACT-n)")],
    status: Annotated[
        str | None, typer.Option(help="open, in_progress, done or wont_do (with --reason)")
    ] = None,
    reason: Annotated[str | None, typer.Option(help="why it will not be done")] = None,
    owner: Annotated[str | None, typer.Option(help="a role or a team")] = None,
    due: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    type: Annotated[str | None, typer.Option("--type", help="mitigate, prevent, ...")] = None,
    description: Annotated[str | None, typer.Option(help="what is to be done")] = None,
    link: Annotated[str | None, typer.Option(help="an http(s) URL")] = None,
    by: By = None,
) -> None:
    """Change an action item (its status, owner, due date, ...)."""
    with admin_client() as admin:
        done = admin.update_action_item(
            item_id,
            by=me(by),
            status=status,
            reason=reason,
            owner=owner,
            due=due,
            type=type,
            description=description,
            link=link,
        )
    make_console().print(
        f"{done['id']} is {done['status']} ({escape(done['owner'])}, due {done['due']})."
    )


@actions_app.command("file")
def file_issue(
    item_id: Annotated[str, typer.Argument(metavar="ID", help="the action item's id (ACT-n)")],
    tracker: Annotated[str, typer.Argument(help="github or jira")],
    by: By = None,
) -> None:
    """File an action item as a GitHub or Jira issue (configured under actions: in the
    server's --config file)."""
    with admin_client() as admin:
        done = admin.file_action_item(item_id, tracker, by=me(by))
    make_console().print(f"{done['id']} filed as {done['tracker_key']}: {done['tracker_url']}")
