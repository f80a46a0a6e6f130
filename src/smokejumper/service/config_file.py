"""The configuration file of ``smokejumper serve --config``: monitors, SLOs, alerting,
incidents and integrations (the MLflow poller, see
:mod:`smokejumper.service.pollers.mlflow_config`).

One YAML file holds ``monitors`` and ``slos`` (see
:class:`~smokejumper.monitoring.monitors.MonitorConfig`) and the alerting configuration in
Alertmanager's syntax: ``route``, ``receivers``, ``inhibit_rules``, ``global`` and
``default_inhibit_rules`` (see :func:`~smokejumper.alerting.parse_config`). The file is read
once, keeping the line of every node, so each mistake is reported as ``FILE:LINE: reason``: a
pydantic location (``monitors[3].max``) or an alerting path (``route.routes[1].matchers[0]``)
is followed through the YAML nodes to the line that holds it. A file without ``route`` (nor any
other alerting key) has no alerting: :attr:`ConfigFile.alerting` is ``None``. ``incidents`` holds
the incident policy and ``actions`` the post-mortem action items' reminders and trackers (see
:mod:`smokejumper.postmortems.action_config`).

>>> loaded = parse_config_text('''
... monitors:
...   - {name: churn-drift, model: churn, type: feature_drift, max: 0, severity: page}
... route:
...   receiver: ml-team
... receivers:
...   - name: ml-team
... ''', "monitors.yaml")
>>> [m.name for m in loaded.monitors.monitors], loaded.alerting.receivers_for({"model": "churn"})
(['churn-drift'], ['ml-team'])
>>> parse_config_text('''
... route:
...   receiver: ml-team
...   routes:
...     - receiver: pager
... receivers:
...   - name: ml-team
... ''', "monitors.yaml")
Traceback (most recent call last):
...
smokejumper.errors.ConfigFileError: monitors.yaml:5: route.routes[0].receiver: receiver \
'pager' is not defined under receivers (defined: ml-team)
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from smokejumper.alerting import AlertingConfig, parse_config, parse_matcher
from smokejumper.alerting.config import HINTS as ALERTING_HINTS
from smokejumper.alerting.config import KEYS as ALERTING_KEYS
from smokejumper.errors import (
    ActionConfigError,
    AlertingConfigError,
    ConfigFileError,
    IncidentConfigError,
    IntegrationConfigError,
)
from smokejumper.incidents import IncidentsConfig, parse_incidents_config
from smokejumper.monitoring.monitors import MonitorConfig, SloSpec, monitor_types
from smokejumper.monitoring.monitors.config import DEFER_REFERENCES, Location
from smokejumper.postmortems.action_config import ActionsConfig, parse_actions_config
from smokejumper.service.integrations import IntegrationsConfig, parse_integrations

__all__ = ["KEYS", "ConfigFile", "load_config_file", "parse_config_text"]

#: The keys of the monitors part of the file.
MONITOR_KEYS = frozenset({"monitors", "slos"})
#: The key of the incidents part (opening policy, severities).
INCIDENT_KEYS = frozenset({"incidents"})
#: The key of the action items part (reminders, trackers).
ACTION_KEYS = frozenset({"actions"})
#: The key of the integrations part (the MLflow poller, Confluence).
INTEGRATION_KEYS = frozenset({"integrations"})
#: Every top-level key the file may have.
KEYS = MONITOR_KEYS | ALERTING_KEYS | INCIDENT_KEYS | ACTION_KEYS | INTEGRATION_KEYS

_MERGE = "tag:yaml.org,2002:merge"
_PATH_PART = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


@dataclass(frozen=True)
class ConfigFile:
    """A checked configuration file: its monitors and SLOs, and its alerting configuration
    (``None`` when the file has none). ``alerting_data`` is the alerting part of the document
    as read, for :func:`~smokejumper.alerting.parse_config` to parse again elsewhere (in the
    worker processes of ``serve --workers N``)."""

    file: str
    monitors: MonitorConfig
    alerting: AlertingConfig | None = None
    alerting_data: Mapping[str, Any] = field(default_factory=dict)
    #: The ``incidents`` part (``None``: the default policy, page alerts open incidents).
    incidents: IncidentsConfig | None = None
    incidents_data: Mapping[str, Any] | None = None
    #: The ``actions`` part (``None``: the defaults; no trackers).
    actions: ActionsConfig | None = None
    actions_data: Mapping[str, Any] | None = None
    #: The ``integrations`` part (the MLflow poller); ``integrations_data`` as read, for the
    #: worker processes.
    integrations: IntegrationsConfig = field(default_factory=IntegrationsConfig)
    integrations_data: Mapping[str, Any] | None = None


def load_config_file(path: str | Path) -> ConfigFile:
    """Read and check the configuration file at ``path``; every mistake is a
    :class:`~smokejumper.errors.ConfigFileError` naming the file, the line and the reason."""
    name = str(path)
    p = Path(path)
    if not p.is_file():
        what = "is a directory, not a file" if p.is_dir() else "does not exist"
        raise ConfigFileError(name, [(None, f"the configuration file {what}; check the path")])
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigFileError(name, [(None, f"cannot be read: {err}")]) from err
    return parse_config_text(text, name)


def parse_config_text(text: str, file: str = "<config>") -> ConfigFile:
    """The configuration in ``text`` (YAML), checked; ``file`` names it in errors."""
    root, data = _read_yaml(text, file)
    if data is None:
        return ConfigFile(file, MonitorConfig())
    if not isinstance(data, dict):
        raise ConfigFileError(
            file,
            [
                (
                    _line(root),
                    "the file must be a mapping with keys such as monitors, slos, route and "
                    f"receivers; it holds {_kind(data)}",
                )
            ],
        )
    _check_keys(root, data, file)
    monitors = _monitors(root, data, file)
    incidents_data = data.get("incidents")
    incidents = None
    if incidents_data is not None:
        try:
            incidents = parse_incidents_config(incidents_data, parse_matcher)
        except (IncidentConfigError, AlertingConfigError) as err:
            path = getattr(err, "path", "incidents")
            node = _alerting_node(root, path) or _child(root, "incidents")
            raise ConfigFileError(file, [(_line(node), str(err))]) from err
    actions_data = data.get("actions")
    actions = None
    if actions_data is not None:
        try:
            actions = parse_actions_config(actions_data)
        except ActionConfigError as err:
            node = _alerting_node(root, err.path) or _child(root, "actions")
            raise ConfigFileError(file, [(_line(node), str(err))]) from err
    integrations_data = data.get("integrations")
    try:
        integrations = parse_integrations(integrations_data)
    except IntegrationConfigError as err:
        node = _alerting_node(root, err.path) or _child(root, "integrations")
        raise ConfigFileError(file, [(_line(node), str(err))]) from err
    alerting_data = {k: v for k, v in data.items() if k in ALERTING_KEYS}
    if not alerting_data:
        _check_updates_to(root, incidents, None, file)
        _check_reminders_to(root, actions, None, file)
        return ConfigFile(
            file,
            monitors,
            incidents=incidents,
            incidents_data=incidents_data,
            actions=actions,
            actions_data=actions_data,
            integrations=integrations,
            integrations_data=integrations_data,
        )
    try:
        alerting = parse_config(alerting_data)
    except AlertingConfigError as err:
        node = _alerting_node(root, err.path)
        if node is root:  # a missing top-level key: point at the alerting part there is
            node = next(_child(root, k) for k in data if k in ALERTING_KEYS)
        raise ConfigFileError(file, [(_line(node), str(err))]) from err
    _check_updates_to(root, incidents, alerting, file)
    _check_reminders_to(root, actions, alerting, file)
    return ConfigFile(
        file,
        monitors,
        alerting,
        alerting_data,
        incidents,
        incidents_data,
        actions,
        actions_data,
        integrations,
        integrations_data,
    )


def _check_reminders_to(
    root: yaml.Node | None,
    actions: ActionsConfig | None,
    alerting: AlertingConfig | None,
    file: str,
) -> None:
    """Every receiver ``actions.reminders.to`` names is defined under ``receivers``."""
    defined = sorted(alerting.receivers) if alerting is not None else []
    for i, name in enumerate(actions.remind_to if actions is not None else ()):
        if name in defined:
            continue
        path = f"actions.reminders.to[{i}]"
        known = f"defined: {', '.join(defined)}" if defined else "the file has no receivers"
        reason = f"{path}: receiver {name!r} is not defined under receivers ({known})"
        raise ConfigFileError(file, [(_line(_alerting_node(root, path)), reason)])


def _check_updates_to(
    root: yaml.Node | None,
    incidents: IncidentsConfig | None,
    alerting: AlertingConfig | None,
    file: str,
) -> None:
    """Every receiver ``incidents.updates_to`` names is defined under ``receivers``."""
    defined = sorted(alerting.receivers) if alerting is not None else []
    for i, name in enumerate(incidents.updates_to if incidents is not None else ()):
        if name in defined:
            continue
        path = f"incidents.updates_to[{i}]"
        known = f"defined: {', '.join(defined)}" if defined else "the file has no receivers"
        reason = f"{path}: receiver {name!r} is not defined under receivers ({known})"
        raise ConfigFileError(file, [(_line(_alerting_node(root, path)), reason)])


def _read_yaml(text: str, file: str) -> tuple[yaml.Node | None, Any]:
    """The document's root node (with the line of every node) and its data, read once."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is not None:
            _refuse_repeated_keys(root, file)
        return root, (loader.construct_document(root) if root is not None else None)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = mark.line + 1 if mark is not None else None
        context = err.context or ""
        if (
            context
            and mark is not None
            and err.context_mark is not None
            and err.context_mark.line != mark.line
        ):
            context += f" (from line {err.context_mark.line + 1})"
        reason = "; ".join(p for p in (context, err.problem) if p)
        raise ConfigFileError(file, [(where, f"not valid YAML: {reason}")]) from err
    except yaml.YAMLError as err:  # not tied to a place (a stream of bad bytes, say)
        raise ConfigFileError(file, [(None, f"not valid YAML: {err}")]) from err
    finally:
        loader.dispose()


