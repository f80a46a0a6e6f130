"""Handing the alerting, incidents and integrations configuration to worker processes.

With ``serve --workers N`` the parent reads and checks the configuration file once; the
workers do not read it again (it may have changed since, or a restarted worker could find it
broken). The parent puts the alerting part of the document, as JSON, in the environment
variable :data:`ALERTING_ENV`; each worker parses it again, which gives the same configuration.

>>> to_environment({"route": {"receiver": "team"}, "receivers": [{"name": "team"}]})
>>> from_environment().receivers_for({"model": "churn"})
['team']
>>> to_environment({})
>>> from_environment() is None
True
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from smokejumper.alerting import AlertingConfig, parse_config, parse_matcher
from smokejumper.incidents import IncidentsConfig, parse_incidents_config
from smokejumper.postmortems.action_config import ActionsConfig, parse_actions_config
from smokejumper.service.integrations import IntegrationsConfig, parse_integrations

#: Where ``serve --workers N`` passes the alerting part of the file (as JSON) to its workers.
ALERTING_ENV = "_SMOKEJUMPER_ALERTING_CONFIG"


#: Where it passes the incidents part.
INCIDENTS_ENV = "_SMOKEJUMPER_INCIDENTS_CONFIG"
#: Where it passes the actions part (action items' reminders and trackers).
ACTIONS_ENV = "_SMOKEJUMPER_ACTIONS_CONFIG"
#: Where it passes the integrations part (the MLflow poller).
INTEGRATIONS_ENV = "_SMOKEJUMPER_INTEGRATIONS_CONFIG"


def to_environment(
    alerting_data: Mapping[str, Any],
    incidents_data: Mapping[str, Any] | None = None,
    actions_data: Mapping[str, Any] | None = None,
    integrations_data: Mapping[str, Any] | None = None,
) -> None:
    """Hand the alerting part of the file (empty: none), its incidents, actions and
    integrations parts (``None``: none) to worker processes started after this. A value JSON
    has no type for (a YAML date, say) goes as its text."""
    parts = (
        (ALERTING_ENV, alerting_data),
        (INCIDENTS_ENV, incidents_data),
        (ACTIONS_ENV, actions_data),
        (INTEGRATIONS_ENV, integrations_data),
    )
    for name, data in parts:
        if data:
            os.environ[name] = json.dumps(data, default=str)
        else:
            os.environ.pop(name, None)


def incidents_from_environment() -> IncidentsConfig | None:
    """The incidents configuration the parent process handed over (``None`` if none)."""
    held = os.environ.get(INCIDENTS_ENV)
    return parse_incidents_config(json.loads(held), parse_matcher) if held else None


def actions_from_environment() -> ActionsConfig | None:
    """The actions configuration the parent process handed over (``None`` if none)."""
    held = os.environ.get(ACTIONS_ENV)
    return parse_actions_config(json.loads(held)) if held else None


def integrations_from_environment() -> IntegrationsConfig:
    """The integrations configuration the parent process handed over (none configured when
    it handed none).

    >>> to_environment({}, integrations_data={"mlflow": {"tracking_uri": "http://mlflow:5000"}})
    >>> integrations_from_environment().mlflow.source
    'http://mlflow:5000'
    >>> to_environment({})
    >>> integrations_from_environment().mlflow is None
    True
    """
    held = os.environ.get(INTEGRATIONS_ENV)
    return parse_integrations(json.loads(held)) if held else IntegrationsConfig()


def from_environment() -> AlertingConfig | None:
    """The alerting configuration the parent process handed over (``None`` if none)."""
    held = os.environ.get(ALERTING_ENV)
    return parse_config(json.loads(held)) if held else None
