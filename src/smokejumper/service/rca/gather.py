"""What a diagnosis reads, gathered from the store for one incident
(:class:`~smokejumper.rca.inputs.DiagnosisInputs`): per model its monitors' observations
from the lookback on, traffic, refused batches, merged window profiles of
:data:`PROFILE_WINDOWS` windows each side of the onset, its reference and the raw log's rows
of those windows (only the columns the slices need), with the labels of at most
:data:`MAX_LABELLED` of those rows each side of the onset (evenly spread, looked up by id);
the changes, judged pipeline runs and alerts of the span.

The reads are bounded by the onset, not by the model's history: a week of hourly windows
and ten million logged rows cost a day of observations and a dozen windows of rows.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.orm import Session

from smokejumper.alerting import Alert
from smokejumper.incidents import EventKind
from smokejumper.monitoring.slices import SliceQuery
from smokejumper.monitoring.windows import summarise
from smokejumper.rca.inputs import DiagnosisInputs, ModelFacts, Observed
from smokejumper.rca.onset import Signal, fault_onset
from smokejumper.rca.profile_checks import profile_findings
from smokejumper.rca.slicing import suspect_columns, with_labels
from smokejumper.service.incidents.reconstruction import judged_runs
from smokejumper.service.incidents.scope import Scope, load_scope
from smokejumper.service.slices import read_slice
from smokejumper.stats.dataset import DatasetProfile, merge_all
from smokejumper.stats.numeric import NumericProfile
from smokejumper.store.alerts import load_alerts
from smokejumper.store.batches import refusal_times
from smokejumper.store.changes import changes_between
from smokejumper.store.database import as_utc
from smokejumper.store.labels import has_labels, labels_for
from smokejumper.store.models import list_models, reference_of, schema_of
from smokejumper.store.monitors import monitors_of
from smokejumper.store.observations import observations_of
from smokejumper.store.rawlog import RawLog
from smokejumper.store.tables import Model
from smokejumper.store.windows import window_part_counts, window_part_rows

#: The default lookback before the onset (hours).
LOOKBACK_HOURS = 24
#: Windows read each side of the onset for profiles and raw rows.
PROFILE_WINDOWS = 6
#: The most raw rows read per model (the earliest are kept past it).
MAX_ROWS = 1_000_000
#: The most rows each side of the onset whose labels are looked up.
MAX_LABELLED = 20_000


def gather(
    session: Session,
    raw_log: RawLog | None,
    incident_id: str,
    now: datetime,
    lookback: timedelta = timedelta(hours=LOOKBACK_HOURS),
) -> DiagnosisInputs:
    """The inputs of the incident's diagnosis (``raw_log`` ``None``: no slices)."""
    scope = load_scope(session, incident_id)
    onset = _fault_onset(session, scope, now, lookback) or scope.reference
    since, until = onset - lookback, max(now, onset)
    models = {
        name: _model(session, raw_log, scope, name, onset, since, until)
        for name in sorted(scope.models)
    }
    names = sorted(models)
    changes = tuple(changes_between(session, since, until, models=names))
    runs = tuple((r, tuple(f)) for r, f in judged_runs(session, since, until))
    return DiagnosisInputs(
        incident_id=incident_id,
        onset=onset,
        now=now,
        lookback=lookback,
        models=models,
        changes=changes,
        runs=runs,
        alerts=tuple(_alerts(session, scope, set(names), since, until)),
        fired=frozenset(m.name for rows in scope.monitors.values() for m in rows),
        claimed=_claimed(session, set(names)),
    )


def _fault_onset(
    session: Session, scope: Scope, now: datetime, lookback: timedelta
) -> datetime | None:
    """The fault's onset (:func:`~smokejumper.rca.onset.fault_onset`) from the incident's
    monitor alerts and their monitors' verdicts over the lookback before its recorded onset."""
    labels = {
        e.details.get("fingerprint"): e.details.get("labels") or {}
        for e in scope.events
        if e.kind is EventKind.ALERT_FIRED
    }
    windows = {m.name: scope.window(model) for model, rows in scope.monitors.items() for m in rows}
    signals = [
        Signal(
            monitor,
            e.at,
            labels.get(e.details.get("fingerprint"), {}).get("severity") == "page",
            windows[monitor],
        )
        for e in scope.events
        if e.kind is EventKind.ONSET and (monitor := e.details.get("monitor")) in windows
    ]
    if not signals:
        return None
    start, end = scope.reference - lookback, max(now, scope.reference)
    verdicts: dict[str, list[tuple[datetime, bool | None]]] = {}
    for name in scope.monitors:
        for monitor, row in observations_of(session, scope.models[name], None, start, end):
            verdicts.setdefault(monitor, []).append((as_utc(row.window_start), row.healthy))
    return fault_onset(signals, verdicts)


def _claimed(session: Session, mine: set[str]) -> frozenset[tuple[str, str]]:
    """The datasets the other models declare they read."""
    return frozenset(
        (d.namespace, d.name)
        for model in list_models(session)
        if model.name not in mine
        for d in schema_of(model).inputs
    )


def _alerts(
    session: Session, scope: Scope, models: set[str], since: datetime, until: datetime
) -> list[Alert]:
    mine = set(scope.incident.alert_fingerprints)
    return sorted(
        (
            a
            for a in load_alerts(session)
            if a.fingerprint in mine
            or (
                since <= a.starts_at < until
                and (a.labels.get("model") in models or a.labels.get("source") == "alertmanager")
            )
        ),
        key=lambda a: (a.starts_at, a.fingerprint),
    )


