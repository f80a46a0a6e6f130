"""Durations in Prometheus form: ``30s``, ``5m``, ``1h30m``, ``2d``.

A duration is one or more ``<integer><unit>`` parts with the units in decreasing order, each at
most once: ``y`` (365 days), ``w``, ``d``, ``h``, ``m``, ``s``, ``ms``. A lone ``0`` is zero.
This is the form Alertmanager and Prometheus read, so a file written for them reads the same
here; anything else (``5 minutes``, ``1.5h``, ``-5m``, ``5``) is refused with the form to use.

>>> parse_duration("1h30m")
datetime.timedelta(seconds=5400)
>>> format_duration(parse_duration("90m"))
'1h30m'
>>> parse_duration("5 minutes", "route.group_interval")
Traceback (most recent call last):
...
smokejumper.errors.AlertingConfigError: route.group_interval: '5 minutes' is not a duration; \
write it in Prometheus form, such as 30s, 5m or 1h30m (units: y, w, d, h, m, s, ms)
"""

from __future__ import annotations

import re
from datetime import timedelta

from smokejumper.errors import AlertingConfigError

#: The units, largest first, as Prometheus orders them.
UNITS: dict[str, timedelta] = {
    "y": timedelta(days=365),
    "w": timedelta(weeks=1),
    "d": timedelta(days=1),
    "h": timedelta(hours=1),
    "m": timedelta(minutes=1),
    "s": timedelta(seconds=1),
    "ms": timedelta(milliseconds=1),
}

_FORM = re.compile(
    r"(?:(?P<y>\d+)y)?(?:(?P<w>\d+)w)?(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?"
    r"(?:(?P<m>\d+)m(?!s))?(?:(?P<s>\d+)s)?(?:(?P<ms>\d+)ms)?"
)


def parse_duration(text: object, path: str = "duration") -> timedelta:
    """The duration ``text`` stands for; ``path`` names it in the error if it is not one.

    >>> parse_duration("0"), parse_duration("1w2d")
    (datetime.timedelta(0), datetime.timedelta(days=9))
    >>> parse_duration("10m5h")
    Traceback (most recent call last):
    ...
    smokejumper.errors.AlertingConfigError: duration: '10m5h' is not a duration; write it \
in Prometheus form, such as 30s, 5m or 1h30m (units: y, w, d, h, m, s, ms; largest first, \
each once)
    """
    if not isinstance(text, str):
        raise AlertingConfigError(
            path, f"expected a duration such as '5m' (a string), got {_shown(text)}"
        )
    if text == "0":
        return timedelta(0)
    match = _FORM.fullmatch(text)
    if not text or match is None:
        order = "; largest first, each once" if re.fullmatch(r"(\d+(ms|[ywdhms]))+", text) else ""
        raise AlertingConfigError(
            path,
            f"{text!r} is not a duration; write it in Prometheus form, such as 30s, 5m or "
            f"1h30m (units: y, w, d, h, m, s, ms{order})",
        )
    return sum(
        (int(count) * UNITS[unit] for unit, count in match.groupdict().items() if count),
        timedelta(0),
    )


def format_duration(value: timedelta) -> str:
    """``value`` in Prometheus form (weeks and years are written as days).

    >>> format_duration(timedelta(hours=4)), format_duration(timedelta(0))
    ('4h', '0s')
    >>> format_duration(timedelta(days=1, milliseconds=1500))
    '1d1s500ms'
    """
    left = value // timedelta(milliseconds=1)
    parts = []
    for unit in ("d", "h", "m", "s", "ms"):
        size = UNITS[unit] // timedelta(milliseconds=1)
        count, left = divmod(left, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"


def _shown(value: object) -> str:
    return f"{type(value).__name__} {value!r}"
