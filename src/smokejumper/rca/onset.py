"""The fault's onset, as the diagnosis reads it: the first window of the unhealthy episode that
paged, bridged over short healthy breaks, and reached back by the warnings joined to it.

An incident records the earliest ``since`` of its alerts (the first window of each alert's
trailing unhealthy run). Two things move that time away from the fault, and the diagnosis then
compares the wrong windows:

- a monitor that flickers (one healthy window amid unhealthy ones, as accuracy does when the
  label mix shifts) restarts its run: its ``since`` comes hours after the fault began;
- a warning from a chance unhealthy window long before, whose episode had ended when the page
  came, still joins the incident: its ``since`` comes hours before the fault.

Here each alert's episode is walked back from its ``since`` over its monitor's observations,
bridging breaks of at most :data:`BRIDGED_WINDOWS` healthy (or unjudged) windows, or longer
ones when the unhealthy run beyond the break is at least as long. The paging
alerts' episodes give the anchor; a warning counts only when its episode reaches the anchor
(no longer break between them than the bridge), and then it can move the onset earlier (a
feature's drift that preceded the accuracy drop). Without a paging alert every alert anchors.

>>> from datetime import UTC, datetime, timedelta
>>> h = timedelta(hours=1)
>>> t0 = datetime(2026, 11, 2, tzinfo=UTC)
>>> def series(marks):  # "x" unhealthy, "." healthy, one window an hour from t0
...     return [(t0 + i * h, mark != "x") for i, mark in enumerate(marks)]
>>> observed = {"accuracy": series("....xx.xxxx"), "drift": series("x.........x")}
>>> fault_onset([Signal("accuracy", t0 + 7 * h, True, h),
...              Signal("drift", t0, False, h)], observed)  # the old warning is left out
datetime.datetime(2026, 11, 2, 4, 0, tzinfo=datetime.timezone.utc)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

#: The longest run of healthy windows always bridged inside one unhealthy episode (a longer
#: one is bridged when the unhealthy run beyond it is at least as long).
BRIDGED_WINDOWS = 2


@dataclass(frozen=True)
class Signal:
    """An alert of the incident: its monitor, the first window of its unhealthy run
    (``since``), whether it paged (a warning does not) and its model's window length."""

    monitor: str
    since: datetime
    paged: bool
    window: timedelta


#: A monitor's verdicts: ``(window start, healthy)``; ``None`` when no verdict was reached.
Verdicts = Sequence[tuple[datetime, bool | None]]


def episode(
    verdicts: Verdicts, since: datetime, window: timedelta, bridge: int = BRIDGED_WINDOWS
) -> tuple[datetime, datetime]:
    """First and last unhealthy windows of the episode holding ``since``. A break of windows
    that were healthy, unjudged or not observed is bridged when it is at most ``bridge``
    windows long, or no longer than the unhealthy run beyond it (a monitor that is unhealthy
    most of the time, healthy now and then).

    >>> from datetime import UTC, datetime, timedelta
    >>> h, t0 = timedelta(hours=1), datetime(2026, 11, 2, tzinfo=UTC)
    >>> marks = "x...x..xxx.x"
    >>> verdicts = [(t0 + i * h, m != "x") for i, m in enumerate(marks)]
    >>> first, last = episode(verdicts, t0 + 7 * h, h)
    >>> (first - t0) // h, (last - t0) // h
    (4, 11)
    """
    unhealthy = {t for t, healthy in verdicts if healthy is False}
    longest = max(bridge, len(unhealthy))  # no break beyond this can be bridged

    def reach(step: timedelta) -> datetime:
        edge, at = since, since + step
        while True:
            gap = 0
            while at not in unhealthy and gap <= longest:
                at, gap = at + step, gap + 1
            run = 0
            while at + run * step in unhealthy:
                run += 1
            if run == 0 or gap > max(bridge, run):
                return edge
            edge = at + (run - 1) * step
            at = edge + step

    return reach(-window), reach(window)


def fault_onset(
    signals: Sequence[Signal],
    verdicts: Mapping[str, Verdicts],
    bridge: int = BRIDGED_WINDOWS,
) -> datetime | None:
    """The fault's onset from the incident's alerts and their monitors' verdicts (see the
    module); ``None`` without signals."""
    if not signals:
        return None
    spans = {s: episode(verdicts.get(s.monitor, ()), s.since, s.window, bridge) for s in signals}
    anchors = [s for s in signals if s.paged] or list(signals)
    onset = min(spans[s][0] for s in anchors)
    # An episode that ends at most ``bridge`` windows before the anchor joins it.
    joined = [
        first for s, (first, last) in spans.items() if last >= onset - (bridge + 1) * s.window
    ]
    return min([onset, *joined])
