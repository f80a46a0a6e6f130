"""The last known good state of an incident: the latest window ending by its onset in which
every monitor that fired for it was healthy, with the model versions that served predictions
then and the dataset versions then in use (the newest finished pipeline run that wrote each
dataset before the window's end, with its DatasetVersion facet).

Choosing the window is pure (:func:`last_good_window`); :func:`last_known_good` reads the rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from smokejumper.changes.runs import PipelineRun
from smokejumper.service.incidents.scope import Scope
from smokejumper.store.database import as_utc
from smokejumper.store.lineage import last_writes_before, runs_between
from smokejumper.store.observations import observations_of
from smokejumper.store.windows import window_part_counts

#: How far before the onset a healthy window is looked for.
SEARCH = timedelta(days=14)

#: ``(window start, window end, healthy)``: one observation of a monitor (``None``: no verdict).
Observed = tuple[datetime, datetime, bool | None]


def last_good_window(
    before: datetime, observed: Mapping[str, Sequence[Observed]]
) -> tuple[datetime, datetime] | None:
    """The latest window ending by ``before`` in which every monitor of ``observed`` has a
    verdict and every verdict overlapping it is healthy (monitors of models with other window
    lengths are judged on the windows overlapping it). ``None`` if there is none.

    >>> from datetime import UTC, datetime, timedelta
    >>> h = [datetime(2026, 11, 1, i, tzinfo=UTC) for i in range(6)]
    >>> hour = timedelta(hours=1)
    >>> nulls = [(h[1], h[2], True), (h[2], h[3], True), (h[3], h[4], False)]
    >>> drift = [(h[1], h[2], True), (h[2], h[3], False), (h[3], h[4], False)]
    >>> last_good_window(h[3], {"nulls": nulls, "drift": drift}) == (h[1], h[2])
    True
    >>> last_good_window(h[3], {"nulls": nulls}) == (h[2], h[3])
    True
    >>> last_good_window(h[3], {"nulls": nulls, "latency": []}) is None
    True
    """
    if not observed:
        return None
    candidates = sorted(
        {(s, e) for rows in observed.values() for s, e, _ in rows if e <= before}, reverse=True
    )
    for start, end in candidates:
        if all(_healthy(rows, start, end) for rows in observed.values()):
            return start, end
    return None


def _healthy(rows: Sequence[Observed], start: datetime, end: datetime) -> bool:
    verdicts = [ok for s, e, ok in rows if s < end and e > start and ok is not None]
    return bool(verdicts) and all(verdicts)


def datasets_in_use(runs: Sequence[PipelineRun], wanted: set[tuple[str, str]]) -> list[Any]:
    """For each dataset of ``wanted``, the output of the latest run in ``runs`` (finished runs)
    that wrote it: ``{namespace, name, version, row_count, run_id, job, ended_at}``, by name."""
    latest: dict[tuple[str, str], tuple[PipelineRun, Any]] = {}
    for run in runs:
        for out in run.outputs:
            key = (out.namespace, out.name)
            if key in wanted and (key not in latest or run.at > latest[key][0].at):
                latest[key] = (run, out)
    return [
        {
            "namespace": out.namespace,
            "name": out.name,
            "version": out.version,
            "row_count": out.row_count,
            "run_id": run.run_id,
            "job": run.job,
            "ended_at": run.at.isoformat(),
        }
        for (run, out) in (latest[k] for k in sorted(latest))
    ]


def last_known_good(
    session: Session, scope: Scope, now: datetime, lookback: timedelta
) -> dict[str, Any]:
    """The last known good state of the incident as the API answers it: ``{window_start,
    window_end, versions, datasets}`` (``reason`` says what is missing when it cannot be
    told; ``window_start`` is then ``None``). Datasets: those written by a pipeline run from
    ``lookback`` before the window's end up to ``now``, each at its version then."""
    before = scope.reference
    observed: dict[str, list[Observed]] = {}
    for model, monitors in scope.monitors.items():
        window = scope.window(model)
        for monitor in monitors:
            rows = observations_of(session, scope.models[model], monitor.name, before - SEARCH)
            observed[monitor.name] = [
                (s, s + window, row.healthy)
                for _, row in rows
                if (s := as_utc(row.window_start)) + window <= before
            ]
    found = last_good_window(before, observed)
    if found is None:
        return {
            "window_start": None,
            "window_end": None,
            "versions": [],
            "datasets": [],
            "monitors": sorted(observed),
            "reason": _why_not(observed, scope.reference_kind),
        }
    start, end = found
    versions = []
    for model in sorted(scope.models):
        counts: dict[str, int] = {}
        for _, version, _, n in window_part_counts(session, scope.models[model], start, end):
            counts[version] = counts.get(version, 0) + n
        versions += [
            {"model": model, "version": v or None, "predictions": n}
            for v, n in sorted(counts.items())
        ]
    written = {
        (d.namespace, d.name)
        for run in runs_between(session, end - lookback, now)
        for d in run.outputs
    }
    in_use = datasets_in_use(last_writes_before(session, written, end), written)
    return {
        "window_start": start.isoformat(),
        "window_end": end.isoformat(),
        "versions": versions,
        "datasets": in_use,
        "monitors": sorted(observed),
        "reason": None,
    }


def _why_not(observed: Mapping[str, Sequence[Observed]], reference: str) -> str:
    days = SEARCH.days
    if not observed:
        return (
            "no monitor fired for this incident (declared by hand, or its alerts came from "
            "Alertmanager), so no monitor tells when things were last healthy"
        )
    never = sorted(m for m, rows in observed.items() if not any(ok is not None for *_, ok in rows))
    if never:
        return (
            f"monitor(s) {', '.join(never)} had no verdict in the {days} days before the "
            f"{reference}, so no window is known to be good"
        )
    return (
        f"in no window of the {days} days before the {reference} were all of "
        f"{', '.join(sorted(observed))} healthy"
    )
