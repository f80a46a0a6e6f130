"""``smokejumper alert``, ``silence`` and ``notifications``: alerts of a running server,
silences on them, and the notifications sent or waiting (SMOKEJUMPER_URL, SMOKEJUMPER_TOKEN)."""

from __future__ import annotations

from typing import Annotated

import typer

from smokejumper.cli.admin import Format, admin_client, check_format, emit, me
from smokejumper.cli.alert_tables import alert_table, notification_table, silence_table
from smokejumper.cli.console import make_console

alert_app = typer.Typer(help="Alerts on the server: list, acknowledge.", no_args_is_help=True)
silence_app = typer.Typer(help="Silences: mute matching alerts for a time.", no_args_is_help=True)
notifications_app = typer.Typer(
    help="Notifications: what was sent, what waits, what was given up.", no_args_is_help=True
)


@alert_app.command("list")
def list_alerts(
    state: Annotated[str | None, typer.Option(help="firing or resolved")] = None,
    model: Annotated[str | None, typer.Option(help="only this model's alerts")] = None,
    severity: Annotated[str | None, typer.Option(help="e.g. page, ticket, warning")] = None,
    fmt: Format = "table",
) -> None:
    """Alerts, newest first (firing, and resolved in the last 7 days)."""
    check_format(fmt)
    with admin_client() as admin:
        found = admin.alerts(state=state, model=model, severity=severity)
    emit(found, fmt, alert_table)


@alert_app.command("ack")
def ack(
    fingerprint: Annotated[str, typer.Argument(help="the alert's fingerprint (alert list)")],
    by: Annotated[str | None, typer.Option(help="who acknowledges (default: your user)")] = None,
) -> None:
    """Acknowledge an alert: its repeats and escalation stop."""
    with admin_client() as admin:
        alert = admin.acknowledge(fingerprint, me(by))
    make_console().print(
        f"Acknowledged {alert['fingerprint']} ({alert['annotations'].get('summary', '')}) "
        f"as {alert['acknowledged_by']}."
    )


@silence_app.command("add")
def add(
    matchers: Annotated[
        list[str], typer.Argument(help="matchers such as 'model=churn' or 'monitor=~\"drift.*\"'")
    ],
    comment: Annotated[str, typer.Option(help="why (required)")],
    duration: Annotated[float, typer.Option(help="minutes from now")] = 60.0,
    by: Annotated[str | None, typer.Option(help="who (default: your user)")] = None,
) -> None:
    """Silence the alerts every matcher matches, from now for DURATION minutes."""
    with admin_client() as admin:
        made = admin.add_silence(
            list(matchers), created_by=me(by), comment=comment, duration_minutes=duration
        )
    console = make_console()
    console.print(f"Silence {made['id']} until {made['ends_at']}.")
    for warning in made.get("warnings", []):
        console.print(f"[yellow]warning:[/] {warning}")


@silence_app.command("list")
def list_silences(
    expired: Annotated[bool, typer.Option("--expired", help="include expired ones")] = False,
    fmt: Format = "table",
) -> None:
    """Active and pending silences."""
    check_format(fmt)
    with admin_client() as admin:
        found = admin.silences(expired=expired)
    emit(found, fmt, silence_table)


@silence_app.command("expire")
def expire(silence_id: Annotated[str, typer.Argument(help="the silence's id")]) -> None:
    """End a silence now."""
    with admin_client() as admin:
        done = admin.expire_silence(silence_id)
    make_console().print(f"Silence {done['id']} expired at {done['ends_at']}.")


@notifications_app.command("list")
def list_notifications(
    dead: Annotated[bool, typer.Option("--dead", help="only those given up")] = False,
    state: Annotated[str | None, typer.Option(help="pending, sent or dead")] = None,
    limit: Annotated[int, typer.Option(help="at most this many")] = 100,
    fmt: Format = "table",
) -> None:
    """Notification messages, newest first, with their attempts and last error."""
    check_format(fmt)
    with admin_client() as admin:
        found = admin.notifications(state="dead" if dead else state, limit=limit)
    emit(found, fmt, notification_table)
