"""Receivers as the configuration names them: a unique name and its integrations, kept as data.

A receiver is written as in Alertmanager: ``name`` and one list per kind of integration
(``slack_configs``, ``email_configs``, ``pagerduty_configs``, ``webhook_configs``, and ours,
``alertmanager_configs``, pushing to another Alertmanager). Each item's settings stay plain
data here; the delivery side reads them. A receiver with no integration drops what reaches it
(Alertmanager's usual "blackhole"). ``send_resolved: false`` on every item of a receiver stops
resolved notifications to it.

>>> rs = parse_receivers([{"name": "team", "slack_configs": [{"channel": "#ml"}]},
...                       {"name": "quiet", "webhook_configs": [{"send_resolved": False}]}])
>>> sorted(rs), rs["team"].send_resolved, rs["quiet"].send_resolved
(['quiet', 'team'], True, False)
>>> parse_receivers([{"name": "team"}, {"name": "team"}])
Traceback (most recent call last):
...
smokejumper.errors.AlertingConfigError: receivers[1].name: receiver 'team' is already defined \
at receivers[0]; receiver names must be unique
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from smokejumper.alerting.document import flag, mapping, sequence, text
from smokejumper.errors import AlertingConfigError

#: The kinds of integration a receiver may list.
KINDS = (
    "slack_configs",
    "email_configs",
    "pagerduty_configs",
    "webhook_configs",
    "alertmanager_configs",
)


@dataclass(frozen=True)
class Receiver:
    """A named destination and its integrations' settings, by kind."""

    name: str
    integrations: Mapping[str, tuple[Mapping[str, Any], ...]] = field(default_factory=dict)

    @property
    def send_resolved(self) -> bool:
        """Whether resolved alerts are sent: unless every integration item says ``false``."""
        items = [item for group in self.integrations.values() for item in group]
        return not items or any(item.get("send_resolved", True) for item in items)


def parse_receivers(data: object, path: str = "receivers") -> dict[str, Receiver]:
    """The receivers of ``data`` (a list), by name; names must be unique."""
    found: dict[str, Receiver] = {}
    where: dict[str, str] = {}
    for i, item in enumerate(sequence(data, path)):
        here = f"{path}[{i}]"
        doc = mapping(item, here)
        if "name" not in doc:
            raise AlertingConfigError(here, "a receiver needs a name")
        name = text(doc["name"], f"{here}.name")
        if name in found:
            raise AlertingConfigError(
                f"{here}.name",
                f"receiver {name!r} is already defined at {where[name]}; "
                "receiver names must be unique",
            )
        integrations = {}
        for key, value in doc.items():
            if key == "name":
                continue
            if key not in KINDS:
                raise AlertingConfigError(
                    f"{here}.{key}",
                    f"unknown integration; a receiver may list {', '.join(KINDS)}",
                )
            integrations[key] = _items(value, f"{here}.{key}")
        found[name] = Receiver(name, integrations)
        where[name] = here
    return found


def _items(value: object, path: str) -> tuple[Mapping[str, Any], ...]:
    items = []
    for i, item in enumerate(sequence(value, path)):
        settings = mapping(item, f"{path}[{i}]")
        if "send_resolved" in settings:
            flag(settings["send_resolved"], f"{path}[{i}].send_resolved")
        items.append(dict(settings))
    return tuple(items)