def _refuse_repeated_keys(root: yaml.Node, file: str) -> None:
    """YAML keeps the last of a repeated key silently; a repeated ``route`` would lose the
    first one unseen, so a mapping that repeats a key is refused."""
    for node in _mappings(root):
        seen: dict[str, int] = {}
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag == _MERGE:
                continue
            if key.value in seen:
                raise ConfigFileError(
                    file,
                    [
                        (
                            _line(key),
                            f"key {key.value!r} appears twice in this mapping (first on line "
                            f"{seen[key.value]}); YAML would keep only the last, so write it once",
                        )
                    ],
                )
            seen[key.value] = key.start_mark.line + 1


def _mappings(root: yaml.Node) -> Iterator[yaml.MappingNode]:
    """Every mapping node of the document, each once (aliases may repeat nodes)."""
    stack, visited = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, yaml.MappingNode):
            yield node
            for key, value in node.value:
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _check_keys(root: yaml.Node | None, data: Mapping[Any, Any], file: str) -> None:
    problems: list[tuple[int | None, str]] = []
    for key in data:
        if key in KEYS:
            continue
        line = _line(_child(root, key))
        if isinstance(key, str) and key in ALERTING_HINTS:
            problems.append((line, f"{key}: {ALERTING_HINTS[key]}"))
        else:
            problems.append(
                (line, f"{key}: unknown top-level key; known keys: {', '.join(sorted(KEYS))}")
            )
    if problems:
        raise ConfigFileError(file, problems)


