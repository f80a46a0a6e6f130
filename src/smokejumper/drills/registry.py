"""The registry of drill scenarios, found automatically: every module of
:mod:`smokejumper.drills.scenarios` registers its scenarios with :func:`register` when
imported, as the drift methods do.

>>> [s.name for s in available_scenarios()][:3]
['bad_version', 'concept_drift', 'confidence_collapse']
>>> get_scenario("pipeline_failure").truth.label
'data_quality'
>>> get_scenario("weather")
Traceback (most recent call last):
...
smokejumper.errors.UnknownScenarioError: no drill scenario named 'weather'; run \
'smokejumper drill list' to see them
"""

from __future__ import annotations

import importlib
import pkgutil

from smokejumper.drills.scenario import Scenario
from smokejumper.errors import RegistrationError, UnknownScenarioError

_REGISTRY: dict[str, Scenario] = {}


def register(scenario: Scenario) -> Scenario:
    """Add ``scenario``; a second, different scenario of the same name is refused."""
    known = _REGISTRY.get(scenario.name)
    if known is not None and known != scenario:
        raise RegistrationError(f"a drill scenario named {scenario.name!r} is already registered")
    _REGISTRY[scenario.name] = scenario
    return scenario


def _discover() -> None:
    package = "smokejumper.drills.scenarios"
    for info in pkgutil.iter_modules(importlib.import_module(package).__path__):
        importlib.import_module(f"{package}.{info.name}")


def available_scenarios() -> list[Scenario]:
    """Every registered scenario, in name order."""
    _discover()
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]


def get_scenario(name: str) -> Scenario:
    """The scenario registered as ``name``, or :class:`UnknownScenarioError`."""
    _discover()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownScenarioError(
            f"no drill scenario named {name!r}; run 'smokejumper drill list' to see them"
        ) from None
