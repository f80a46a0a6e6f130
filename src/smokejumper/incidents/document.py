"""Reading the ``incidents`` part of the configuration (plain data from YAML) with paths.

Every reader takes the value and its path (``incidents.severities.SEV1.update_every``) and
raises :class:`~smokejumper.errors.IncidentConfigError` naming that path, so the service can
point at the line to fix. Durations are written as in the alerting part of the same file
(Prometheus form: ``30s``, ``5m``, ``2h``, ``1h30m``, ``1d``), so one file reads one way.

>>> duration("2h", "incidents.join_window")
datetime.timedelta(seconds=7200)
>>> duration("2 hours", "incidents.join_window")
Traceback (most recent call last):
...
smokejumper.errors.IncidentConfigError: incidents.join_window: '2 hours' is not a duration; \
write it in Prometheus form, such as 30s, 5m, 2h or 1h30m (units: w, d, h, m, s; largest \
first, each once)
>>> only_keys({"open_on": [], "join_windw": "2h"}, {"open_on", "join_window"}, "incidents")
Traceback (most recent call last):
...
smokejumper.errors.IncidentConfigError: incidents.join_windw: unknown key; known keys: \
join_window, open_on
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import timedelta
from typing import Any

from smokejumper.errors import IncidentConfigError

_KINDS = {dict: "a mapping", list: "a list", str: "a string", bool: "true or false"}
_UNITS = {
    "w": timedelta(weeks=1),
    "d": timedelta(days=1),
    "h": timedelta(hours=1),
    "m": timedelta(minutes=1),
    "s": timedelta(seconds=1),
}
_DURATION = re.compile(r"(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")


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
        raise IncidentConfigError(path, f"expected a mapping (key: value), got {kind(value)}")
    for key in value:
        if not isinstance(key, str):
            raise IncidentConfigError(path, f"keys must be strings, got {kind(key)}")
    return value


def sequence(value: object, path: str) -> list[Any]:
    """``value`` if it is a list."""
    if not isinstance(value, list | tuple):
        raise IncidentConfigError(path, f"expected a list, got {kind(value)}")
    return list(value)


def text(value: object, path: str) -> str:
    """``value`` stripped, if it is a non-empty string."""
    if not isinstance(value, str) or not value.strip():
        got = "an empty string" if isinstance(value, str) else kind(value)
        raise IncidentConfigError(path, f"expected a non-empty string, got {got}")
    return value.strip()


def duration(value: object, path: str) -> timedelta:
    """The positive duration ``value`` stands for, in Prometheus form (``0`` is refused: a
    window or an interval of nothing means nothing)."""
    if not isinstance(value, str):
        raise IncidentConfigError(
            path, f"expected a duration such as '2h' (a string), got {kind(value)}"
        )
    match = _DURATION.fullmatch(value)
    if not value or match is None:
        raise IncidentConfigError(
            path,
            f"{value!r} is not a duration; write it in Prometheus form, such as 30s, 5m, 2h "
            "or 1h30m (units: w, d, h, m, s; largest first, each once)",
        )
    total = sum(
        (int(n) * size for n, size in zip(match.groups(), _UNITS.values(), strict=True) if n),
        timedelta(0),
    )
    if total <= timedelta(0):
        raise IncidentConfigError(path, f"{value!r} is zero; give a positive duration")
    return total


def only_keys(data: Mapping[str, Any], known: Collection[str], path: str) -> None:
    """Refuse keys outside ``known``."""
    for key in data:
        if key not in known:
            raise IncidentConfigError(
                f"{path}.{key}", f"unknown key; known keys: {', '.join(sorted(known))}"
            )