def _monitors(root: yaml.Node | None, data: Mapping[str, Any], file: str) -> MonitorConfig:
    part = {k: v for k, v in data.items() if k in MONITOR_KEYS}
    try:
        config = MonitorConfig.model_validate(part, context={DEFER_REFERENCES: True})
    except ValidationError as err:
        raise ConfigFileError(file, [_problem(root, e) for e in err.errors()]) from err
    problems = config.reference_problems()
    if problems:
        raise ConfigFileError(
            file, [(_line(_locate(root, loc)[0]), reason) for loc, reason in problems]
        )
    return config


def _problem(root: yaml.Node | None, error: ErrorDetails) -> tuple[int | None, str]:
    """One pydantic error as (line, ``path: reason``)."""
    loc: Location = tuple(error["loc"])
    if error["type"] == "union_tag_invalid":  # an unknown monitor type: point at it
        loc = (*loc, "type")
    node, path, spec = _locate(root, loc)
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden" and spec is not None:
        message = f"unknown key; known keys: {', '.join(sorted(spec))}"
    return _line(node), f"{path or '(top level)'}: {message}"


def _locate(
    root: yaml.Node | None, loc: Location
) -> tuple[yaml.Node | None, str, Sequence[str] | None]:
    """Follow a pydantic location through the document: the deepest node found, the path in
    words (``monitors[3].max``, without the tag pydantic adds for the monitor's type), and the
    fields allowed where the last key is (for an unknown key's message)."""
    node, holder, path = root, root, ""
    fields: Sequence[str] | None = None
    for depth, part in enumerate(loc):
        if depth == 2 and loc[0] == "monitors" and isinstance(part, str):
            cls = monitor_types().get(part)
            if cls is not None and _scalar(holder, "type") == part and _child(holder, part) is None:
                fields = list(cls.model_fields)
                continue  # the tag pydantic adds for the discriminated union
        if depth == 2 and loc[0] == "slos":
            fields = list(SloSpec.model_fields)
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
        found = _descend(holder, part)
        node, holder = found if found else (node, None)
    return node, path, fields


