"""Service level objectives on any observation: error budgets and multi-window burn rates.

This is the pure core: no I/O, no clock. Callers pass the SLI as :class:`SliSample` buckets (good
and total events per time bucket) and the evaluation instant ``now``; :func:`slo_state` returns an
:class:`SloState` for the alerting side to act on.

Definitions
-----------
* **Burn rate** over a time range = observed bad fraction / (1 - target). A burn rate of 1 spends
  the error budget exactly over one SLO period; 14.4 spends a 30-day budget in 50 hours.
* **Time ranges are half-open** ``[start, end)``. A sample's counts are taken as spread evenly
  over its own ``[start, end)``; a sample that overlaps a range by a fraction *f* of its duration
  contributes *f* x good and *f* x total events (pro rata by time overlap).
* **Error budget** over the period so far (``[now - period, now)``): allowed bad events =
  (1 - target) x events seen; consumed = bad events seen; remaining = 1 - consumed / allowed,
  negative once overspent, 1.0 while no events have been seen.

Alert conditions (SRE workbook, multi-window, multi-burn-rate)
--------------------------------------------------------------
For a 30-day period the workbook table is:

======== =========== ============ ========= ============================
severity long window short window burn rate share of budget spent
======== =========== ============ ========= ============================
page     1 h         5 min        14.4      2 % (14.4 x 1 h / 30 d)
page     6 h         30 min       6         5 % (6 x 6 h / 30 d)
ticket   3 d         6 h          1         10 % (1 x 3 d / 30 d)
======== =========== ============ ========= ============================

A condition fires only when the burn rate reaches the threshold over *both* windows: the long
window says enough budget has been spent to matter, the short one (1/12 of the long) says it is
still being spent, so an alert stops soon after the errors stop. A window without events never
fires. "Reaches" means ``rate >= threshold`` up to a relative tolerance of
:data:`THRESHOLD_REL_TOL`, so a rate exactly at the threshold fires despite binary rounding.

**Other periods.** The share of budget a condition has spent when it fires is
``threshold x long_window / period``. :func:`conditions_for` keeps that share identical by scaling
both windows by ``period / 30 days`` and keeping the thresholds unchanged. The alternative (fixed
windows, thresholds scaled by ``period / 30 days``) keeps the share too, but changes what a
threshold means and breaks for short periods: with a 7-day period the ticket threshold would become
0.23, firing for a service that is comfortably within its objective. With scaled windows every
threshold keeps its meaning for any period (1 = "spending faster than the budget allows", 14.4 =
"the whole budget would be gone in period / 14.4"), and detection time scales with the budget it
protects. The 1/12 ratio between short and long windows is kept as well.

>>> from datetime import datetime, timedelta, timezone
>>> [(c.severity, str(c.long_window), str(c.short_window), c.threshold)
...  for c in conditions_for(timedelta(days=7))]
[('page', '0:14:00', '0:01:10', 14.4), ('page', '1:24:00', '0:07:00', 6.0), \
('ticket', '16:48:00', '1:24:00', 1.0)]
>>> now = datetime(2024, 5, 1, tzinfo=timezone.utc)
>>> hour = timedelta(hours=1)
>>> past = [SliSample(now - (k + 1) * hour, now - k * hour, 1000, 1000) for k in range(1, 720)]
>>> burst = SliSample(now - hour, now, good=856, total=1000)  # 14.4 % bad against a 1 % budget
>>> state = slo_state(past + [burst], now, Objective(0.99))
>>> state.state, [str(c.condition.long_window) for c in state.firing]
('page', ['1:00:00'])
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Literal

from smokejumper.errors import (
    InputError,
    InvalidConditionError,
    InvalidObjectiveError,
    InvalidRangeError,
    InvalidSampleError,
)

Severity = Literal["page", "ticket"]
State = Literal["ok", "ticket", "page", "no_data"]

#: The period the SRE workbook table is written for.
WORKBOOK_PERIOD = timedelta(days=30)

#: Burn rates within this relative tolerance of a threshold count as reaching it, so that a rate
#: exactly at the threshold fires despite binary rounding (0.144 / (1 - 0.99) is 14.39999...).
THRESHOLD_REL_TOL = 1e-9

_MICROSECOND = timedelta(microseconds=1)


# --------------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class SliSample:
    """Good and total events of one SLI time bucket ``[start, end)``.

    >>> t = datetime(2024, 1, 1)
    >>> SliSample(t, t + timedelta(minutes=1), good=998, total=1000).bad
    2.0
    >>> SliSample(t, t, good=1, total=1)
    Traceback (most recent call last):
    ...
    smokejumper.errors.InvalidSampleError: SLI sample ending at 2024-01-01 00:00:00 \
