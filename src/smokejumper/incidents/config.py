"""The ``incidents`` part of the configuration file, from plain data.

It holds the opening policy (:mod:`~smokejumper.incidents.opening`: ``open_on``,
``join_window``, ``severity_from_alert``, ``default_severity``) and the severity definitions
(:mod:`~smokejumper.incidents.severity`: ``severities``) and ``updates_to``: the alerting
receivers that get every status update and reminder (default: the receivers the incident's
alerts were routed to), and ``slack``: a Slack channel per incident
(:mod:`~smokejumper.incidents.slack`). Every key is optional; a file without ``incidents`` gets the
defaults. Errors are
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
>>> parse_incidents_config({"updates_to": ["ml-team", ""]}, parse_matcher)
Traceback (most recent call last):
...
smokejumper.errors.IncidentConfigError: incidents.updates_to[1]: expected a non-empty string, \
got an empty string
"""

from __future__ import annotations

from dataclasses import dataclass

from smokejumper.incidents.document import mapping, only_keys, sequence, text
from smokejumper.incidents.opening import MatcherParser, OpeningPolicy, parse_policy
from smokejumper.incidents.severity import DEFAULT_SEVERITIES, SeverityTable, parse_severities
from smokejumper.incidents.slack import SlackConfig, parse_slack_config

#: The keys of the ``incidents`` mapping.
KEYS = frozenset(
    {
        "open_on",
        "join_window",
        "severity_from_alert",
        "default_severity",
        "severities",
        "updates_to",
        "slack",
    }
)


@dataclass(frozen=True)
class IncidentsConfig:
    """The checked ``incidents`` configuration."""

    policy: OpeningPolicy
    severities: SeverityTable = DEFAULT_SEVERITIES
    #: The receivers of status updates and reminders; empty: those the incident's alerts
    #: were routed to. The configuration file checks that each is defined under ``receivers``.
    updates_to: tuple[str, ...] = ()
    #: A Slack channel per incident (:mod:`~smokejumper.incidents.slack`); ``None``: none.
    slack: SlackConfig | None = None


def parse_incidents_config(
    data: object, parse_matcher: MatcherParser, path: str = "incidents"
) -> IncidentsConfig:
    """The configuration of ``data`` (``None`` for the defaults); see the module docstring."""
    doc = dict(mapping(data if data is not None else {}, path))
    only_keys(doc, KEYS, path)
    severities = parse_severities(doc.pop("severities", {}), f"{path}.severities")
    given = sequence(doc.pop("updates_to", []), f"{path}.updates_to")
    updates_to = tuple(text(r, f"{path}.updates_to[{i}]") for i, r in enumerate(given))
    slack = doc.pop("slack", None)
    return IncidentsConfig(
        parse_policy(doc, parse_matcher, path),
        severities,
        tuple(dict.fromkeys(updates_to)),
        parse_slack_config(slack, f"{path}.slack") if slack is not None else None,
    )
