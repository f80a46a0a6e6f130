"""``smokejumper alerting check FILE``, ``alerting routes LABEL=VALUE...`` and
``alerting test RECEIVER``.

``check`` validates a configuration file as ``serve --config`` reads it (monitors, SLOs and
alerting), like ``amtool check-config``: a summary and exit 0, or ``FILE:LINE: reason`` for
each mistake and exit 2 (receivers' settings included: a secret file that cannot be read, a
required setting missing). ``test`` sends a made-up notification through a receiver.
``routes`` answers like ``amtool config routes test``: the receivers
an alert with the given labels reaches, and the path through the route tree to each.

>>> from smokejumper.service.config_file import parse_config_text
>>> loaded = parse_config_text('''
... route:
...   receiver: team
...   routes:
...     - {receiver: pager, matchers: ['severity="page"'], escalate_after: 30m, escalate_to: lead}
... receivers: [{name: team}, {name: pager}, {name: lead}]
... ''', "alerts.yaml")
>>> print("\\n".join(route_lines(loaded.alerting, {"severity": "page"})))
pager
pager  route > routes[0] {severity="page"}  escalates after 30m to lead
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from smokejumper.alerting import (
    DEFAULT_INHIBIT_RULES,
    Alert,
    AlertingConfig,
    Notification,
    Route,
    format_duration,
    match_routes,
)
from smokejumper.alerting.matchers import LABEL_NAME
from smokejumper.errors import ConfigFileError, SmokejumperError

if TYPE_CHECKING:
    # Imported where used: reading the configuration file loads every monitor (scipy), and
    # sending to receivers loads httpx; `smokejumper --help` and other commands need neither.
    from smokejumper.service.config_file import ConfigFile

alerting_app = typer.Typer(
    help="Check the alerting configuration and try its routes (no server needed).",
    no_args_is_help=True,
)

#: The exit code of a file with mistakes (as for every refused input).
INVALID = 2


@alerting_app.command("check")
def check(
    file: Annotated[Path, typer.Argument(help="The configuration file (as for serve --config)")],
) -> None:
    """Validate the file as serve --config reads it; print what it holds, or each mistake as
    FILE:LINE: reason (exit 2)."""
    loaded = _load(file)
    problems = receiver_problems(loaded.alerting) if loaded.alerting else []
    if problems:
        for problem in problems:
            typer.echo(f"{file}: {problem}", err=True)
        raise typer.Exit(INVALID)
    typer.echo(f"Checking {str(file)!r}  SUCCESS")
    typer.echo("\n".join(summary_lines(loaded)))


@alerting_app.command("routes")
def routes(
    labels: Annotated[
        list[str],
        typer.Argument(
            metavar="LABEL=VALUE", help='Labels of the alert, as name=value (or name="value")'
        ),
    ],
    config: Annotated[
        Path, typer.Option("--config", help="The configuration file (as for serve --config)")
    ],
) -> None:
    """Which receivers an alert with these labels reaches, and through which routes."""
    wanted = parse_labels(labels)
    loaded = _load(config)
    if loaded.alerting is None:
        typer.echo(f"{config}: no alerting configured (the file has no route)", err=True)
        raise typer.Exit(INVALID)
    typer.echo("\n".join(route_lines(loaded.alerting, wanted)))


@alerting_app.command("test")
def try_receiver(
    receiver: Annotated[str, typer.Argument(help="The receiver to send a test notification to")],
    config: Annotated[
        Path, typer.Option("--config", help="The configuration file (as for serve --config)")
    ],
    external_url: Annotated[
        str, typer.Option(help="The server's address, for the links in the message")
    ] = "http://127.0.0.1:8800",
) -> None:
    """Send a test notification through each integration of RECEIVER now; exit 1 if one
    was not delivered (its error says why)."""
    loaded = _load(config)
    found = loaded.alerting.receivers.get(receiver) if loaded.alerting else None
    if loaded.alerting is None or found is None:
        known = ", ".join(loaded.alerting.receivers) if loaded.alerting else "none"
        typer.echo(f"{config}: no receiver {receiver!r} (receivers: {known})", err=True)
        raise typer.Exit(INVALID)
    items = [
        (kind, i, item)
        for kind, group in found.integrations.items()
        for i, item in enumerate(group)
    ]
    if not items:
        typer.echo(f"receiver {receiver!r} has no integration: it drops what reaches it")
        return
    from smokejumper.delivery.http import new_client
    from smokejumper.delivery.registry import send

    notification = sample_notification(receiver, datetime.now(UTC))
    failed = 0
    with new_client() as client:
        for kind, i, item in items:
            outcome = send(
                kind,
                item,
                notification,
                external_url,
                client=client,
                global_settings=loaded.alerting.global_settings,
            )
            where = f"{receiver}.{kind}[{i}]"
            if outcome.ok:
                typer.echo(
                    f"{where}: delivered" + (f" ({outcome.detail})" if outcome.detail else "")
                )
            else:
                failed += 1
                typer.echo(f"{where}: {outcome.status}: {outcome.error}", err=True)
    if failed:
        raise typer.Exit(1)


def sample_notification(receiver: str, now: datetime) -> Notification:
    """A notification about one made-up alert, to try a receiver.

    >>> from datetime import UTC, datetime
    >>> n = sample_notification("team", datetime(2026, 11, 30, tzinfo=UTC))
    >>> n.firing[0].labels["alertname"], n.reason
    ('SmokejumperTest', 'new')
    """
    alert = Alert(
        {"alertname": "SmokejumperTest", "model": "test", "severity": "info"},
        {
            "summary": "Test notification from Smokejumper",
            "description": f"Sent by 'smokejumper alerting test {receiver}' to check that this "
            "receiver is reachable. Nothing is wrong.",
        },
        now,
    )
    return Notification(
        receiver, "test", {"alertname": "SmokejumperTest"}, (alert,), (), "new", now
    )


def receiver_problems(config: AlertingConfig) -> list[str]:
    """Each receiver integration that cannot send (a required setting missing, a secret that
    cannot be read), as ``where: reason``."""
    from smokejumper.delivery.registry import check as check_receiver

    problems = []
    for name, receiver in config.receivers.items():
        for kind, group in receiver.integrations.items():
            for i, item in enumerate(group):
                try:
                    check_receiver(kind, item, f"{name}.{kind}[{i}]", config.global_settings)
                except SmokejumperError as err:
                    problems.append(str(err))
    return problems


def _load(file: Path) -> ConfigFile:
    from smokejumper.service.config_file import load_config_file

    try:
        return load_config_file(file)
    except ConfigFileError as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(INVALID) from None


def parse_labels(items: list[str]) -> dict[str, str]:
    """``name=value`` arguments as labels; a quoted value loses its quotes.

    >>> parse_labels(["model=churn", 'severity="page"'])
    {'model': 'churn', 'severity': 'page'}
    """
    labels: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not LABEL_NAME.fullmatch(name):
            raise typer.BadParameter(
                f"{item!r} is not a label: write name=value, the name in letters, digits "
                "and '_' (such as severity=page)",
                param_hint="LABELS",
            )
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        labels[name] = value
    return labels


def summary_lines(loaded: ConfigFile) -> list[str]:
    """What the file holds: monitors, SLOs, routes, receivers, inhibition rules and the tree."""
    specs = loaded.monitors.monitors
    models = sorted({m.model for m in specs})
    lines = [
        "Found:",
        f" - {_count(len(specs), 'monitor')}"
        + (f" of {_count(len(models), 'model')} ({', '.join(models)})" if models else ""),
        f" - {_count(len(loaded.monitors.slos), 'SLO')}",
    ]
    alerting = loaded.alerting
    if alerting is None:
        return [*lines, " - no alerting (the file has no route): alerts are not sent"]
    shipped = [r for r in alerting.inhibit_rules if r in DEFAULT_INHIBIT_RULES]
    own = len(alerting.inhibit_rules) - len(shipped)
    lines += [
        f" - {_count(len(alerting.routes()), 'route')}",
        f" - {_count(len(alerting.receivers), 'receiver')}: {', '.join(alerting.receivers)}",
        f" - {_count(own, 'inhibit rule')}"
        + (" and the shipped one (a broken pipeline mutes its drift)" if shipped else ""),
        "Routes:",
    ]
    return lines + tree_lines(alerting.route)


def tree_lines(route: Route, parent: Route | None = None, depth: int = 0) -> list[str]:
    """The route tree, one route a line, indented by depth; a route's grouping and timers
    are shown where they differ from its parent's (the root shows them all)."""
    name = route.path.rsplit(".", 1)[-1]
    parts = [f"{'  ' * (depth + 1)}{name}"]
    if route.matchers:
        parts.append("{" + ", ".join(map(str, route.matchers)) + "}")
    parts.append(f"-> {route.receiver}")
    if parent is None or route.group_by != parent.group_by:
        parts.append(f"group_by: {_group_by(route)}")
    for key in ("group_wait", "group_interval", "repeat_interval"):
        if parent is None or getattr(route, key) != getattr(parent, key):
            parts.append(f"{key}: {format_duration(getattr(route, key))}")
    if route.continue_:
        parts.append("continue")
    if route.escalate_after is not None and (
        parent is None or route.escalate_to != parent.escalate_to
    ):
        parts.append(_escalation(route))
    lines = ["  ".join(parts)]
    for child in route.routes:
        lines += tree_lines(child, route, depth + 1)
    return lines


