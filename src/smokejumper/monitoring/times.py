"""The times the service stores and reads: the range a prediction's timestamp may lie in, and
the checks that turn a time given by a caller into a UTC time inside that range, or a clear error.

A prediction is dated from :data:`EARLIEST` (the Unix epoch: anything earlier is a parsing or
unit mistake) to a few minutes ahead of the server clock. Times in queries may range wider, up
to :data:`LATEST`, so that window arithmetic never leaves the range Python's datetimes hold.

>>> from datetime import datetime, timezone, timedelta
>>> query_time("end", datetime(2026, 1, 1, 1, tzinfo=timezone(timedelta(hours=1)))).isoformat()
'2026-01-01T00:00:00+00:00'
>>> paris = timezone(timedelta(hours=1))
>>> query_time("start", datetime(1, 1, 1, tzinfo=paris))  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
smokejumper.errors.InputError: start: 0001-01-01T00:00:00+01:00 is before 1970-01-01T00:00...
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from smokejumper.errors import InputError

#: The earliest timestamp a prediction may have.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
#: The latest time a query may name (far enough from year 9999 for window arithmetic).
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
#: Timestamps further than this in the future are rejected (clock skew or a unit mistake).
MAX_FUTURE_SKEW = timedelta(minutes=5)

_EPOCH_MIN_US = 0
_LATEST_US = (LATEST - EARLIEST) // timedelta(microseconds=1)


def as_utc(value: datetime) -> datetime:
    """``value`` in UTC (a time without a zone is taken as UTC), or :class:`OverflowError` when
    the conversion leaves the years Python can hold (as ``0001-01-01T00:00:00+01:00`` does).

    >>> as_utc(datetime(2026, 1, 1)).isoformat()
    '2026-01-01T00:00:00+00:00'
    """
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def query_time(name: str, value: datetime | None) -> datetime | None:
    """A time a read names as ``name`` (``start``, ``end``...) in UTC, or :class:`InputError`
    when it is outside ``[EARLIEST, LATEST]``; ``None`` stays ``None``."""
    if value is None:
        return None
    try:
        utc = as_utc(value)
    except OverflowError:
        utc = EARLIEST - timedelta(days=1) if value.year < 2000 else LATEST + timedelta(days=1)
    if utc < EARLIEST:
        raise InputError(
            f"{name}: {value.isoformat()} is before {EARLIEST.isoformat()}, the earliest time a "
            f"prediction can have; give a later time, or leave {name} out"
        )
    if utc > LATEST:
        raise InputError(
            f"{name}: {value.isoformat()} is after {LATEST.isoformat()}, the latest time a query "
            f"may name; give an earlier time, or leave {name} out"
        )
    return utc


def record_time(value: datetime, now: datetime) -> datetime:
    """A prediction's timestamp in UTC, or :class:`ValueError` saying why it cannot be one:
    before :data:`EARLIEST`, or more than :data:`MAX_FUTURE_SKEW` ahead of ``now``.

    >>> now = datetime(2026, 11, 30, tzinfo=UTC)
    >>> record_time(datetime(1, 1, 1), now)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: 0001-01-01T00:00:00 is before 1970-01-01T00:00:00+00:00; check the client's ...
    """
    try:
        utc = as_utc(value)
    except OverflowError:
        utc = EARLIEST - timedelta(days=1) if value.year < 2000 else LATEST
    if utc < EARLIEST:
        raise ValueError(
            f"{value.isoformat()} is before {EARLIEST.isoformat()}; check the client's date "
            "parsing and time unit"
        )
    if utc > now + MAX_FUTURE_SKEW:
        raise ValueError(
            f"{value.isoformat()} is in the future: more than {MAX_FUTURE_SKEW} ahead of the "
            "server clock "
            f"({now.isoformat(timespec='seconds')}); check the client's clock and time unit"
        )
    return utc


def from_epoch_seconds(seconds: float) -> datetime:
    """A time given as seconds since the epoch, or :class:`ValueError` when no date is that
    many seconds away (``1e20``, or milliseconds or nanoseconds sent as seconds).

    >>> from_epoch_seconds(0).isoformat()
    '1970-01-01T00:00:00+00:00'
    >>> from_epoch_seconds(638090584157852655)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: 638090584157852655 seconds since the epoch is past the year 9999; send seconds ...
    """
    if not math.isfinite(seconds):
        raise ValueError("is not a finite number of seconds")
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        side = "past the year 9999" if seconds > 0 else "before the year 1"
        raise ValueError(
            f"{seconds} seconds since the epoch is {side}; send seconds (not milliseconds or "
            "nanoseconds), or an ISO 8601 time"
        ) from None


def microseconds_in_range(low: int | None, high: int | None) -> str | None:
    """Why a column of record timestamps whose smallest and largest values are ``low`` and
    ``high`` microseconds since the epoch cannot be stored, or ``None`` when it can.

    >>> print(microseconds_in_range(-6 * 10**18, 0))
    a timestamp is before 1970-01-01T00:00:00+00:00; check the column's time unit
    """
    if low is not None and low < _EPOCH_MIN_US:
        return f"a timestamp is before {EARLIEST.isoformat()}; check the column's time unit"
    if high is not None and high > _LATEST_US:
        return f"a timestamp is after {LATEST.isoformat()}; check the column's time unit"
    return None