def _alerting_node(root: yaml.Node | None, path: str) -> yaml.Node | None:
    """The node an alerting path (``route.routes[1].matchers[0]``) names, or the deepest one
    found on the way (a missing key is reported at the mapping that lacks it)."""
    node, holder = root, root
    for match in _PATH_PART.finditer(path.replace("(top level)", "")):
        index, key = match.groups()
        found = _descend(holder, int(index) if index is not None else key)
        if found is None:
            break
        node, holder = found
    return node


def _descend(holder: yaml.Node | None, part: str | int) -> tuple[yaml.Node, yaml.Node] | None:
    """One step down from a collection node: for a key of a mapping, the key's node (its line
    is where the key is written) and its value's; for an index of a list, the item twice.
    ``None`` when there is no such part."""
    if isinstance(holder, yaml.MappingNode) and isinstance(part, str):
        key_node = _child(holder, part)
        if key_node is not None:
            return key_node, next(v for k, v in holder.value if k is key_node)
    if isinstance(holder, yaml.SequenceNode) and isinstance(part, int) and part < len(holder.value):
        item: yaml.Node = holder.value[part]
        return item, item
    return None


def _child(node: yaml.Node | None, key: object) -> yaml.Node | None:
    """The node of ``key`` in a mapping node (the last, as YAML keeps the last), if any."""
    found = None
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(key):
                found = key_node
    return found


def _scalar(node: yaml.Node | None, key: str) -> str | None:
    """The text of a scalar value under ``key`` in a mapping node, if any."""
    found = _descend(node, key)
    return found[1].value if found and isinstance(found[1], yaml.ScalarNode) else None


def _line(node: yaml.Node | None) -> int | None:
    return node.start_mark.line + 1 if node is not None else None


def _kind(value: object) -> str:
    return "a list" if isinstance(value, list) else f"{type(value).__name__} {value!r}"
