"""``smokejumper alerting check FILE`` and ``smokejumper alerting routes LABEL=VALUE...``.

``check`` validates a configuration file as ``serve --config`` reads it (monitors, SLOs and
alerting), like ``amtool check-config``: a summary and exit 0, or ``FILE:LINE: reason`` for
each mistake and exit 2. ``routes`` answers like ``amtool config routes test``: the receivers
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
from pathlib import Path
from typing import Annotated

import typer

from smokejumper.alerting import (
    DEFAULT_INHIBIT_RULES,
    AlertingConfig,
    Route,
    format_duration,
    match_routes,
)
from smokejumper.alerting.matchers import LABEL_NAME
from smokejumper.errors import ConfigFileError
from smokejumper.service.config_file import ConfigFile, load_config_file

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


def _load(file: Path) -> ConfigFile:
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
