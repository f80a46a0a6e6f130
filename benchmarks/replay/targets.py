"""The targets of issue 9 for the windowed replay, shared by the benchmark and the test.

>>> result = SizeResult(100, clean_windows=500, clean_unhealthy=5, shifted_windows=100,
...                     shifted_caught=98, clean_unhealthy_after_shift=0)
>>> false_alarms_met(result), caught_met(result)
(True, True)
>>> too_many, missed = SizeResult(100, 500, 6, 100, 100, 0), SizeResult(100, 500, 0, 100, 97, 0)
>>> false_alarms_met(too_many), caught_met(missed)
(False, False)
"""

from __future__ import annotations

from .run import SizeResult

#: At most this many unhealthy clean windows per 100 clean windows, from 100 rows per window up.
MAX_FALSE_ALARMS_PER_100 = 1.0
#: The shift caught in at least this share of the shifted windows ("nearly every window").
MIN_CAUGHT_SHARE = 0.98


def false_alarms_met(result: SizeResult) -> bool:
    """At most :data:`MAX_FALSE_ALARMS_PER_100` unhealthy clean windows in 100."""
    return result.false_alarms_per_100 <= MAX_FALSE_ALARMS_PER_100


def caught_met(result: SizeResult) -> bool:
    """The shift caught in at least :data:`MIN_CAUGHT_SHARE` of the shifted windows."""
    return result.caught_share >= MIN_CAUGHT_SHARE
