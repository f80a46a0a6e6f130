"""The alerting configuration, in Alertmanager's syntax, from plain data.

The document has ``route`` (the routing tree, see :mod:`~smokejumper.alerting.routes`),
``receivers`` (see :mod:`~smokejumper.alerting.receivers`), ``inhibit_rules`` (see
:mod:`~smokejumper.alerting.inhibition`), Alertmanager's ``global`` (kept as data for the
receivers) and ours, ``default_inhibit_rules`` (``true`` by default; ``false`` turns off the
shipped inhibition). Loading YAML is the caller's job; this takes what the loader returns.
Every error is an :class:`~smokejumper.errors.AlertingConfigError` naming the place in the
document and the reason.

>>> config = parse_config({
...     "route": {"receiver": "team", "group_by": ["model"],
...               "routes": [{"receiver": "pager", "matchers": ['severity="page"']}]},
...     "receivers": [{"name": "team"}, {"name": "pager"}],
... })
>>> config.receivers_for({"model": "churn", "severity": "page"})
['pager']
>>> len(config.inhibit_rules), config.inhibit_rules[0] is PIPELINE_BROKE
(1, True)
>>> parse_config({"route": {"receiver": "team", "routes": [{"matchers": ["severity=page"]},
...     {"receiver": "pager", "matchers": ["severity 'page'"]}]},
...     "receivers": [{"name": "team"}, {"name": "pager"}]})
Traceback (most recent call last):
...
smokejumper.errors.AlertingConfigError: route.routes[1].matchers[0]: "severity 'page'" is not \
a matcher (write name="value"; operators =, !=, =~, !~)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from smokejumper.alerting.document import flag, mapping, only_keys
from smokejumper.alerting.inhibition import (
    DEFAULT_INHIBIT_RULES,
    PIPELINE_BROKE,
    InhibitRule,
    parse_inhibit_rules,
)
from smokejumper.alerting.receivers import Receiver, parse_receivers
from smokejumper.alerting.routes import Route, match_routes, parse_route
from smokejumper.errors import AlertingConfigError

__all__ = ["HINTS", "KEYS", "PIPELINE_BROKE", "AlertingConfig", "parse_config"]

#: The top-level keys of an alerting configuration (in a file that holds other things too,
#: these are the alerting part).
KEYS = frozenset({"route", "receivers", "inhibit_rules", "global", "default_inhibit_rules"})
#: What to do instead of Alertmanager's top-level keys that are not supported.
HINTS = {
    "templates": "notification templates are not supported; receivers format their messages",
    "time_intervals": "time intervals are not supported yet; use a silence",
    "mute_time_intervals": "time intervals are not supported yet; use a silence",
}


@dataclass(frozen=True)
class AlertingConfig:
    """A checked configuration. ``inhibit_rules`` holds the user's rules followed by the
    shipped ones (unless turned off)."""

    route: Route
    receivers: Mapping[str, Receiver]
    inhibit_rules: tuple[InhibitRule, ...] = ()
    global_settings: Mapping[str, Any] = field(default_factory=dict)

    def receivers_for(self, labels: Mapping[str, str]) -> list[str]:
        """The receivers an alert with ``labels`` reaches, in routing order (as
        ``amtool config routes test`` lists them)."""
        return [r.receiver for r in match_routes(self.route, labels)]

    def routes(self) -> list[Route]:
        """Every route of the tree, depth first."""
        return self.route.walk()


def parse_config(data: object) -> AlertingConfig:
    """The configuration of ``data``, checked (see the module docstring)."""
    doc = mapping(data, "(top level)")
    only_keys(doc, KEYS, "", HINTS)
    for key in ("route", "receivers"):
        if key not in doc:
            raise AlertingConfigError(key, f"missing; an alerting configuration needs {key}")
    receivers = parse_receivers(doc["receivers"])
    route = parse_route(doc["route"], receivers)
    rules = parse_inhibit_rules(doc.get("inhibit_rules", []))
    if flag(doc.get("default_inhibit_rules", True), "default_inhibit_rules"):
        rules = (*rules, *DEFAULT_INHIBIT_RULES)
    settings = mapping(doc.get("global", {}), "global")
    return AlertingConfig(route, receivers, rules, dict(settings))