must end after it starts (start 2024-01-01 00:00:00)
    """

    start: datetime
    end: datetime
    good: float
    total: float

    def __post_init__(self) -> None:
        _check_same_awareness(self.start, self.end, InvalidSampleError)
        if self.end <= self.start:
            raise InvalidSampleError(
                f"SLI sample ending at {self.end} must end after it starts (start {self.start})"
            )
        if not (_is_real(self.good) and _is_real(self.total)):
            raise InvalidSampleError(
                f"SLI sample at {self.start}: good and total must be finite numbers, "
                f"got good={self.good!r}, total={self.total!r}"
            )
        if not 0 <= self.good <= self.total:
            raise InvalidSampleError(
                f"SLI sample at {self.start}: need 0 <= good <= total, "
                f"got good={self.good!r}, total={self.total!r}"
            )

    @property
    def bad(self) -> float:
        """Events that missed the objective: ``total - good``."""
        return float(self.total - self.good)


@dataclass(frozen=True)
class Objective:
    """The SLO: a target fraction of good events over a rolling period.

    >>> Objective(0.999).period
    datetime.timedelta(days=30)
    >>> Objective(99)
    Traceback (most recent call last):
    ...
    smokejumper.errors.InvalidObjectiveError: SLO target must be a fraction strictly \
between 0 and 1 (0.99 means 99 % good), got 99; did you mean 0.99?
    """

    target: float
    period: timedelta = WORKBOOK_PERIOD

    def __post_init__(self) -> None:
        if not _is_real(self.target) or not 0 < self.target < 1:
            raise InvalidObjectiveError(
                "SLO target must be a fraction strictly between 0 and 1 (0.99 means 99 % good), "
                f"got {self.target!r}{_percent_hint(self.target)}"
            )
        if not isinstance(self.period, timedelta) or self.period <= timedelta(0):
            raise InvalidObjectiveError(
                f"SLO period must be a positive timedelta (e.g. timedelta(days=30)), "
                f"got {self.period!r}"
            )

    @property
    def budget(self) -> float:
        """The allowed bad fraction, ``1 - target``."""
        return 1.0 - self.target


def _is_real(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _percent_hint(value: object) -> str:
    """A hint for targets plausibly written as percentages (99 instead of 0.99)."""
    if _is_real(value) and isinstance(value, int | float) and 50 <= value < 100:
        return f"; did you mean {value / 100:g}?"
    return ""


def _check_same_awareness(a: datetime, b: datetime, error: type[InputError]) -> None:
    if (a.tzinfo is None) != (b.tzinfo is None):
        raise error(
            f"cannot compare {a} with {b}: one has a time zone and the other does not; "
            "use timezone-aware datetimes (UTC) throughout"
        )


# ----------------------------------------------------------------------------- conditions


@dataclass(frozen=True)
class BurnCondition:
    """Fire at ``severity`` when the burn rate is at least ``threshold`` over both windows.

    >>> page = conditions_for(timedelta(days=30))[0]
    >>> page
    BurnCondition(severity='page', long_window=datetime.timedelta(seconds=3600), \
short_window=datetime.timedelta(seconds=300), threshold=14.4)
    >>> round(page.budget_share(timedelta(days=30)), 6)
    0.02
    """

    severity: Severity
    long_window: timedelta
    short_window: timedelta
    threshold: float

    def __post_init__(self) -> None:
        if self.severity not in ("page", "ticket"):
            raise InvalidConditionError(
                f"burn condition severity must be 'page' or 'ticket', got {self.severity!r}"
            )
        if not timedelta(0) < self.short_window <= self.long_window:
            raise InvalidConditionError(
                "burn condition windows must satisfy 0 < short_window <= long_window, "
                f"got short {self.short_window}, long {self.long_window}"
            )
        if not _is_real(self.threshold) or self.threshold <= 0:
            raise InvalidConditionError(
                f"burn condition threshold must be a positive burn rate, got {self.threshold!r}"
            )

    def budget_share(self, period: timedelta) -> float:
        """Share of a ``period``'s budget spent by burning at ``threshold`` for ``long_window``."""
        return self.threshold * (self.long_window / period)


