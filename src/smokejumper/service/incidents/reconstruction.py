"""The reconstruction of an incident: one time-ordered list of what happened from a lookback
before its onset up to now: changes from the change log, pipeline runs from the lineage graph
(each judged against its job's earlier runs: failed, slow, row count far from usual, failed
assertions), alias moves and new model versions, alerts of its models, and the onsets of its
models' monitors (the first window of each unhealthy run). Items before the onset are marked,
and so is the first anomalous pipeline run before it: the usual suspect.

Merging and marking is pure (:func:`merge_items`, :func:`unhealthy_onsets`);
:func:`reconstruct` reads the rows.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from smokejumper.alerting import Alert
from smokejumper.changes import Change, Flag
from smokejumper.changes.health import HISTORY
from smokejumper.changes.runs import PipelineRun, change_key, judge_run
from smokejumper.service.incidents.scope import Scope
from smokejumper.store.alerts import find_alerts, load_alerts
from smokejumper.store.changes import changes_between
from smokejumper.store.database import as_utc
from smokejumper.store.lineage import job_runs_before, runs_between
from smokejumper.store.monitors import monitors_of
from smokejumper.store.observations import observations_of

#: The default lookback before the onset, and the longest allowed.
LOOKBACK_HOURS = 24
MAX_LOOKBACK_HOURS = 24 * 30

#: Change kinds that are alias moves or new model versions (the registry's side of a change).
ALIAS_KINDS = frozenset({"alias_move", "model_version"})

#: The most items answered (the newest are dropped first; ``truncated`` says so).
MAX_ITEMS = 2000

Judged = tuple[PipelineRun, Sequence[Flag]]


def unhealthy_onsets(rows: Sequence[tuple[datetime, bool | None]]) -> list[datetime]:
    """The first window of each unhealthy run in ``(window start, healthy)`` rows, oldest
    first (a window without verdict neither starts nor ends a run).

    >>> from datetime import UTC, datetime
    >>> h = [datetime(2026, 11, 1, i, tzinfo=UTC) for i in range(6)]
    >>> rows = [(h[0], False), (h[1], True), (h[2], False), (h[3], None), (h[4], False)]
    >>> [t.hour for t in unhealthy_onsets(rows)]
    [0, 2]
    """
    onsets, unhealthy = [], False
    for start, ok in sorted(rows):
        if ok is None:
            continue
        if not ok and not unhealthy:
            onsets.append(start)
        unhealthy = not ok
    return onsets


def first_anomalous(runs: Sequence[Judged], before: datetime) -> PipelineRun | None:
    """The earliest run (by :attr:`PipelineRun.at`) with a flag that happened before
    ``before``."""
    flagged = sorted((r for r, flags in runs if flags and r.at < before), key=lambda r: r.at)
    return flagged[0] if flagged else None


def merge_items(
    reference: datetime,
    *,
    changes: Sequence[Change] = (),
    runs: Sequence[Judged] = (),
    alerts: Sequence[Alert] = (),
    attached: Collection[str] = (),
    onsets: Sequence[tuple[str, str, datetime]] = (),
    recorded: Mapping[str, datetime] | None = None,
) -> list[dict[str, Any]]:
    """One list, oldest first, of ``changes`` (those of kind ``alias_move`` and
    ``model_version`` as ``alias_move`` items; a pipeline run's own change-log entry is left
    out for its run), ``runs`` with their flags, ``alerts`` firing and resolving (``attached``:
    the fingerprints of the incident's own), and ``onsets`` ``(model, monitor, at)``
    (``recorded``: the incident's onsets by monitor). Each item has ``at``, ``kind``,
    ``what``, ``summary``, ``model``, ``source``, ``before_onset`` and ``details``; the first
    flagged run before ``reference`` has ``first_anomalous``.

    >>> from datetime import UTC, datetime
    >>> from smokejumper.changes import make_change
    >>> t = datetime(2026, 11, 1, 3, tzinfo=UTC)
    >>> move = make_change(key="m1", at=t.replace(hour=1), kind="alias_move", model="churn",
    ...                    summary="champion: v6 -> v7")
    >>> items = merge_items(t, changes=[move], onsets=[("churn", "age-nulls", t)],
    ...                     recorded={"age-nulls": t})
    >>> [(i["kind"], i["before_onset"]) for i in items]
    [('alias_move', True), ('onset', False)]
    >>> items[1]["summary"]
    'age-nulls: first unhealthy window (the incident onset)'
    """
    own_runs = {change_key(run.run_id) for run, _ in runs}
    suspect = first_anomalous(runs, reference)
    items: list[dict[str, Any]] = []
    for change in changes:
        if change.key in own_runs:
            continue
        items.append(
            _item(
                change.at,
                "alias_move" if change.kind in ALIAS_KINDS else "change",
                change.kind,
                change.summary,
                reference,
                model=change.model,
                source=change.source,
                details={
                    "id": change.key,
                    "service": change.service,
                    "link": change.link,
                    **dict(change.details),
                },
            )
        )
    for run, flags in runs:
        item = _item(
            run.at,
            "pipeline_run",
            run.state,
            _run_summary(run, flags),
            reference,
            source="openlineage",
            details=run.to_dict(flags),
        )
        item["anomalous"] = bool(flags)
        item["first_anomalous"] = suspect is not None and run.run_id == suspect.run_id
        items.append(item)
    for alert in alerts:
        mine = alert.fingerprint in attached
        name = alert.labels.get("alertname") or alert.labels.get("monitor") or alert.fingerprint
        summary = alert.annotations.get("summary") or name
        facts = {"fingerprint": alert.fingerprint, "labels": dict(alert.labels), "incident": mine}
        model = alert.labels.get("model")
        items.append(
            _item(
                alert.starts_at,
                "alert",
                "fired",
                summary,
                reference,
                model=model,
                source="alerting",
                details=facts,
            )
        )
        if alert.ends_at is not None:
            items.append(
                _item(
                    alert.ends_at,
                    "alert",
                    "resolved",
                    f"resolved: {summary}",
                    reference,
                    model=model,
                    source="alerting",
                    details=facts,
                )
            )
    marked = recorded or {}
    for model, monitor, at in onsets:
        own = marked.get(monitor) == at
        tail = " (the incident onset)" if own and at == reference else ""
        items.append(
            _item(
                at,
                "onset",
                monitor,
                f"{monitor}: first unhealthy window{tail}",
                reference,
                model=model,
                source="monitoring",
                details={"monitor": monitor, "incident": own},
            )
        )
    order = {"change": 0, "alias_move": 1, "pipeline_run": 2, "onset": 3, "alert": 4}
    items.sort(key=lambda i: (i["at"], order[i["kind"]], i["summary"]))
    return items


def _item(
    at: datetime,
    kind: str,
    what: str,
    summary: str,
    reference: datetime,
    *,
    model: str | None = None,
    source: str,
    details: Mapping[str, Any],
) -> dict[str, Any]:
    return {
        "at": at.isoformat(),
        "kind": kind,
        "what": what,
        "summary": summary,
        "model": model,
        "source": source,
        "before_onset": at < reference,
        "details": dict(details),
    }


def _run_summary(run: PipelineRun, flags: Sequence[Flag]) -> str:
    wrote = ", ".join(
        f"{d.name} ({d.row_count:,} rows)" if d.row_count is not None else d.name
        for d in run.outputs
    )
    text = f"{run.job} {run.state}" + (f": wrote {wrote}" if wrote else "")
    if flags:
        text += "; " + "; ".join(f.message for f in flags)
    return text if len(text) <= 1000 else text[:997] + "..."


def judged_runs(session: Session, since: datetime, until: datetime) -> list[Judged]:
    """Pipeline runs going on in ``[since, until)``, oldest first, each with its flags against
    its job's earlier runs (one read per job)."""
    runs = runs_between(session, since, until)
    by_job: dict[tuple[str, str], list[PipelineRun]] = {}
    for run in runs:
        by_job.setdefault((run.job_namespace, run.job_name), []).append(run)
    history: dict[tuple[str, str], list[PipelineRun]] = {}
    for (namespace, name), mine in by_job.items():
        newest = max(r.first_event_at for r in mine) + timedelta(microseconds=1)
        history[(namespace, name)] = job_runs_before(
            session, namespace, name, newest, len(mine) + HISTORY
        )
    out: list[Judged] = []
    for run in runs:
        known = history[(run.job_namespace, run.job_name)]
        previous = [p for p in known if p.first_event_at < run.first_event_at]
        out.append((run, judge_run(run, previous)))
    return out


def reconstruct(
    session: Session, scope: Scope, now: datetime, lookback: timedelta
) -> dict[str, Any]:
    """The incident's reconstruction as the API answers it: ``{incident_id, onset_at,
    reference, since, until, lookback_hours, first_anomalous_run, items, truncated}``."""
    reference = scope.reference
    since, until = reference - lookback, max(now, reference)
    models = sorted(set(scope.incident.models) | set(scope.models))
    changes = changes_between(session, since, until, models=models)
    runs = judged_runs(session, since, until)
    stored = load_alerts(session)
    alerts = {
        a.fingerprint: a
        for model in models
        for a in find_alerts(session, model=model)
        if since <= a.starts_at < until
    }
    for fingerprint in scope.incident.alert_fingerprints:
        if (a := stored.get(fingerprint)) is not None:
            alerts[fingerprint] = a
    onsets: list[tuple[str, str, datetime]] = []
    for name in models:
        if name not in scope.models:
            continue
        model = scope.models[name]
        window = timedelta(seconds=model.window_seconds)
        for monitor, _ in monitors_of(session, model):
            rows = observations_of(session, model, monitor.name, since - window, until)
            starts = unhealthy_onsets([(as_utc(r.window_start), r.healthy) for _, r in rows])
            onsets += [(name, monitor.name, at) for at in starts if at >= since]
    recorded = {str(e.details["monitor"]): e.at for e in scope.events if e.kind.value == "onset"}
    items = merge_items(
        reference,
        changes=changes,
        runs=runs,
        alerts=sorted(alerts.values(), key=lambda a: (a.starts_at, a.fingerprint)),
        attached=scope.incident.alert_fingerprints,
        onsets=onsets,
        recorded=recorded,
    )
    suspect = first_anomalous(runs, reference)
    return {
        "incident_id": scope.incident.id,
        "onset_at": None if scope.incident.onset_at is None else reference.isoformat(),
        "reference": scope.reference_kind,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "lookback_hours": lookback.total_seconds() / 3600,
        "first_anomalous_run": None
        if suspect is None
        else {"run_id": suspect.run_id, "job": suspect.job, "at": suspect.at.isoformat()},
        "items": items[:MAX_ITEMS],
        "truncated": len(items) > MAX_ITEMS,
    }
