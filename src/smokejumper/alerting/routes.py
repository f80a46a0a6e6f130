"""The routing tree in Alertmanager's syntax, and which routes an alert's labels reach.

A route has a ``receiver``, ``matchers``, ``group_by``, the timers ``group_wait`` (default 30s),
``group_interval`` (5m) and ``repeat_interval`` (4h), ``continue`` and child ``routes``; ours
adds ``escalate_after`` with ``escalate_to`` (one receiver or a chain of them). A child takes
every setting it does not give from its parent. The root route matches every alert, so it may
have no matchers, and must name a receiver.

An alert enters the tree at the root and goes depth first: at each route whose matchers it
satisfies, it tries the children in order; the first child that matches takes it, and the
search among siblings stops there unless that child says ``continue: true``. A route none of
whose children take the alert takes it itself. That is :func:`match_routes`, what
``amtool config routes test`` answers.

>>> root = parse_route({"receiver": "team", "routes": [
...     {"receiver": "pager", "matchers": ['severity="page"'], "continue": True},
...     {"receiver": "drift", "matchers": ["type=~feature_drift|prediction_drift"]}]},
...     {"team", "pager", "drift"})
>>> [r.receiver for r in match_routes(root, {"severity": "page", "type": "feature_drift"})]
['pager', 'drift']
>>> [r.path for r in match_routes(root, {"type": "volume"})]
['route']
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from smokejumper.alerting.document import flag, mapping, only_keys, sequence, text, texts
from smokejumper.alerting.durations import parse_duration
from smokejumper.alerting.matchers import LABEL_NAME, Matcher, matches_all, parse_matcher
from smokejumper.errors import AlertingConfigError

DEFAULT_TIMERS = {
    "group_wait": timedelta(seconds=30),
    "group_interval": timedelta(minutes=5),
    "repeat_interval": timedelta(hours=4),
}
#: ``group_by: ['...']`` groups by every label: each alert is a group of its own.
ALL_LABELS = "..."

_KEYS = {"receiver", "matchers", "group_by", "continue", "routes", "escalate_after", "escalate_to"}
_HINTS = {
    "match": "'match' is Alertmanager's old form; write matchers: ['name=\"value\"']",
    "match_re": "'match_re' is Alertmanager's old form; write matchers: ['name=~\"regex\"']",
    "mute_time_intervals": "time intervals are not supported yet; use a silence",
    "active_time_intervals": "time intervals are not supported yet; use a silence",
}


@dataclass(frozen=True)
class Route:
    """One node of the routing tree, its settings inherited and its defaults filled in.
    ``path`` is where it is in the document (``route.routes[0]``); ``group_by`` is ``None``
    for ``['...']`` (every label)."""

    path: str
    receiver: str
    matchers: tuple[Matcher, ...]
    group_by: tuple[str, ...] | None
    group_wait: timedelta
    group_interval: timedelta
    repeat_interval: timedelta
    continue_: bool
    routes: tuple[Route, ...]
    escalate_after: timedelta | None = None
    escalate_to: tuple[str, ...] = ()

    def walk(self) -> list[Route]:
        """This route and every route below it, depth first."""
        return [self, *(r for child in self.routes for r in child.walk())]


def match_routes(root: Route, labels: Mapping[str, str]) -> list[Route]:
    """The routes that take an alert with ``labels`` (see the module docstring)."""
    return _match(root, labels) or [root]


def _match(route: Route, labels: Mapping[str, str]) -> list[Route]:
    if not matches_all(route.matchers, labels):
        return []
    taken: list[Route] = []
    for child in route.routes:
        found = _match(child, labels)
        if found:
            taken.extend(found)
            if not child.continue_:
                break
    return taken or [route]


def parse_route(
    data: object, receivers: Collection[str], path: str = "route", parent: Route | None = None
) -> Route:
    """The route tree of ``data``, checked against the names of the defined ``receivers``."""
    doc = mapping(data, path)
    only_keys(doc, _KEYS | set(DEFAULT_TIMERS), path, _HINTS)
    if parent is None:
        for key in ("matchers", "continue"):
            if key in doc:
                raise AlertingConfigError(
                    f"{path}.{key}", "the root route takes every alert; it cannot have " + key
                )
        if "receiver" not in doc:
            raise AlertingConfigError(path, "the root route must name a receiver")
    receiver = _receiver(doc, receivers, path, parent)
    timers = {
        key: parse_duration(doc[key], f"{path}.{key}")
        if key in doc
        else (getattr(parent, key) if parent else default)
        for key, default in DEFAULT_TIMERS.items()
    }
    for key in ("group_interval", "repeat_interval"):
        if timers[key] <= timedelta(0):
            raise AlertingConfigError(f"{path}.{key}", "must be longer than 0")
    escalate_after, escalate_to = _escalation(doc, receivers, path, parent, receiver)
    node = Route(
        path=path,
        receiver=receiver,
        matchers=tuple(
            parse_matcher(m, f"{path}.matchers[{i}]")
            for i, m in enumerate(sequence(doc.get("matchers", []), f"{path}.matchers"))
        ),
        group_by=_group_by(doc, path, parent),
        continue_=flag(doc.get("continue", False), f"{path}.continue"),
        routes=(),
        escalate_after=escalate_after,
        escalate_to=escalate_to,
        group_wait=timers["group_wait"],
        group_interval=timers["group_interval"],
        repeat_interval=timers["repeat_interval"],
    )
    children = sequence(doc.get("routes", []), f"{path}.routes")
    kids = tuple(
        parse_route(child, receivers, f"{path}.routes[{i}]", node)
        for i, child in enumerate(children)
    )
    return replace(node, routes=kids)


def _receiver(
    doc: Mapping[str, Any], receivers: Collection[str], path: str, parent: Route | None
) -> str:
    if "receiver" not in doc:
        assert parent is not None  # the root's receiver was checked
        return parent.receiver
    name = text(doc["receiver"], f"{path}.receiver")
    if name not in receivers:
        raise AlertingConfigError(f"{path}.receiver", _unknown(name, receivers))
    return name


def _group_by(doc: Mapping[str, Any], path: str, parent: Route | None) -> tuple[str, ...] | None:
    if "group_by" not in doc:
        return parent.group_by if parent else ()
    names = texts(doc["group_by"], f"{path}.group_by")
    if ALL_LABELS in names:
        if len(names) > 1:
            raise AlertingConfigError(
                f"{path}.group_by", "'...' groups by every label; it cannot be mixed with names"
            )
        return None
    for i, name in enumerate(names):
        if not LABEL_NAME.fullmatch(name):
            raise AlertingConfigError(
                f"{path}.group_by[{i}]", f"{name!r} is not a label name ({LABEL_NAME.pattern})"
            )
    return tuple(dict.fromkeys(names))


def _escalation(
    doc: Mapping[str, Any],
    receivers: Collection[str],
    path: str,
    parent: Route | None,
    receiver: str,
) -> tuple[timedelta | None, tuple[str, ...]]:
    has_after, has_to = "escalate_after" in doc, "escalate_to" in doc
    if has_after != has_to:
        missing = "escalate_to" if has_after else "escalate_after"
        raise AlertingConfigError(path, f"escalation needs both escalate_after and {missing}")
    if not has_after:
        if parent is None:
            return None, ()
        if receiver in parent.escalate_to:
            raise AlertingConfigError(
                f"{path}.receiver",
                f"receiver {receiver!r} is in the escalation chain this route inherits; "
                "give this route its own escalate_after and escalate_to",
            )
        return parent.escalate_after, parent.escalate_to
    after = parse_duration(doc["escalate_after"], f"{path}.escalate_after")
    if after <= timedelta(0):
        raise AlertingConfigError(f"{path}.escalate_after", "must be longer than 0")
    raw = doc["escalate_to"]
    chain = [text(raw, f"{path}.escalate_to")] if isinstance(raw, str) else None
    chain = chain or texts(raw, f"{path}.escalate_to")
    for i, name in enumerate(chain):
        where = f"{path}.escalate_to" + ("" if isinstance(raw, str) else f"[{i}]")
        if name not in receivers:
            raise AlertingConfigError(where, _unknown(name, receivers))
        if name == receiver or name in chain[:i]:
            raise AlertingConfigError(where, f"receiver {name!r} is already in this chain")
    return after, tuple(chain)


def _unknown(name: str, receivers: Collection[str]) -> str:
    known = ", ".join(sorted(receivers)) or "none"
    return f"receiver {name!r} is not defined under receivers (defined: {known})"
