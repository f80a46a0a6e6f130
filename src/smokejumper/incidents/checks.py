"""Checks shared by the incident modules: aware times, names, texts and JSON-like details.

Each raises :class:`~smokejumper.errors.IncidentError` saying what was wrong.

>>> from datetime import UTC, datetime
>>> aware(datetime(2026, 11, 1, tzinfo=UTC), "now").year
2026
>>> aware(datetime(2026, 11, 1), "now")
Traceback (most recent call last):
...
smokejumper.errors.IncidentError: now must be a timezone-aware datetime (UTC), got \
datetime.datetime(2026, 11, 1, 0, 0); use datetime.now(UTC) or datetime(..., tzinfo=UTC)
>>> name("  ", "the commander")
Traceback (most recent call last):
...
smokejumper.errors.IncidentError: the commander must be a non-empty string, got str '  '
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from smokejumper.errors import IncidentError


def shown(value: object) -> str:
    """``value`` with its type, for error messages."""
    return f"{type(value).__name__} {value!r}"


def aware(value: object, what: str) -> datetime:
    """``value`` if it is a timezone-aware datetime (times are compared across sources)."""
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise IncidentError(
            f"{what} must be a timezone-aware datetime (UTC), got {value!r}; "
            "use datetime.now(UTC) or datetime(..., tzinfo=UTC)"
        )
    return value


def name(value: object, what: str) -> str:
    """``value`` stripped, if it is a non-empty string."""
    if not isinstance(value, str) or not value.strip():
        raise IncidentError(f"{what} must be a non-empty string, got {shown(value)}")
    return value.strip()


def json_value(value: object, what: str) -> Any:
    """``value`` if it is JSON: strings, finite numbers, booleans, null, lists and mappings
    with string keys (what a timeline event's details may hold, so they store and send as
    they are)."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise IncidentError(f"{what} must be a finite number, got {value!r}")
        return value
    if isinstance(value, list | tuple):
        return [json_value(item, f"{what}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise IncidentError(f"{what}: keys must be strings, got {shown(key)}")
            out[key] = json_value(item, f"{what}.{key}")
        return out
    raise IncidentError(
        f"{what} must be JSON (text, number, true/false, null, list or mapping), got {shown(value)}"
    )


def names(values: Iterable[object], what: str) -> tuple[str, ...]:
    """``values`` (or the one string given) checked, stripped, sorted and without repeats."""
    if isinstance(values, str):
        values = [values]
    return tuple(sorted({name(v, what) for v in values}))


def version_pairs(values: Iterable[object]) -> tuple[tuple[str, str], ...]:
    """``(model, version)`` pairs (or ``{"model", "version"}`` mappings) checked and sorted."""
    pairs = set()
    for value in values:
        if isinstance(value, Mapping):
            value = (value.get("model"), value.get("version"))
        if not isinstance(value, tuple | list) or len(value) != 2:
            raise IncidentError(
                f"an affected version is a (model, version) pair, got {shown(value)}"
            )
        pairs.add((name(value[0], "a version's model"), name(value[1], "a version")))
    return tuple(sorted(pairs))


def iso(value: datetime | None) -> str | None:
    """``value`` in ISO 8601 in UTC (``None`` stays ``None``)."""
    return value.astimezone(UTC).isoformat() if value is not None else None


def parse_time(value: object, what: str) -> datetime | None:
    """The aware datetime of an ISO 8601 text (or a datetime); ``None`` stays ``None``."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        raise IncidentError(f"{what} must be an ISO 8601 time, got {value!r}") from None
    return aware(parsed, what)


def missing_time(what: str) -> datetime:
    """Raise: ``what`` should have been a time and is missing."""
    raise IncidentError(f"{what} must be an ISO 8601 time, got nothing")
