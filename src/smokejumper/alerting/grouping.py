"""The route and group stages: each alert to the routes that take it, then into groups.

A group is the alerts one route took that agree on the route's ``group_by`` labels; its key is
the route's path and those labels, ``route.routes[0]:{model="churn"}``, stable across passes
and processes while the configuration keeps its shape. With no ``group_by`` a route makes one
group of everything it takes; with ``['...']`` every alert is a group of its own. One group
becomes one notification per receiver, so ten drifting columns of one model under
``group_by: [model]`` are one message listing ten alerts.

>>> from datetime import UTC, datetime
>>> from smokejumper.alerting.routes import parse_route
>>> root = parse_route({"receiver": "team", "group_by": ["model"]}, {"team"})
>>> t = datetime(2026, 11, 1, tzinfo=UTC)
>>> alerts = [Alert({"model": "churn", "column": f"c{i}"}, {}, t) for i in range(10)]
>>> groups = group_alerts(route_alerts(alerts, root))
>>> [(key, len(g.alerts)) for key, g in groups.items()]
[('route:{model="churn"}', 10)]
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from smokejumper.alerting.alert import Alert
from smokejumper.alerting.routes import Route, match_routes


@dataclass(frozen=True)
class Group:
    """The alerts of one group (ordered by their labels), its route and its labels."""

    key: str
    route: Route
    labels: Mapping[str, str]
    alerts: tuple[Alert, ...]

    def firing(self) -> list[Alert]:
        """The group's firing alerts."""
        return [a for a in self.alerts if a.firing]


def route_alerts(alerts: Iterable[Alert], root: Route) -> list[tuple[Alert, Route]]:
    """Each alert with each route that takes it (an alert may reach several, by ``continue``)."""
    return [(alert, route) for alert in alerts for route in match_routes(root, alert.labels)]


def group_labels(route: Route, alert: Alert) -> dict[str, str]:
    """The labels ``alert`` is grouped by under ``route``."""
    if route.group_by is None:
        return dict(alert.labels)
    return {name: alert.labels[name] for name in route.group_by if name in alert.labels}


def group_key(route: Route, labels: Mapping[str, str]) -> str:
    """The key of the group of ``route`` with ``labels``.

    >>> from smokejumper.alerting.routes import parse_route
    >>> group_key(parse_route({"receiver": "r"}, {"r"}), {"team": "ml", "model": "a"})
    'route:{model="a",team="ml"}'
    """
    shown = ",".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in sorted(labels.items()))
    return f"{route.path}:{{{shown}}}"


def group_alerts(routed: Iterable[tuple[Alert, Route]]) -> dict[str, Group]:
    """The groups the routed alerts make, by key, in key order."""
    members: dict[str, list[Alert]] = {}
    heads: dict[str, tuple[Route, dict[str, str]]] = {}
    for alert, route in routed:
        labels = group_labels(route, alert)
        key = group_key(route, labels)
        members.setdefault(key, []).append(alert)
        heads.setdefault(key, (route, labels))
    return {
        key: Group(key, heads[key][0], heads[key][1], tuple(sorted(members[key], key=_order)))
        for key in sorted(members)
    }


def _order(alert: Alert) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(alert.labels.items()))
