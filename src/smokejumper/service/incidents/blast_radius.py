"""The blast radius of an incident: what it touched since its onset.

* **Traffic**, per model: the predictions logged in windows from the onset on, how many of them
  are *affected* (in a window where a monitor that fired for the incident was unhealthy, and
  of the incident's versions of the model if it names some; only those of the segment the
  monitor named, when it names one: a fairness monitor's worst group; a model with no such
  monitor: every one since the onset) and their share of the model's traffic then; by
  version and by segment (the model's schema's segments, counted from the window parts, so no
  raw log is read).
* **Downstream**, through lineage: the datasets the first anomalous pipeline run before the
  onset wrote, the runs that read them afterwards and what those wrote in turn; the other
  models reading any of them when models declare their input datasets (``inputs:`` in the
  schema; else ``models_known`` is false and ``reason`` says why); and ``sharing``: the other
  models that read a dataset the incident's models read (exposed to the same data).
* **Error budget**: for each SLO on a monitor that fired, the budget left at the onset and now,
  and the part of the budget burned since.

The counting is pure (:func:`traffic`, :func:`downstream`, :func:`budget_burn`);
:func:`blast_radius` reads the rows.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from smokejumper.changes.runs import PipelineRun
from smokejumper.monitoring.slo_status import slo_status
from smokejumper.service.incidents.reconstruction import first_anomalous, judged_runs
from smokejumper.service.incidents.scope import Scope
from smokejumper.service.slos import rounded
from smokejumper.store.database import as_utc
from smokejumper.store.lineage import runs_between
from smokejumper.store.models import list_models, schema_of
from smokejumper.store.observations import observations_of
from smokejumper.store.slos import slo_as_of, slos_with_monitors, verdicts_since
from smokejumper.store.windows import window_part_counts

#: How many hops of lineage are followed downstream of the broken run.
HOPS = 5

#: Why downstream models are not known: nothing links a model to the datasets it reads yet.
NO_MODEL_INPUTS = (
    "models do not declare the datasets they read (the schema has no inputs:), so lineage "
    "cannot tell which models are downstream; the downstream jobs and datasets are listed"
)

Part = tuple[datetime, str, str, int]


def traffic(
    parts: Sequence[Part],
    unhealthy: Collection[datetime] | Mapping[datetime, Collection[str] | None] | None,
    versions: Collection[str],
) -> dict[str, Any]:
    """Predictions in ``parts`` (``(window start, version, segment, rows)``), and those
    affected: in a window of ``unhealthy`` (``None``: every window; a mapping gives each
    window the segments affected in it, ``column=value``, or ``None`` for all of them) and of
    ``versions`` (empty: every version).

    >>> from datetime import UTC, datetime
    >>> h = [datetime(2026, 11, 1, i, tzinfo=UTC) for i in range(3)]
    >>> parts = [(h[0], "v1", "plan=basic", 30), (h[0], "v1", "plan=pro", 10),
    ...          (h[1], "v2", "plan=basic", 60)]
    >>> out = traffic(parts, {h[0]}, ())
    >>> out["predictions"], out["affected_predictions"], out["share_of_traffic"]
    (100, 40, 0.4)
    >>> [(s["segment"], s["affected_predictions"]) for s in out["segments"]]
    [('plan=basic', 30), ('plan=pro', 10)]
    >>> traffic(parts, None, {"v2"})["affected_predictions"]
    60
    >>> traffic(parts, {h[0]: {"plan=pro"}, h[1]: None}, ())["affected_predictions"]
    70
    """
    total = affected = 0
    by_version: dict[str, list[int]] = {}
    by_segment: dict[str, list[int]] = {}
    for start, version, segment, rows in parts:
        hit = _in(unhealthy, start, segment) and (not versions or version in versions)
        total += rows
        affected += rows if hit else 0
        for key, table in ((version, by_version), (segment, by_segment)):
            counts = table.setdefault(key, [0, 0])
            counts[0] += rows
            counts[1] += rows if hit else 0
    return {
        "predictions": total,
        "affected_predictions": affected,
        "share_of_traffic": round(affected / total, 6) if total else None,
        "versions": [
            {"version": v or None, "predictions": n, "affected_predictions": a}
            for v, (n, a) in sorted(by_version.items())
        ],
        "segments": [
            {
                "segment": s,
                "predictions": n,
                "affected_predictions": a,
                "share": round(a / n, 6) if n else None,
            }
            for s, (n, a) in sorted(by_segment.items())
            if s
        ],
    }


def _in(
    unhealthy: Collection[datetime] | Mapping[datetime, Collection[str] | None] | None,
    start: datetime,
    segment: str,
) -> bool:
    """Whether the part of window ``start`` and ``segment`` is affected."""
    if unhealthy is None:
        return True
    if start not in unhealthy:
        return False
    if not isinstance(unhealthy, Mapping):
        return True
    named = unhealthy[start]
    return named is None or bool(set(named) & set(segment.split(",")))


def affected_segment(details: Mapping[str, Any]) -> str | None:
    """The segment an unhealthy observation names (``column=value``: a fairness monitor's
    worst group), or ``None`` when it is about the whole window.

    >>> affected_segment({"segment": "region", "worst": "south"}), affected_segment({})
    ('region=south', None)
    """
    column, worst = details.get("segment"), details.get("worst")
    return f"{column}={worst}" if column and worst is not None else None


def downstream(
    broken: PipelineRun | None,
    later: Sequence[PipelineRun],
    model_inputs: Mapping[str, Collection[tuple[str, str]]] | None,
) -> dict[str, Any]:
    """What lies downstream of ``broken`` (the first anomalous run): the datasets it wrote,
    the runs of ``later`` that read them (and, up to :data:`HOPS` hops, what those wrote and
    who read that), and the models of ``model_inputs`` (``{model: input datasets}``; ``None``
    when models declare none) reading any of them."""
    if broken is None:
        return {
            "run": None,
            "datasets": [],
            "jobs": [],
            "models": None,
            "models_known": False,
            "reason": "no anomalous pipeline run before the onset, so nothing is known to be "
            "downstream of a broken run",
        }
    reached = {(d.namespace, d.name) for d in broken.outputs}
    jobs: dict[str, set[str]] = {}
    frontier = set(reached)
    for _ in range(HOPS):
        found: set[tuple[str, str]] = set()
        for run in later:
            if run.run_id == broken.run_id:
                continue
            if any((d.namespace, d.name) in frontier for d in run.inputs):
                jobs.setdefault(run.job, set()).add(run.run_id)
                found |= {(d.namespace, d.name) for d in run.outputs}
        frontier = found - reached
        if not frontier:
            break
        reached |= frontier
    out: dict[str, Any] = {
        "run": {"run_id": broken.run_id, "job": broken.job, "at": broken.at.isoformat()},
        "datasets": [{"namespace": ns, "name": n} for ns, n in sorted(reached)],
        "jobs": [{"job": job, "runs": sorted(runs)} for job, runs in sorted(jobs.items())],
    }
    if model_inputs is None:
        return {**out, "models": None, "models_known": False, "reason": NO_MODEL_INPUTS}
    models = sorted(m for m, inputs in model_inputs.items() if reached & set(inputs))
    return {**out, "models": models, "models_known": True, "reason": None}


def sharing(
    affected: Collection[str], model_inputs: Mapping[str, Collection[tuple[str, str]]]
) -> list[dict[str, Any]]:
    """The models outside ``affected`` that read a dataset one of ``affected`` reads, with
    those datasets.

    >>> inputs = {"churn": {("wh", "features")}, "upsell": {("wh", "features"), ("wh", "x")},
    ...           "fraud": {("wh", "tx")}}
    >>> sharing(["churn"], inputs)
    [{'model': 'upsell', 'datasets': [{'namespace': 'wh', 'name': 'features'}]}]
    """
    read = {d for m in affected for d in model_inputs.get(m, ())}
    return [
        {"model": m, "datasets": [{"namespace": ns, "name": n} for ns, n in sorted(common)]}
        for m, inputs in sorted(model_inputs.items())
        if m not in affected and (common := read & set(inputs))
    ]


def _downstream(
    session: Session, suspect: PipelineRun | None, later: Sequence[PipelineRun], scope: Scope
) -> dict[str, Any]:
    """:func:`downstream` with the inputs the registered models declare (the incident's
    own models left out of ``models``) and the models sharing their inputs."""
    inputs = {
        m.name: {(d.namespace, d.name) for d in schema_of(m).inputs} for m in list_models(session)
    }
    declared = {m: found for m, found in inputs.items() if found}
    own = set(scope.incident.models)
    others = {m: found for m, found in declared.items() if m not in own}
    found = downstream(suspect, later, others if declared else None)
    return {**found, "sharing": sharing(own, declared)}


def budget_burn(
    slo: str,
    monitor: str,
    objective: float,
    period_days: float,
    verdicts: Sequence[tuple[datetime, bool]],
    window: timedelta,
    onset: datetime,
    as_of: datetime,
) -> dict[str, Any]:
    """The SLO's error budget left at ``onset`` (from the windows ending by then) and at
    ``as_of``, and the part of the whole budget burned in between.

    >>> from datetime import UTC, datetime
    >>> t = [datetime(2026, 11, 1, i, tzinfo=UTC) for i in range(20)]
    >>> verdicts = [(t[i], i < 10) for i in range(12)]  # 10 good windows, then 2 bad
    >>> burn = budget_burn("s", "m", 0.9, 1, verdicts, timedelta(hours=1), t[10], t[12])
    >>> burn["budget_at_onset"], burn["budget_now"], burn["burned_since_onset"]
    (1.0, -0.666666667, 1.666666667)
    """
    before = [(s, ok) for s, ok in verdicts if s + window <= onset]
    then = rounded(slo_status(slo, monitor, objective, period_days, before, window, as_of=onset))
    now = rounded(slo_status(slo, monitor, objective, period_days, verdicts, window, as_of=as_of))
    left_then, left_now = then["error_budget_remaining"], now["error_budget_remaining"]
    return {
        "slo": slo,
        "monitor": monitor,
        "objective": objective,
        "period_days": period_days,
        "budget_at_onset": left_then,
        "budget_now": left_now,
        "burned_since_onset": round(left_then - left_now, 9),
        "state_now": now["state"],
        "as_of": now["as_of"],
    }


def blast_radius(
    session: Session, scope: Scope, now: datetime, lookback: timedelta
) -> dict[str, Any]:
    """The blast radius as the API answers it: ``{since, models, segments_declared,
    downstream, error_budget}`` (see the module docstring)."""
    reference = scope.reference
    models = []
    for name in sorted(scope.models):
        model = scope.models[name]
        window = timedelta(seconds=model.window_seconds)
        start = _window_start(reference, window)
        parts = window_part_counts(session, model, start, now)
        fired = scope.monitors.get(name, ())
        unhealthy: dict[datetime, set[str] | None] | None = None
        if fired:
            unhealthy = {}
            for monitor in fired:
                for _, row in observations_of(session, model, monitor.name, start, now):
                    if row.healthy is not False:
                        continue
                    at = as_utc(row.window_start)
                    segment = affected_segment(json.loads(row.details or "{}"))
                    if segment is None or (at in unhealthy and unhealthy[at] is None):
                        unhealthy[at] = None  # the whole window
                    else:
                        unhealthy[at] = {*(unhealthy.get(at) or ()), segment}
        versions = {v for m, v in scope.incident.versions if m == name}
        counted = traffic(parts, unhealthy, versions)
        has_segments = bool(schema_of(model).segments)
        models.append(
            {
                "model": name,
                **counted,
                "affected_by": "unhealthy windows of " + ", ".join(m.name for m in fired)
                if fired
                else "every prediction since the onset (no monitor of this model fired)",
                "segments_known": has_segments,
            }
        )
    since = reference - lookback
    suspect = first_anomalous(judged_runs(session, since, reference), reference)
    later = [] if suspect is None else runs_between(session, suspect.first_event_at, now)
    fired_names = {m.name for rows in scope.monitors.values() for m in rows}
    budgets = []
    for slo, monitor, model in slos_with_monitors(session):
        if monitor.name not in fired_names:
            continue
        window = timedelta(seconds=model.window_seconds)
        period = timedelta(days=slo.period_days)
        verdicts = verdicts_since(session, monitor, reference - period - window)
        as_of = slo_as_of(session, model, monitor)
        budgets.append(
            budget_burn(
                slo.name,
                monitor.name,
                slo.objective,
                slo.period_days,
                verdicts,
                window,
                reference,
                as_of,
            )
        )
    return {
        "since": reference.isoformat(),
        "reference": scope.reference_kind,
        "models": models,
        "segments_declared": list(scope.incident.segments),
        "downstream": _downstream(session, suspect, later, scope),
        "error_budget": {
            "slos": budgets,
            "reason": None
            if budgets
            else "no SLO is defined on a monitor that fired for this incident",
        },
    }


def _window_start(at: datetime, window: timedelta) -> datetime:
    """The start of the window holding ``at`` (windows are aligned on the epoch)."""
    seconds = int(window.total_seconds())
    stamp = int(at.timestamp())
    return datetime.fromtimestamp(stamp - stamp % seconds, tz=at.tzinfo)
