"""Reading a configuration document (plain data from YAML or JSON) with the path of each part.

Every reader takes the value and its path (``route.routes[1].matchers[0]``) and raises
:class:`~smokejumper.errors.AlertingConfigError` naming that path when the value has the wrong
shape, so an error points at the line to fix.

>>> mapping([1], "route")
Traceback (most recent call last):
...
smokejumper.errors.AlertingConfigError: route: expected a mapping (key: value), got a list
>>> only_keys({"receiver": "x", "recevier": "y"}, {"receiver", "routes"}, "route")
Traceback (most recent call last):
...
smokejumper.errors.AlertingConfigError: route.recevier: unknown key; known keys: receiver, routes
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from smokejumper.errors import AlertingConfigError

_KINDS = {dict: "a mapping", list: "a list", str: "a string", bool: "true or false"}


def kind(value: object) -> str:
    """What a value is, in words."""
    if value is None:
        return "nothing (null)"
    for cls, words in _KINDS.items():
        if isinstance(value, cls):
            return words
    return f"{type(value).__name__} {value!r}"


def mapping(value: object, path: str) -> Mapping[str, Any]:
    """``value`` if it is a mapping with string keys."""
    if not isinstance(value, Mapping):
        raise AlertingConfigError(path, f"expected a mapping (key: value), got {kind(value)}")
    for key in value:
        if not isinstance(key, str):
            raise AlertingConfigError(path, f"keys must be strings, got {kind(key)}")
    return value


def sequence(value: object, path: str) -> list[Any]:
    """``value`` if it is a list."""
    if not isinstance(value, list | tuple):
        raise AlertingConfigError(path, f"expected a list, got {kind(value)}")
    return list(value)


def text(value: object, path: str) -> str:
    """``value`` if it is a non-empty string."""
    if not isinstance(value, str) or not value.strip():
        raise AlertingConfigError(path, f"expected a non-empty string, got {kind(value)}")
    return value


def flag(value: object, path: str) -> bool:
    """``value`` if it is true or false."""
    if not isinstance(value, bool):
        raise AlertingConfigError(path, f"expected true or false, got {kind(value)}")
    return value


def texts(value: object, path: str) -> list[str]:
    """``value`` if it is a list of non-empty strings."""
    return [text(item, f"{path}[{i}]") for i, item in enumerate(sequence(value, path))]


def only_keys(
    data: Mapping[str, Any],
    known: Collection[str],
    path: str,
    hints: Mapping[str, str] | None = None,
) -> None:
    """Refuse keys outside ``known``; ``hints`` says what to use instead of some of them.
    ``path`` is empty at the top level of the document."""
    for key in data:
        if key in known:
            continue
        where = f"{path}.{key}" if path else key
        if hints and key in hints:
            raise AlertingConfigError(where, hints[key])
        raise AlertingConfigError(where, f"unknown key; known keys: {', '.join(sorted(known))}")
