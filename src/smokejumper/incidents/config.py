"""The ``incidents`` part of the configuration file, from plain data.

It holds the opening policy (:mod:`~smokejumper.incidents.opening`: ``open_on``,
``join_window``, ``severity_from_alert``, ``default_severity``) and the severity definitions
(:mod:`~smokejumper.incidents.severity`: ``severities``). Every key is optional; a file
without ``incidents`` gets the defaults. Errors are
:class:`~smokejumper.errors.IncidentConfigError` naming the path (matcher errors are the
parser's own, with the same path).

>>> from smokejumper.alerting import parse_matcher
>>> config = parse_incidents_config(
...     {"open_on": ['severity=~"page|critical"'], "join_window": "90m",
...      "severities": {"SEV2": {"update_every": "45m"}}}, parse_matcher)
>>> config.policy.join_window, config.severities.update_interval("SEV2")
(datetime.timedelta(seconds=5400), datetime.timedelta(seconds=2700))
>>> parse_incidents_config({"open_on": "severity=page"}, parse_matcher)
Traceback (most recent call last):
...
smokejumper.errors.IncidentConfigError: incidents.open_on: expected a list, got a string
"""

from __future__ import annotations

from dataclasses import dataclass

from smokejumper.incidents.document import mapping, only_keys
from smokejumper.incidents.opening import MatcherParser, OpeningPolicy, parse_policy
from smokejumper.incidents.severity import DEFAULT_SEVERITIES, SeverityTable, parse_severities

#: The keys of the ``incidents`` mapping.
KEYS = frozenset(
    {"open_on", "join_window", "severity_from_alert", "default_severity", "severities"}
)


@dataclass(frozen=True)
class IncidentsConfig:
    """The checked ``incidents`` configuration."""

    policy: OpeningPolicy
    severities: SeverityTable = DEFAULT_SEVERITIES


def parse_incidents_config(
    data: object, parse_matcher: MatcherParser, path: str = "incidents"
) -> IncidentsConfig:
    """The configuration of ``data`` (``None`` for the defaults); see the module docstring."""
    doc = dict(mapping(data if data is not None else {}, path))
    only_keys(doc, KEYS, path)
    severities = parse_severities(doc.pop("severities", {}), f"{path}.severities")
    return IncidentsConfig(parse_policy(doc, parse_matcher, path), severities)
