"""Entry point of the ``smokejumper`` command: registers the command modules.

Errors Smokejumper raises on purpose print one line and exit with code 2.
"""

from __future__ import annotations

import sys

import typer

from smokejumper.cli import (
    actions,
    alerting,
    alerts,
    changes,
    demo,
    diagnosis,  # noqa: F401 - registers `incident diagnose`
    drift,
    drill,
    evaluate,
    export,
    incidents,
    model,
    postmortems,
    profile,
    service,
    slo,
)
from smokejumper.errors import SmokejumperError

app = typer.Typer(
    name="smokejumper",
    help="Incident response and blameless post-mortems for machine-learning systems.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("drift")(drift.drift)
app.command("profile")(profile.profile_command)
app.command("demo")(demo.demo)
app.command("serve")(service.serve)
app.add_typer(service.db_app, name="db")
app.add_typer(service.token_app, name="token")
app.add_typer(export.export_app, name="export")
app.add_typer(model.model_app, name="model")
app.add_typer(slo.slo_app, name="slo")
app.add_typer(alerts.alert_app, name="alert")
app.add_typer(alerts.silence_app, name="silence")
app.add_typer(alerts.notifications_app, name="notifications")
app.add_typer(incidents.incident_app, name="incident")
app.command("evaluate")(evaluate.evaluate)
app.add_typer(alerting.alerting_app, name="alerting")
app.add_typer(changes.change_app, name="change")
app.add_typer(postmortems.postmortem_app, name="postmortem")
app.add_typer(actions.actions_app, name="actions")
app.add_typer(drill.drill_app, name="drill")


def main() -> None:
    """Run the CLI; turn Smokejumper errors into a message and exit code 2."""
    try:
        app()
    except SmokejumperError as err:
        typer.echo(f"error: {err}", err=True)
        sys.exit(2)