def route_lines(config: AlertingConfig, labels: Mapping[str, str]) -> list[str]:
    """The receivers ``labels`` reach (first line, as ``amtool config routes test`` prints
    them), then each with its path through the tree and the matchers on the way."""
    taken = match_routes(config.route, labels)
    width = max(len(r.receiver) for r in taken)
    lines = [",".join(r.receiver for r in taken)]
    for route in taken:
        steps = []
        for node in _ancestry(config.route, route):
            step = node.path.rsplit(".", 1)[-1]
            if node.matchers:
                step += " {" + ", ".join(map(str, node.matchers)) + "}"
            steps.append(step)
        line = f"{route.receiver:<{width}}  {' > '.join(steps)}"
        if route.escalate_after is not None:
            line += f"  {_escalation(route)}"
        lines.append(line)
    return lines


def _ancestry(root: Route, target: Route) -> list[Route]:
    """The routes from ``root`` down to ``target``."""
    if root is target:
        return [root]
    for child in root.routes:
        below = _ancestry(child, target)
        if below:
            return [root, *below]
    return []


def _group_by(route: Route) -> str:
    if route.group_by is None:
        return "... (every label: each alert alone)"
    return ", ".join(route.group_by) or "(none: one group)"


def _escalation(route: Route) -> str:
    assert route.escalate_after is not None
    return f"escalates after {format_duration(route.escalate_after)} to " + ", ".join(
        route.escalate_to
    )


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