def _model(
    session: Session,
    raw_log: RawLog | None,
    scope: Scope,
    name: str,
    onset: datetime,
    since: datetime,
    until: datetime,
) -> ModelFacts:
    model = scope.models[name]
    schema = schema_of(model)
    window = timedelta(seconds=model.window_seconds)
    specs = {row.name: json.loads(row.spec_json) for row, _ in monitors_of(session, model)}
    observed = tuple(
        Observed(
            model=name,
            monitor=monitor,
            type=str(specs.get(monitor, {}).get("type", "")),
            window_start=as_utc(row.window_start),
            value=row.value,
            healthy=row.healthy,
            details=json.loads(row.details or "{}"),
            id=str(row.id),
            column=specs.get(monitor, {}).get("column"),
        )
        for monitor, row in observations_of(session, model, None, since - window, until)
    )
    low = onset - PROFILE_WINDOWS * window
    high = min(until, onset + PROFILE_WINDOWS * window)
    profiles = tuple(
        (w.start, merge_all([without_sketches(p) for p in w.profiles]))
        for w in summarise(window_part_rows(session, model, low, high), model.window_seconds)
        if w.profiles
    )
    reference = reference_of(session, model)
    facts = ModelFacts(
        name=name,
        window=window,
        features=tuple(f.name for f in schema.features),
        segments=tuple(schema.segments),
        inputs=frozenset((d.namespace, d.name) for d in schema.inputs),
        observations=observed,
        traffic=tuple(window_part_counts(session, model, since, until)),
        refusals=tuple(t for t in refusal_times(session, model) if since <= t < until),
        profiles=profiles,
        reference=reference,
    )
    if raw_log is None or high <= low:
        return facts
    labelled = has_labels(session, model)
    rows = _rows(session, raw_log, model, facts, onset, low, high, with_ids=labelled)
    if not labelled:  # no labels at all: spare the lookup of the rows' ids
        return ModelFacts(**{**facts.__dict__, "rows": rows})
    known = _sampled_labels(session, model, rows, onset)
    rows = with_labels(rows, known).drop_columns(["id"])
    found = _labelled(rows)
    return ModelFacts(**{**facts.__dict__, "rows": rows, "labelled": found})


def without_sketches(profile: DatasetProfile) -> DatasetProfile:
    """``profile`` without its numeric columns' quantile sketches. The diagnosis reads counts,
    bins, moments and ranges of the window profiles, never quantiles, and pooling the
    sketches of a window's parts was most of its time at 60,000 rows a window
    (``benchmarks/rca_diagnosis.py --profile``).

    >>> import pyarrow as pa
    >>> from smokejumper.stats.dataset import profile
    >>> light = without_sketches(profile(pa.table({"age": [1.0, 2.0, 3.0]})))
    >>> light.columns["age"].quantiles is None, light.columns["age"].mean
    (True, 2.0)
    """
    columns = {
        name: replace(c, quantiles=None, quantile_error=None)
        if isinstance(c, NumericProfile)
        else c
        for name, c in profile.columns.items()
    }
    return replace(profile, columns=columns)


def _rows(
    session: Session,
    raw_log: RawLog,
    model: Model,
    facts: ModelFacts,
    onset: datetime,
    low: datetime,
    high: datetime,
    *,
    with_ids: bool = False,
) -> pa.Table:
    before = [p for t, p in facts.profiles if t < onset]
    after = [p for t, p in facts.profiles if t >= onset]
    spiked = [
        c
        for c, kind, *_ in profile_findings(before, after, facts.reference)
        if kind == "null_spike"
    ]
    nulls = [
        (o.window_start, o.healthy, dict(o.details))
        for o in facts.observations
        if o.type == "null_rate"
    ]
    suspects = [c for c in suspect_columns(nulls, spiked, onset) if c in facts.features]
    layout = schema_of(model).arrow_schema()
    columns = ["timestamp", "version", *facts.segments, *suspects, "error", "prediction"]
    if with_ids:
        columns.append("id")
    query = SliceQuery.build(
        layout,
        low,
        high,
        columns=list(dict.fromkeys(columns)),
        limit=MAX_ROWS,
        max_limit=MAX_ROWS,
    )
    return read_slice(session, raw_log, model, layout, query).table


def _sampled_labels(
    session: Session, model: Model, rows: pa.Table, onset: datetime
) -> dict[str, str]:
    """The labels (by prediction id) of at most :data:`MAX_LABELLED` of ``rows`` each side of
    the onset, evenly spread over each side."""
    stamps = rows.column("timestamp")
    after = np.asarray(
        pc.greater_equal(stamps, pa.scalar(onset, stamps.type)).to_numpy(zero_copy_only=False),
        dtype=bool,
    )
    picked = []
    for side in (np.flatnonzero(~after), np.flatnonzero(after)):
        if len(side) > MAX_LABELLED:
            side = side[np.linspace(0, len(side) - 1, MAX_LABELLED).round().astype(np.int64)]
        picked.append(side)
    ids = rows.take(pa.array(np.concatenate(picked))).column("id").to_pylist()
    return labels_for(session, model, [i for i in ids if i is not None])


def _labelled(rows: pa.Table) -> pa.Table:
    """``timestamp``, ``prediction`` and ``label`` (text) of the rows whose label is known."""
    return rows.select(["timestamp", "prediction", "label"]).filter(pc.is_valid(rows["label"]))
