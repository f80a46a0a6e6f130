"""Evaluation passes: evaluate monitors on closed windows and store their observations.

Which windows a pass evaluates:

* every closed window of a model with monitors that holds data or refused batches, and every
  silent closed window (neither) from the model's first such window on, back to at most
  :data:`SILENCE_LOOKBACK` from now, so that a model whose traffic stops is still evaluated
  (a ``volume`` monitor sees 0 rows) without an unbounded backlog for a long-idle model;
* of those, the windows never evaluated, and the ones evaluated before something new arrived for
  them: a batch with rows in the window (late predictions, e.g. a client's spool replayed after
  an outage), a custom metric posted for it, or labels (for windows up to
  :data:`LABEL_LOOKBACK` old).

New or late predictions make every monitor of the window evaluated again (and, in the first
window with rows, the monitors of every window that compare with it: prediction drift and
confidence drift); late labels only the monitors that read labels (performance, fairness), a
late custom metric only the custom ones (each monitor type says what it reads); the other
observations of the window stay as they were.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa
from sqlalchemy.orm import Session

from smokejumper.monitoring.monitors import MonitorSpec, WindowData, evaluate_all
from smokejumper.service.evaluation.loading import Needs, WindowLoader
from smokejumper.service.evaluation.window_cache import WindowCache
from smokejumper.store.batches import refusal_times
from smokejumper.store.custom_metrics import custom_arrivals
from smokejumper.store.labels import label_summary
from smokejumper.store.models import list_models, reference_of
from smokejumper.store.monitors import monitors_of
from smokejumper.store.observations import save_observations
from smokejumper.store.rawlog import RawLog
from smokejumper.store.tables import Model, Monitor
from smokejumper.store.windows import (
    Evaluated,
    save_window_evaluations,
    window_batch_counts,
    window_evaluations,
)

#: How far back late labels cause windows to be evaluated again.
LABEL_LOOKBACK = timedelta(days=7)
#: How far back windows without data (silent windows) are evaluated: only silent windows that
#: closed within this span before now, so a model idle for a year gets 30 days of them, once.
SILENCE_LOOKBACK = timedelta(days=30)


@dataclass
class RunSummary:
    """What one evaluation pass did."""

    windows: int = 0
    observations: int = 0
    unhealthy: list[str] = field(default_factory=list)


def window_of(at: datetime, seconds: int) -> datetime:
    """Start of the window of ``seconds`` that contains ``at`` (windows start on multiples of
    their length since the epoch, as ingest places rows)."""
    epoch = int(at.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, UTC)


def closed_windows(
    session: Session, model: Model, now: datetime, with_rows: Iterable[datetime] | None = None
) -> list[datetime]:
    """Starts of the model's closed windows to evaluate, oldest first: those with data or
    refused batches, and the silent ones between the first of those and ``now`` that closed
    within :data:`SILENCE_LOOKBACK`. ``with_rows``: the windows with data, when known."""
    seconds = model.window_seconds
    if with_rows is None:
        with_rows = window_batch_counts(session, model)
    refused = {window_of(at, seconds) for at in refusal_times(session, model)}
    active = set(with_rows) | refused
    if not active:
        return []
    span = timedelta(seconds=seconds)
    silent_from = max(min(active), window_of(now - SILENCE_LOOKBACK, seconds))
    starts = active | set(_every_window(silent_from, now, span))
    return sorted(s for s in starts if s + span <= now)


def _every_window(start: datetime, now: datetime, span: timedelta) -> Iterable[datetime]:
    """Every window from ``start`` on that has closed by ``now``."""
    while start + span <= now:
        yield start
        start += span


#: The window parts that late labels, a custom metric posted afterwards, or new rows in the
#: baseline window (the first with rows) change in a window evaluated before: the monitors that
#: read them (``spec.parts_read()``) are the ones to evaluate again.
LABELS = frozenset({"labels"})
CUSTOM = frozenset({"custom"})
BASELINE = frozenset({"baseline"})

#: Which monitors of a due window to evaluate: those reading these parts, or ``None`` for all.
Affected = frozenset[str] | None


@dataclass(frozen=True)
class Arrived:
    """What a model holds as a pass begins (read before any window is): the batches with rows
    in each window, how many labels there are and when the newest came, and when the newest
    custom metric of each window came."""

    batches: dict[datetime, int]
    labels: int
    label_time: datetime | None
    custom: dict[datetime, datetime]

    @classmethod
    def read(cls, session: Session, model: Model) -> Arrived:
        """The counts and times in the store now."""
        labels, label_time = label_summary(session, model)
        return cls(
            window_batch_counts(session, model),
            labels,
            label_time,
            custom_arrivals(session, model),
        )

    def relabelled(self, seen: Evaluated) -> bool:
        """Whether labels arrived after a window was evaluated ``seen``: more or fewer of them
        than it was evaluated with, or one newer than its evaluation (a changed label)."""
        counted = seen.labels is not None and seen.labels != self.labels
        return counted or (self.label_time is not None and self.label_time > seen.at)

    def baseline(self, now: datetime, window_seconds: int) -> datetime | None:
        """Start of the first closed window with rows: what prediction and confidence drift
        compare every window with."""
        closed_by = now - timedelta(seconds=window_seconds)
        return min((start for start in self.batches if start <= closed_by), default=None)


def _due(
    session: Session, model: Model, starts: list[datetime], now: datetime, arrived: Arrived
) -> dict[datetime, Affected]:
    """The windows among ``starts`` that are due, with the monitors to evaluate on each: all of
    them on windows never evaluated, or evaluated when they held a different number of batches
    (late predictions); the label-reading ones on windows (up to :data:`LABEL_LOOKBACK` old)
    evaluated before labels arrived; the custom ones on windows evaluated before a custom
    metric for them arrived; the ones that may compare with the baseline on every window
    evaluated before, when the baseline window (the first with rows) is evaluated afresh.

    Batches and labels are counted, not only compared by arrival time: one stamped before a
    pass began but committed after the pass read the store still changes the count.
    """
    evaluated = window_evaluations(session, model)
    relabelled_since = now - LABEL_LOOKBACK
    due: dict[datetime, Affected] = {}
    for start in starts:
        seen = evaluated.get(start)
        if seen is None or (
            seen.batches is not None and seen.batches != arrived.batches.get(start, 0)
        ):
            due[start] = None
            continue
        parts: frozenset[str] = frozenset()
        if start >= relabelled_since and arrived.relabelled(seen):
            parts |= LABELS
        if arrived.custom.get(start, start) > seen.at:
            parts |= CUSTOM
        if parts:
            due[start] = parts
    baseline = arrived.baseline(now, model.window_seconds)
    if baseline is not None and baseline in due and due[baseline] is None:
        for start in evaluated.keys() & set(starts):  # compared with a baseline that changed
            affected = due.get(start, frozenset())
            if affected is not None:
                due[start] = affected | BASELINE
    return due


def _by_affected(due: dict[datetime, Affected]) -> dict[Affected, list[datetime]]:
    """The due windows grouped by the monitors to evaluate on them, each group in time order.

    >>> a, b, c = (datetime(2026, 1, 1, h, tzinfo=UTC) for h in range(3))
    >>> _by_affected({a: None, b: LABELS, c: None}) == {None: [a, c], LABELS: [b]}
    True
    """
    groups: dict[Affected, list[datetime]] = {}
    for start in sorted(due):
        groups.setdefault(due[start], []).append(start)
    return groups


def run_once(
    session: Session,
    raw_log: RawLog,
    now: datetime | None = None,
    *,
    cache: WindowCache | None = None,
) -> RunSummary:
    """Evaluate every monitor on every window that is due.

    ``cache`` keeps window rows and profiles between passes (see :mod:`.window_cache`): the
    server passes the one its state owns; without one, nothing is kept after this pass. A
    model's observations and window evaluations are written at the end of its windows, in one
    transaction.
    """
    now = now or datetime.now(UTC)
    cache = WindowCache() if cache is None else cache
    summary = RunSummary()
    for model in list_models(session):
        monitors = monitors_of(session, model)
        if not monitors:
            continue
        arrived = Arrived.read(session, model)  # before any window is read
        starts = closed_windows(session, model, now, arrived.batches)
        due = _due(session, model, starts, now, arrived)
        if not due:
            continue
        baseline = arrived.baseline(now, model.window_seconds)
        observed: list[dict[str, Any]] = []
        for parts, group in _by_affected(due).items():
            chosen = [m for m in monitors if parts is None or m[1].parts_read() & parts]
            if chosen:
                observed += _evaluate(
                    session, raw_log, model, chosen, group, now, baseline, cache, summary
                )
        save_observations(session, observed)
        save_window_evaluations(session, model, sorted(due), now, arrived.batches, arrived.labels)
        session.commit()
        summary.windows += len(due)
        summary.observations += len(observed)
    return summary


def _evaluate(
    session: Session,
    raw_log: RawLog,
    model: Model,
    monitors: Sequence[tuple[Monitor, MonitorSpec]],
    due: Sequence[datetime],
    now: datetime,
    baseline_start: datetime | None,
    cache: WindowCache,
    summary: RunSummary,
) -> list[dict[str, Any]]:
    """The observation rows of every monitor on the ``due`` windows of one model; unhealthy
    ones are also named in ``summary``. ``baseline_start``: see :meth:`Arrived.baseline`."""
    specs = [spec for _, spec in monitors]
    needs = Needs.of(specs)
    reference = reference_of(session, model) if needs.reference else None
    loader = WindowLoader(session, raw_log, model, reference, needs, cache)
    baseline = None
    observed: list[dict[str, Any]] = []
    for data in loader.windows(due):
        if needs.baseline:
            if baseline is None:
                baseline = _baseline(loader, data, baseline_start)
            data = replace(data, baseline=baseline)
        for (row, spec), obs in zip(monitors, evaluate_all(specs, data), strict=True):
            observed.append(
                {
                    "monitor_id": row.id,
                    "window_start": data.start,
                    "value": obs.value,
                    "healthy": obs.healthy,
                    "details": json.dumps(obs.details),
                    "evaluated_at": now,
                }
            )
            if obs.healthy is False:
                summary.unhealthy.append(f"{spec.name}@{data.start.isoformat()}")
    return observed


def _baseline(loader: WindowLoader, data: WindowData, start: datetime | None) -> pa.Table | None:
    """Prediction and confidence of the window starting at ``start`` (the model's first closed
    window with rows; ``None`` when it has none): what prediction and confidence drift compare
    every window with."""
    if start is None:
        return None
    rows = data.predictions if data.start == start else loader.rows(start)
    return rows.select(["prediction", "confidence"])
