"""Seasonal baselines: the part of a reference in the same phase of the day or week as a window.

A reference that carries time (a timestamp per row) is cut into *phases*: one profile per hour
of the week (UTC; Monday 00:00-01:00 is phase 0, Sunday 23:00-24:00 phase 167), each made on
the whole reference's bins so that it compares with (and merges with) the window profiles. A
monitor with ``seasonality`` compares a window with the phases it covers:

* ``daily``: the reference's rows in the same hours of the day as the window, whatever the
  day (the hour-of-week phases of those hours, merged);
* ``weekly``: the reference's rows in the same hours of the week.

A window shorter than an hour takes the hour it lies in; a longer one (2 h, a day) takes every
hour it spans, so a daily window under ``daily`` seasonality is compared with the whole day.

>>> import pyarrow as pa
>>> from datetime import UTC, datetime, timedelta
>>> from smokejumper.stats.dataset import profile
>>> start = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday
>>> stamps = [start + timedelta(minutes=30 * i) for i in range(96)]  # two days, 2 rows an hour
>>> rows = pa.table({"age": [float(s.hour) for s in stamps]})
>>> whole = profile(rows)
>>> phases = ReferencePhases(phase_profiles(rows, pa.array(stamps), whole))
>>> sorted(phases.profiles)[:3], len(phases.profiles)
([0, 1, 2], 48)
>>> night = phases.reference_for(datetime(2026, 11, 9, 3, tzinfo=UTC), 3600, "daily")
>>> night.rows, night.columns["age"].mean  # hour 3 of the Monday and of the Tuesday
(4, 3.0)
>>> phases.reference_for(datetime(2026, 11, 9, 3, tzinfo=UTC), 3600, "weekly").rows
2
>>> phases.reference_for(datetime(2026, 11, 11, 3, tzinfo=UTC), 3600, "weekly") is None
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from smokejumper.stats.dataset import DatasetProfile, merge_all, profile

#: How a seasonal monitor picks the part of the reference to compare a window with.
Seasonality = Literal["daily", "weekly"]

HOURS_A_WEEK = 168
_HOUR = 3600
#: 1970-01-01 was a Thursday: hours from the epoch to the Monday that began that week.
_MONDAY_OFFSET = 3 * 24


def hour_of_week(at: datetime) -> int:
    """The phase of ``at``: hours since Monday 00:00 UTC (0 to 167).

    >>> hour_of_week(datetime(2026, 11, 2, 0, 30, tzinfo=UTC)), hour_of_week(
    ...     datetime(2026, 11, 8, 23, 59, tzinfo=UTC))
    (0, 167)
    """
    utc = at.astimezone(UTC)
    return utc.weekday() * 24 + utc.hour


def window_phases(start: datetime, seconds: int) -> frozenset[int]:
    """The hours of the week a window of ``seconds`` starting at ``start`` spans (every hour
    it touches; a window of a week or more spans them all).

    >>> monday = datetime(2026, 11, 2, tzinfo=UTC)
    >>> sorted(window_phases(monday + timedelta(minutes=55), 600))  # 00:55 to 01:05
    [0, 1]
    >>> sorted(window_phases(monday, 7200)), len(window_phases(monday, 86400))
    ([0, 1], 24)
    """
    first = int(start.timestamp()) // _HOUR
    last = (int(start.timestamp()) + max(seconds, 1) - 1) // _HOUR
    count = min(last - first + 1, HOURS_A_WEEK)
    return frozenset((first + i + _MONDAY_OFFSET) % HOURS_A_WEEK for i in range(count))


def matching(phases: frozenset[int], seasonality: Seasonality) -> frozenset[int]:
    """The hour-of-week phases of the reference that match a window spanning ``phases``: the
    same hours of the week (``weekly``), or the same hours of the day on any day (``daily``).

    >>> sorted(matching(frozenset({3}), "weekly")), sorted(matching(frozenset({3}), "daily"))
    ([3], [3, 27, 51, 75, 99, 123, 147])
    """
    if seasonality == "weekly":
        return phases
    hours = {p % 24 for p in phases}
    return frozenset(p for p in range(HOURS_A_WEEK) if p % 24 in hours)


def phase_profiles(
    rows: pa.Table, timestamps: pa.Array | pa.ChunkedArray, whole: DatasetProfile
) -> dict[int, DatasetProfile]:
    """The profile of the rows of each hour of the week present, on the bins of ``whole`` (the
    profile of all the rows); rows without a time belong to no phase."""
    stamps = pc.cast(timestamps, pa.timestamp("us", tz="UTC"))
    valid = np.asarray(pc.is_valid(stamps).to_numpy(zero_copy_only=False), dtype=bool)
    micros = np.asarray(
        pc.fill_null(pc.cast(stamps, pa.int64()), 0).to_numpy(zero_copy_only=False),
        dtype=np.int64,
    )
    phase = (micros // (_HOUR * 1_000_000) + _MONDAY_OFFSET) % HOURS_A_WEEK
    phase[~valid] = -1
    order = np.argsort(phase, kind="stable")
    ordered = rows.take(pa.array(order))
    kept = phase[order]
    out: dict[int, DatasetProfile] = {}
    bounds = np.flatnonzero(np.diff(kept)) + 1
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(kept)], strict=True):
        if hi > lo and kept[lo] >= 0:
            out[int(kept[lo])] = profile(ordered.slice(int(lo), int(hi - lo)), reference=whole)
    return out


@dataclass(frozen=True)
class ReferencePhases:
    """The phase profiles of a model's reference (some or all of them) by hour of the week,
    and every hour of the week the reference has rows in (``known``; the profiles given when
    not said). Empty when the reference carries no time."""

    profiles: Mapping[int, DatasetProfile] = field(default_factory=dict)
    known: frozenset[int] | None = None

    @property
    def hours(self) -> frozenset[int]:
        """The hours of the week the reference has rows in."""
        return self.known if self.known is not None else frozenset(self.profiles)

    def reference_for(
        self, start: datetime, seconds: int, seasonality: Seasonality
    ) -> DatasetProfile | None:
        """The reference's rows in the same phase as the window (merged), ``None`` when it
        has none there."""
        wanted = sorted(matching(window_phases(start, seconds), seasonality) & self.hours)
        found = [self.profiles[p] for p in wanted if p in self.profiles]
        if len(found) != len(wanted):
            missing = sorted(set(wanted) - set(self.profiles))
            raise KeyError(f"phases {missing} were not loaded")
        return merge_all(found) if found else None


def describe(start: datetime, seconds: int, seasonality: Seasonality) -> str:
    """The phase of a window in words, for a reason or a detail.

    >>> describe(datetime(2026, 11, 2, 3, tzinfo=UTC), 3600, "daily")
    '03:00-04:00 UTC'
    >>> describe(datetime(2026, 11, 2, 3, tzinfo=UTC), 7200, "weekly")
    'Monday 03:00-05:00 UTC'
    """
    utc = start.astimezone(UTC)
    end = utc + timedelta(seconds=seconds)
    span = f"{utc:%H:%M}-{end:%H:%M} UTC" if seconds < 86400 else "the whole day"
    return span if seasonality == "daily" else f"{utc:%A} {span}"
