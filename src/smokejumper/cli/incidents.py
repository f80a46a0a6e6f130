"""``smokejumper incident``: incidents of a running server (SMOKEJUMPER_URL, SMOKEJUMPER_TOKEN):
list, show (the timeline as a table, the onset and the changes before it marked), declare,
update (SBAR), note, assign, ack, resolve, close."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from smokejumper.cli.admin import By, Format, admin_client, check_format, emit, me
from smokejumper.cli.console import make_console

incident_app = typer.Typer(help="Incidents: declare, run and close them.", no_args_is_help=True)


def incident_table(incidents: Sequence[Mapping[str, Any]]) -> Table:
    """One incident a row: id, severity, status, title, models, labels, detected, commander."""
    table = Table(title="Incidents", title_justify="left")
    for column in (
        "id",
        "severity",
        "status",
        "title",
        "models",
        "labels",
        "detected",
        "commander",
    ):
        table.add_column(column)
    for i in incidents:
        table.add_row(
            i["id"],
            i["severity"],
            i["status"],
            i["title"],
            ", ".join(i["models"]),
            ", ".join(i["labels"]),
            i["detected_at"],
            i["roles"].get("commander", ""),
        )
    if not incidents:
        table.caption = "no incidents"
    return table


def timeline_table(shown: Mapping[str, Any]) -> Table:
    """The incident's timeline and the changes before it, in time order; the onset and the
    changes before it are marked."""
    onset = shown.get("onset_at")
    rows = [(e["at"], e["kind"], e.get("source", ""), _what(e)) for e in shown["timeline"]]
    rows += [
        (c.get("time") or c.get("at") or "", f"change: {c['kind']}", "change log", c["summary"])
        for c in shown["changes"]
    ]
    table = Table(
        title=escape(f"{shown['id']} {shown['severity']} {shown['status']}: {shown['title']}"),
        title_justify="left",
    )
    for column in ("time", "", "event", "source", "what"):
        table.add_column(column)
    for at, kind, source, what in sorted(rows):
        mark = ""
        if onset and at == onset and kind == "onset":
            mark = "[red]ONSET[/]"
        elif onset and kind.startswith("change") and at < onset:
            mark = "[yellow]before onset[/]"
        table.add_row(at, mark, kind, escape(source), escape(what))
    table.caption = escape(
        "\n".join(
            line
            for line in (
                _last_good(shown.get("last_known_good")),
                _radius(shown.get("blast_radius")),
                _responders(shown.get("responders"), shown.get("slack_channel")),
            )
            if line
        )
    )
    table.caption_justify = "left"
    return table


def _last_good(good: Mapping[str, Any] | None) -> str:
    """One line on the last known good state."""
    if not good:
        return ""
    if good.get("window_start") is None:
        return f"last known good: not known ({good.get('reason')})"
    versions = ", ".join(f"{v['model']} {v['version']}" for v in good.get("versions", []))
    datasets = ", ".join(f"{d['name']}@{d['version']}" for d in good.get("datasets", []))
    return (
        f"last known good: {good['window_start']} to {good['window_end']}"
        + (f"; versions {versions}" if versions else "")
        + (f"; datasets {datasets}" if datasets else "")
    )


def _radius(radius: Mapping[str, Any] | None) -> str:
    """One line on the blast radius."""
    if not radius:
        return ""
    parts = []
    for m in radius.get("models", []):
        share = m.get("share_of_traffic")
        shown = "" if share is None else f" ({share:.0%} of its traffic)"
        parts.append(f"{m['model']}: {m['affected_predictions']:,} predictions affected{shown}")
    down = radius.get("downstream") or {}
    if down.get("jobs"):
        parts.append("downstream jobs: " + ", ".join(j["job"] for j in down["jobs"]))
    for slo in (radius.get("error_budget") or {}).get("slos", []):
        parts.append(f"SLO {slo['slo']}: {slo['burned_since_onset']:.0%} of its budget burned")
    return "blast radius: " + "; ".join(parts) if parts else ""


def _responders(found: Sequence[Mapping[str, Any]] | None, channel: Any) -> str:
    """One line on the responders by discipline, and the Slack channel.

    >>> _responders([{"discipline": "ml_engineer", "name": "ana", "slack": "U1", "email": None},
    ...              {"discipline": "product", "name": None, "slack": None, "email": "b@x.io"}],
    ...             {"id": "C1", "name": "inc-1-flat"})
    'responders: ML engineer ana; product b@x.io; Slack channel #inc-1-flat'
    """
    parts = [
        f"{r['discipline'].replace('ml_', 'ML ').replace('_', ' ')} "
        f"{r.get('name') or r.get('email') or r.get('slack')}"
        for r in found or ()
    ]
    line = "responders: " + "; ".join(parts) if parts else ""
    if isinstance(channel, Mapping) and channel.get("name"):
        line += ("; " if line else "") + f"Slack channel #{channel['name']}"
    return line


def reconstruction_table(found: Mapping[str, Any]) -> Table:
    """The reconstruction: one row per item in time order, items before the onset and the
    first anomalous pipeline run marked."""
    table = Table(
        title=f"{found['incident_id']}: what happened from {found['lookback_hours']:g} h before "
        f"the {found['reference']} ({found['since']}) to {found['until']}",
        title_justify="left",
    )
    for column in ("time", "", "kind", "what", "model", "summary"):
        table.add_column(column)
    for item in found["items"]:
        marks = []
        if item.get("first_anomalous"):
            marks.append("[red]FIRST ANOMALY[/]")
        elif item.get("anomalous"):
            marks.append("[yellow]anomalous[/]")
        if item["kind"] == "onset" and item["details"].get("incident"):
            marks.append("[red]ONSET[/]")
        elif item["before_onset"]:
            marks.append("before onset")
        table.add_row(
            item["at"],
            " ".join(marks),
            item["kind"],
            escape(item["what"]),
            escape(item.get("model") or ""),
            escape(item["summary"]),
        )
    if not found["items"]:
        table.caption = "nothing recorded in this span"
    elif found.get("truncated"):
        table.caption = "more items than shown; shorten --lookback-hours"
    return table


def _what(event: Mapping[str, Any]) -> str:
    details = event.get("details", {})
    for key in ("text", "summary", "title", "situation", "to", "monitor", "fingerprint", "person"):
        if key in details:
            return str(details[key])
    return ", ".join(f"{k}={v}" for k, v in details.items())[:120]


@incident_app.command("list")
def list_incidents(
    status: Annotated[str | None, typer.Option(help="only this status")] = None,
    model: Annotated[str | None, typer.Option(help="only this model's")] = None,
    search: Annotated[
        str | None,
        typer.Option(help="only those whose title, notes and updates hold every word of it"),
    ] = None,
    fmt: Format = "table",
) -> None:
    """Incidents, newest first."""
    check_format(fmt)
    with admin_client() as admin:
        found = admin.incidents(status=status, model=model, search=search)
    emit(found, fmt, incident_table)


@incident_app.command("show")
def show(
    incident_id: str,
    reconstruction: Annotated[
        bool,
        typer.Option(
            "--reconstruction",
            help="what happened before the onset instead: changes, pipeline runs, alias moves, "
            "alerts and monitor onsets in time order",
        ),
    ] = False,
    lookback_hours: Annotated[
        float | None,
        typer.Option(help="with --reconstruction: hours before the onset (default 24)"),
    ] = None,
    fmt: Format = "table",
) -> None:
    """The incident's timeline with the onset and the changes before it marked, its last
    known good state and blast radius; or, with --reconstruction, what happened before it."""
    check_format(fmt)
    with admin_client() as admin:
        if reconstruction:
            rebuilt = admin.incident_reconstruction(incident_id, lookback_hours=lookback_hours)
            emit(rebuilt, fmt, reconstruction_table)
            return
        found = admin.incident(incident_id)
    emit(found, fmt, timeline_table)


@incident_app.command("declare")
def declare(
    title: str,
    severity: Annotated[str, typer.Option(help="SEV1 (worst) to SEV4")] = "SEV3",
    model: Annotated[list[str] | None, typer.Option(help="affected model (repeat)")] = None,
    label: Annotated[list[str] | None, typer.Option(help="taxonomy label (repeat)")] = None,
    by: By = None,
) -> None:
    """Declare an incident."""
    with admin_client() as admin:
        made = admin.declare_incident(
            title, by=me(by), severity=severity, models=model, labels=label
        )
    make_console().print(f"Declared {made['id']} ({made['severity']}): {made['title']}")


def _status(incident_id: str, status: str, by: str | None, reason: str | None = None) -> None:
    with admin_client() as admin:
        done = admin.update_incident(incident_id, by=me(by), status=status, reason=reason)
    make_console().print(f"{done['id']} is {done['status']}.")


@incident_app.command("ack")
def ack(incident_id: str, by: By = None) -> None:
    """Acknowledge an incident (and its firing alerts)."""
    with admin_client() as admin:
        done = admin.acknowledge_incident(incident_id, by=me(by))
    make_console().print(f"{done['id']} acknowledged at {done['acknowledged_at']}.")


@incident_app.command("status")
def status(
    incident_id: str,
    to: Annotated[str, typer.Argument(help="investigating, mitigated, resolved, closed")],
    reason: Annotated[str | None, typer.Option(help="why (e.g. when reopening)")] = None,
    by: By = None,
) -> None:
    """Move an incident to another status (an illegal move lists the allowed ones)."""
    _status(incident_id, to, by, reason)


@incident_app.command("resolve")
def resolve(incident_id: str, by: By = None) -> None:
    """Mark an incident resolved."""
    _status(incident_id, "resolved", by)


@incident_app.command("close")
def close(
    incident_id: str,
    force: Annotated[
        bool, typer.Option(help="close although the post-mortem is not final (needs --reason)")
    ] = False,
    reason: Annotated[str | None, typer.Option(help="why (recorded on the timeline)")] = None,
    by: By = None,
) -> None:
    """Close a resolved incident (once its post-mortem is final, or --force with --reason)."""
    with admin_client() as admin:
        done = admin.update_incident(
            incident_id, by=me(by), status="closed", reason=reason, force=force or None
        )
    make_console().print(f"{done['id']} is {done['status']}.")


@incident_app.command("assign")
def assign(
    incident_id: str,
    role: Annotated[str, typer.Argument(help="commander, scribe or communications")],
    person: str,
    by: By = None,
) -> None:
    """Give a role to a person."""
    with admin_client() as admin:
        done = admin.update_incident(incident_id, by=me(by), roles={role: person})
    make_console().print(f"{done['id']}: {role} is {done['roles'].get(role)}.")


@incident_app.command("note")
def note(incident_id: str, text: str, by: By = None) -> None:
    """Write a note on the timeline."""
    with admin_client() as admin:
        admin.note_incident(incident_id, text, by=me(by))
    make_console().print(f"Noted on {incident_id}.")


@incident_app.command("update")
def update(
    incident_id: str,
    situation: Annotated[str, typer.Option(help="what is happening now")],
    background: Annotated[str, typer.Option(help="the context and what changed")],
    assessment: Annotated[str, typer.Option(help="what we think is going on")],
    recommendation: Annotated[str, typer.Option(help="what we do or ask next")],
    by: By = None,
) -> None:
    """Post a status update in SBAR form."""
    with admin_client() as admin:
        admin.post_update(
            incident_id,
            by=me(by),
            situation=situation,
            background=background,
            assessment=assessment,
            recommendation=recommendation,
        )
    make_console().print(f"Update posted on {incident_id}.")
