"""What looks wrong about a pipeline run, judged against the job's previous runs (pure).

A run is flagged when it failed or was aborted, when an assertion on a dataset it wrote failed,
when it wrote far fewer (or far more) rows than usual, and when it took far longer than usual.
"Usual" is the median of the job's previous finished runs (at most :data:`HISTORY` of them) and
needs :data:`MIN_HISTORY` of them; below that nothing is called unusual.

>>> flag = row_count_flag("features.daily", 400, [1200, 1180, 1250, 1210])
>>> flag.kind
'row_count_low'
>>> flag.message
'features.daily: 400 rows, under half the usual 1,205 (median of 4 previous runs)'
>>> row_count_flag("features.daily", 1190, [1200, 1180, 1250]) is None
True
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

#: A count under LOW x the median of the previous runs (or over HIGH x) is far from usual.
LOW = 0.5
HIGH = 2.0
#: A run over SLOW x the median duration of the previous runs is slow.
SLOW = 2.0
#: Previous runs needed before anything is called unusual, and the most that are read.
MIN_HISTORY = 3
HISTORY = 10


@dataclass(frozen=True)
class Flag:
    """Something wrong about a run: ``kind`` (``run_failed``, ``failed_assertions``,
    ``row_count_low``, ``row_count_high``, ``slow``), the dataset it is about (if any) and
    the message saying so."""

    kind: str
    message: str
    dataset: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        """The flag as JSON-ready data."""
        return {"kind": self.kind, "dataset": self.dataset, "message": self.message}


def row_count_flag(dataset: str, count: int | None, previous: Sequence[int]) -> Flag | None:
    """A flag when ``count`` rows of ``dataset`` is far from the median of ``previous`` counts
    (the job's earlier runs, newest first; the first :data:`HISTORY` are read)."""
    usual = _median(previous)
    if count is None or usual is None:
        return None
    base = f"{dataset}: {count:,} rows"
    tail = f"the usual {usual:,.0f} (median of {min(len(previous), HISTORY)} previous runs)"
    if count < LOW * usual:
        return Flag("row_count_low", f"{base}, under half {tail}", dataset)
    if count > HIGH * usual:
        return Flag("row_count_high", f"{base}, over twice {tail}", dataset)
    return None


def duration_flag(seconds: float | None, previous: Sequence[float]) -> Flag | None:
    """A flag when a run of ``seconds`` took over :data:`SLOW` x the median of ``previous``.

    >>> duration_flag(3600.0, [600.0, 620.0, 580.0]).message
    'took 60 min, over twice the usual 10 min'
    """
    usual = _median(previous)
    if seconds is None or usual is None or usual <= 0 or seconds <= SLOW * usual:
        return None
    return Flag("slow", f"took {seconds / 60:,.0f} min, over twice the usual {usual / 60:,.0f} min")


def state_flag(state: str, error: str | None = None) -> Flag | None:
    """A flag for a run that ended ``FAIL`` or ``ABORT``.

    >>> state_flag("FAIL", "division by zero").message
    'the run failed: division by zero'
    >>> state_flag("COMPLETE") is None
    True
    """
    if state == "FAIL":
        return Flag("run_failed", "the run failed" + (f": {error}" if error else ""))
    if state == "ABORT":
        return Flag("run_failed", "the run was aborted")
    return None


def assertions_flag(dataset: str, failed: Sequence[str]) -> Flag | None:
    """A flag naming the failed assertions on ``dataset`` (none: no flag).

    >>> assertions_flag("features.daily", ["not_null(age)"]).message
    'features.daily: 1 assertion failed: not_null(age)'
    """
    if not failed:
        return None
    word = "assertion" if len(failed) == 1 else "assertions"
    shown = ", ".join(name[:200] for name in failed[:10])
    more = f" and {len(failed) - 10} more" if len(failed) > 10 else ""
    return Flag(
        "failed_assertions", f"{dataset}: {len(failed)} {word} failed: {shown}{more}", dataset
    )


def _median(previous: Sequence[float]) -> float | None:
    recent = list(previous[:HISTORY])
    return float(statistics.median(recent)) if len(recent) >= MIN_HISTORY else None