_WORKBOOK_TABLE = (
    BurnCondition("page", timedelta(hours=1), timedelta(minutes=5), 14.4),
    BurnCondition("page", timedelta(hours=6), timedelta(minutes=30), 6.0),
    BurnCondition("ticket", timedelta(days=3), timedelta(hours=6), 1.0),
)


def conditions_for(period: timedelta) -> list[BurnCondition]:
    """The workbook conditions for an SLO ``period``: windows scaled by ``period / 30 days``.

    Thresholds stay equal, so each condition spends the same share of budget for any period
    (see the module docstring for why).

    >>> [str(c.long_window) for c in conditions_for(timedelta(days=90))]
    ['3:00:00', '18:00:00', '9 days, 0:00:00']
    """
    if not isinstance(period, timedelta) or period <= timedelta(0):
        raise InvalidObjectiveError(f"SLO period must be a positive timedelta, got {period!r}")
    return [
        BurnCondition(
            c.severity, _scale(c.long_window, period), _scale(c.short_window, period), c.threshold
        )
        for c in _WORKBOOK_TABLE
    ]


def _scale(window: timedelta, period: timedelta) -> timedelta:
    """``window x period / 30 days``, exact to the microsecond (never below one microsecond)."""
    ratio = Fraction(period // _MICROSECOND, WORKBOOK_PERIOD // _MICROSECOND)
    return timedelta(microseconds=max(1, round(ratio * (window // _MICROSECOND))))


# ------------------------------------------------------------------------ burn and budget


def _events(samples: Iterable[SliSample], start: datetime, end: datetime) -> tuple[float, float]:
    """``(bad, total)`` events in ``[start, end)``, samples counted pro rata by time overlap."""
    bad = total = 0.0
    for sample in samples:
        _check_same_awareness(sample.start, start, InvalidRangeError)
        overlap = min(sample.end, end) - max(sample.start, start)
        if overlap <= timedelta(0):
            continue
        share = overlap / (sample.end - sample.start)
        bad += share * sample.bad
        total += share * sample.total
    return bad, total


def _check_range(start: datetime, end: datetime) -> None:
    _check_same_awareness(start, end, InvalidRangeError)
    if end <= start:
        raise InvalidRangeError(f"time range must end after it starts, got {start} to {end}")


def burn_rate(
    samples: Iterable[SliSample], start: datetime, end: datetime, objective: Objective
) -> float | None:
    """Burn rate over ``[start, end)``: bad fraction / (1 - target); None without events there.

    A sample partly inside the range counts pro rata by time overlap.

    >>> t = datetime(2024, 1, 1)
    >>> s = SliSample(t, t + timedelta(hours=2), good=960, total=1000)  # 4 % bad
    >>> round(burn_rate([s], t + timedelta(hours=1), t + timedelta(hours=3), Objective(0.99)), 9)
    4.0
    >>> burn_rate([s], t + timedelta(hours=2), t + timedelta(hours=3), Objective(0.99)) is None
    True
    """
    _check_range(start, end)
    bad, total = _events(samples, start, end)
    if total <= 0:
        return None
    return (bad / total) / objective.budget


@dataclass(frozen=True)
class ErrorBudget:
    """The error budget over the SLO period so far, ``[period_start, now)``.

    ``allowed`` and ``consumed`` are bad events; ``remaining`` is the unspent share of the budget
    (1.0 untouched, 0.0 exhausted, negative once overspent).
    """

    period_start: datetime
    now: datetime
    events: float
    allowed: float
    consumed: float
    remaining: float

    @property
    def has_data(self) -> bool:
        """Whether any event fell in the period."""
        return self.events > 0


def error_budget(samples: Iterable[SliSample], now: datetime, objective: Objective) -> ErrorBudget:
    """Allowed, consumed and remaining error budget over ``[now - period, now)``.

    >>> now = datetime(2024, 1, 31)
    >>> day = SliSample(now - timedelta(days=1), now, good=9_950, total=10_000)
    >>> b = error_budget([day], now, Objective(0.99))
    >>> b.period_start, round(b.allowed, 6), b.consumed, round(b.remaining, 6)
    (datetime.datetime(2024, 1, 1, 0, 0), 100.0, 50.0, 0.5)
    """
    start = now - objective.period
    _check_range(start, now)
    consumed, events = _events(samples, start, now)
    allowed = objective.budget * events
    remaining = 1.0 - consumed / allowed if allowed > 0 else 1.0
    return ErrorBudget(start, now, events, allowed, consumed, remaining)


# ------------------------------------------------------------------------------ evaluation


@dataclass(frozen=True)
class ConditionResult:
    """One burn condition at ``now``: burn rates over its two windows and whether it fires."""

    condition: BurnCondition
    long_burn_rate: float | None
    short_burn_rate: float | None
    firing: bool


@dataclass(frozen=True)
class SloState:
    """Everything the alerting side needs: budget, each condition, and the overall state.

    ``state`` is "page" if a page condition fires, else "ticket" if a ticket condition fires,
    else "ok"; "no_data" when no event fell in the SLO period.
    """

    objective: Objective
    now: datetime
    state: State
    budget: ErrorBudget
    conditions: tuple[ConditionResult, ...]

    @property
    def firing(self) -> tuple[ConditionResult, ...]:
        """The conditions that fire, in table order."""
        return tuple(c for c in self.conditions if c.firing)


def _reaches(rate: float | None, threshold: float) -> bool:
    if rate is None:
        return False
    return rate >= threshold or math.isclose(rate, threshold, rel_tol=THRESHOLD_REL_TOL)


def check_condition(
    samples: Sequence[SliSample], now: datetime, objective: Objective, condition: BurnCondition
) -> ConditionResult:
    """Burn rates of ``condition``'s windows ending at ``now``; fires only if both reach it.

    >>> now = datetime(2024, 1, 1, 12)
    >>> old = SliSample(now - timedelta(minutes=70), now - timedelta(minutes=10), 4800, 6000)
    >>> calm = SliSample(now - timedelta(minutes=10), now, 1000, 1000)
    >>> fast_page = conditions_for(timedelta(days=30))[0]
    >>> r = check_condition([old, calm], now, Objective(0.99), fast_page)
    >>> round(r.long_burn_rate or 0, 6), r.short_burn_rate, r.firing
    (16.666667, 0.0, False)
    """
    long = burn_rate(samples, now - condition.long_window, now, objective)
    short = burn_rate(samples, now - condition.short_window, now, objective)
    firing = _reaches(long, condition.threshold) and _reaches(short, condition.threshold)
    return ConditionResult(condition, long, short, firing)


def _overall(budget: ErrorBudget, results: Sequence[ConditionResult]) -> State:
    if not budget.has_data:
        return "no_data"
    fired = {r.condition.severity for r in results if r.firing}
    if "page" in fired:
        return "page"
    return "ticket" if "ticket" in fired else "ok"


def slo_state(
    samples: Iterable[SliSample],
    now: datetime,
    objective: Objective,
    *,
    conditions: Sequence[BurnCondition] | None = None,
) -> SloState:
    """The SLO's state at ``now``: error budget, every burn condition, and the overall state.

    ``conditions`` defaults to :func:`conditions_for` the objective's period.

    >>> now = datetime(2024, 1, 31)
    >>> slo_state([], now, Objective(0.99)).state
    'no_data'
    >>> month = SliSample(now - timedelta(days=30), now, good=995, total=1000)
    >>> slo_state([month], now, Objective(0.99)).state
    'ok'
    """
    kept = tuple(samples)
    chosen = conditions_for(objective.period) if conditions is None else conditions
    budget = error_budget(kept, now, objective)
    results = tuple(check_condition(kept, now, objective, c) for c in chosen)
    return SloState(objective, now, _overall(budget, results), budget, results)
