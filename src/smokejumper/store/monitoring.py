"""Monitors, SLOs, labels, custom metrics and observations in the metadata store."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import ARRAY, ColumnElement, String, any_, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smokejumper.errors import InputError
from smokejumper.monitoring.monitors import MonitorConfig, MonitorSpec, SloSpec, parse_monitor
from smokejumper.monitoring.slo_status import slo_status
from smokejumper.store.database import as_utc
from smokejumper.store.models import get_model
from smokejumper.store.tables import (
    Base,
    CustomMetric,
    IngestBatch,
    Label,
    Model,
    Monitor,
    Observation,
    Rejection,
    Slo,
    WindowEvaluation,
    WindowPart,
)


def upsert(
    session: Session, entity: type[Base], rows: Sequence[Mapping[str, Any]], keys: Sequence[str]
) -> None:
    """Insert rows, replacing those whose ``keys`` match (SQLite and PostgreSQL)."""
    if not rows:
        return
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(entity).values(list(rows))
    updates = {c: stmt.excluded[c] for c in rows[0] if c not in keys}
    session.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=updates))


def save_monitor(session: Session, spec: MonitorSpec) -> Monitor:
    """Create the monitor, or replace the spec of the one with its name."""
    model = get_model(session, spec.model)
    row = session.scalar(select(Monitor).where(Monitor.name == spec.name))
    if row is None:
        row = Monitor(
            name=spec.name,
            model_id=model.id,
            spec_json=spec.model_dump_json(),
            created_at=datetime.now(UTC),
        )
        session.add(row)
    else:
        row.model_id, row.spec_json = model.id, spec.model_dump_json()
    session.commit()
    return row


def monitors_of(session: Session, model: Model | None = None) -> list[tuple[Monitor, MonitorSpec]]:
    """Monitors (of one model, or all) with their parsed specs, by name."""
    query = select(Monitor).order_by(Monitor.name)
    if model is not None:
        query = query.where(Monitor.model_id == model.id)
    return [(row, parse_monitor(json.loads(row.spec_json))) for row in session.scalars(query)]


def save_slo(session: Session, spec: SloSpec) -> Slo:
    """Create or replace an SLO."""
    monitor = session.scalar(select(Monitor).where(Monitor.name == spec.monitor))
    if monitor is None:
        raise InputError(f"SLO {spec.name!r} names unknown monitor {spec.monitor!r}")
    row = session.scalar(select(Slo).where(Slo.name == spec.name))
    if row is None:
        row = Slo(
            name=spec.name,
            monitor_id=monitor.id,
            objective=spec.objective,
            period_days=spec.period_days,
        )
        session.add(row)
    else:
        row.monitor_id, row.objective, row.period_days = (
            monitor.id,
            spec.objective,
            spec.period_days,
        )
    session.commit()
    return row


def store_labels(session: Session, model: Model, labels: Iterable[tuple[str, str]]) -> int:
    """Store ``(prediction id, label)`` pairs; a later label for an id replaces the earlier."""
    now = datetime.now(UTC)
    rows = [
        {"model_id": model.id, "prediction_id": pid, "label": label, "received_at": now}
        for pid, label in labels
    ]
    for start in range(0, len(rows), 500):
        upsert(
            session,
            Label,
            rows[start : start + 500],
            ["model_id", "prediction_id"],
        )
    session.commit()
    return len(rows)


def labels_for(session: Session, model: Model, ids: Sequence[str]) -> dict[str, str]:
    """The labels known for these prediction ids, in one query whatever their number.

    The ids travel as one parameter (a PostgreSQL array, a JSON array for SQLite's
    ``json_each``), so the statement is compiled once, not once per id; probing the index in
    key order is faster, so they are sorted first.
    """
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    found: dict[str, str] = {}
    connection = session.connection()  # plain rows: the ORM's row handling costs more here
    for match in _id_matches(session, wanted):
        query = select(Label.prediction_id, Label.label).where(Label.model_id == model.id, match)
        found.update(connection.execute(query).all())
    return found


def all_labels(session: Session, model: Model, *, at_most: int) -> dict[str, str] | None:
    """Every label of the model, or ``None`` when it has more than ``at_most`` of them."""
    count = session.scalar(select(func.count()).where(Label.model_id == model.id)) or 0
    if count > at_most:
        return None
    query = select(Label.prediction_id, Label.label).where(Label.model_id == model.id)
    return dict(session.connection().execute(query).all())


def _id_matches(session: Session, ids: list[str]) -> Iterator[ColumnElement[bool]]:
    """Conditions on ``Label.prediction_id`` that together match exactly ``ids``."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        yield Label.prediction_id == any_(bindparam("ids", ids, type_=ARRAY(String)))
    elif dialect == "sqlite" and sqlite3.sqlite_version_info >= (3, 38):  # JSON built in
        values = func.json_each(bindparam("ids", json.dumps(ids))).table_valued("value")
        yield Label.prediction_id.in_(select(values.c.value))
    else:  # one bound parameter per id, within the oldest SQLite's limit of 999
        for start in range(0, len(ids), 900):
            yield Label.prediction_id.in_(ids[start : start + 900])


def window_batches(
    session: Session, model: Model, starts: Sequence[datetime]
) -> dict[datetime, list[str]]:
    """The raw-log files of the batches with rows in each of these windows, in batch order."""
    out: dict[datetime, list[str]] = {start: [] for start in starts}
    if not starts:
        return out
    query = (
        select(WindowPart.window_start, WindowPart.batch_id, IngestBatch.raw_path)
        .join(IngestBatch, IngestBatch.id == WindowPart.batch_id)
        .where(
            WindowPart.model_id == model.id,
            WindowPart.window_start >= min(starts),
            WindowPart.window_start <= max(starts),
        )
        .distinct()
    )
    found = sorted((as_utc(start), batch, path) for start, batch, path in session.execute(query))
    for start, _, path in found:
        if start in out:
            out[start].append(path)
    return out


def window_profiles(session: Session, model: Model, start: datetime) -> list[bytes]:
    """The serialised profiles of a window's parts, in the order the parts were stored."""
    query = (
        select(WindowPart.profile)
        .where(
            WindowPart.model_id == model.id,
            WindowPart.window_start == start,
            WindowPart.profile.is_not(None),
        )
        .order_by(WindowPart.id)
    )
    return [blob for blob in session.scalars(query) if blob is not None]


def label_summary(session: Session, model: Model) -> tuple[int, datetime | None]:
    """How many labels the model has, and when the newest arrived (one query)."""
    query = select(func.count(Label.id), func.max(Label.received_at))
    count, newest = session.execute(query.where(Label.model_id == model.id)).one()
    return int(count), as_utc(newest) if newest is not None else None


def refusal_times(session: Session, model: Model) -> list[datetime]:
    """When each refused batch of the model arrived."""
    query = select(Rejection.received_at).where(Rejection.model_id == model.id)
    return [as_utc(at) for at in session.scalars(query)]


def window_batch_counts(session: Session, model: Model) -> dict[datetime, int]:
    """For each window of the model with rows, how many batches have rows in it (one grouped
    query for all the windows)."""
    query = (
        select(WindowPart.window_start, func.count(func.distinct(WindowPart.batch_id)))
        .where(WindowPart.model_id == model.id)
        .group_by(WindowPart.window_start)
    )
    return {as_utc(start): int(count) for start, count in session.execute(query)}


def custom_arrivals(session: Session, model: Model) -> dict[datetime, datetime]:
    """For each window with custom metrics, when the newest value for it arrived."""
    query = (
        select(CustomMetric.window_start, func.max(CustomMetric.received_at))
        .where(CustomMetric.model_id == model.id)
        .group_by(CustomMetric.window_start)
    )
    return {as_utc(start): as_utc(at) for start, at in session.execute(query)}


class Evaluated(NamedTuple):
    """When a window was last evaluated, and what it had then (``None``: not counted)."""

    at: datetime
    batches: int | None  # batches with rows in the window
    labels: int | None  # labels of the model


def window_evaluations(session: Session, model: Model) -> dict[datetime, Evaluated]:
    """For each evaluated window of the model: when, and the counts it was evaluated with."""
    query = select(
        WindowEvaluation.window_start,
        WindowEvaluation.evaluated_at,
        WindowEvaluation.batches,
        WindowEvaluation.labels,
    ).where(WindowEvaluation.model_id == model.id)
    return {
        as_utc(start): Evaluated(as_utc(at), batches, labels)
        for start, at, batches, labels in session.execute(query)
    }


def newest_evaluated_window(session: Session, model: Model) -> datetime | None:
    """Start of the newest window of the model that was evaluated (with or without rows)."""
    query = select(func.max(WindowEvaluation.window_start)).where(
        WindowEvaluation.model_id == model.id
    )
    found = session.scalar(query)
    return as_utc(found) if found is not None else None


def store_custom(
    session: Session, model: Model, metric: str, window_start: datetime, value: float
) -> None:
    """Record a custom metric's value for a window."""
    upsert(
        session,
        CustomMetric,
        [
            {
                "model_id": model.id,
                "metric": metric,
                "window_start": window_start,
                "value": value,
                "received_at": datetime.now(UTC),
            }
        ],
        ["model_id", "metric", "window_start"],
    )
    session.commit()


def custom_for(session: Session, model: Model, window_start: datetime) -> dict[str, float]:
    """Custom metric values posted for one window."""
    query = select(CustomMetric.metric, CustomMetric.value).where(
        CustomMetric.model_id == model.id, CustomMetric.window_start == window_start
    )
    return dict(session.execute(query).all())


def save_observations(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Write observations, replacing earlier ones of the same monitor and window."""
    _upsert_many(session, Observation, rows, ["monitor_id", "window_start"])


def save_window_evaluations(
    session: Session,
    model: Model,
    starts: Sequence[datetime],
    evaluated_at: datetime,
    batches: Mapping[datetime, int] | None = None,
    labels: int | None = None,
) -> None:
    """Record that these windows of the model were evaluated at ``evaluated_at``, holding
    ``batches[start]`` batches (0 for a window missing from it) while the model had ``labels``
    labels."""
    counts = batches or {}
    rows = [
        {
            "model_id": model.id,
            "window_start": s,
            "evaluated_at": evaluated_at,
            "batches": counts.get(s, 0),
            "labels": labels,
        }
        for s in starts
    ]
    _upsert_many(session, WindowEvaluation, rows, ["model_id", "window_start"])


def _upsert_many(
    session: Session, entity: type[Base], rows: Sequence[Mapping[str, Any]], keys: Sequence[str]
) -> None:
    """Like :func:`upsert`, as one executemany of a statement compiled once (not a statement
    with every row's values in it, which SQLAlchemy compiles afresh each time)."""
    if not rows:
        return
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(entity)
    updates = {c: stmt.excluded[c] for c in rows[0] if c not in keys}
    session.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=updates), rows)


def apply_config(session: Session, config: MonitorConfig) -> MonitorConfig:
    """Save the monitors and SLOs of a monitors file whose models are registered.

    What is left (monitors of models not registered yet, and the SLOs on them) is returned
    without being saved, for :func:`apply_pending` once the model is registered. Any other
    problem raises as before.
    """
    ready, pending = split_config(config, _registered_models(session))
    for spec in ready.monitors:
        save_monitor(session, spec)
    for slo in ready.slos:
        save_slo(session, slo)
    return pending


def split_config(
    config: MonitorConfig, registered: set[str]
) -> tuple[MonitorConfig, MonitorConfig]:
    """The monitors (with their SLOs) whose model is in ``registered``, and the others."""
    waiting = {spec.name for spec in config.monitors if spec.model not in registered}

    def part(waits: bool) -> MonitorConfig:
        return MonitorConfig(
            monitors=[spec for spec in config.monitors if (spec.name in waiting) == waits],
            slos=[slo for slo in config.slos if (slo.monitor in waiting) == waits],
        )

    return part(False), part(True)


def apply_pending(session: Session, pending: MonitorConfig) -> tuple[list[str], MonitorConfig]:
    """Create the pending monitors and SLOs whose model is registered now.

    Returns the names created and what still waits. Only a monitor or SLO whose name is not in
    the store yet is created, so one declared or changed through the API meanwhile (or created
    by another server process) is left as it is; calling this again does nothing more.
    """
    if not pending.monitors:
        return [], pending
    ready, still = split_config(pending, _registered_models(session))
    created: list[str] = []
    try:
        for spec in ready.monitors:
            if _absent(session, Monitor, spec.name):
                save_monitor(session, spec)
                created.append(spec.name)
        for slo in ready.slos:
            if _absent(session, Slo, slo.name):
                save_slo(session, slo)
                created.append(slo.name)
    except IntegrityError:  # another server process created one at the same moment
        session.rollback()
        return created, pending  # the next call finds it and moves on
    return created, still


def _registered_models(session: Session) -> set[str]:
    return set(session.scalars(select(Model.name)))


def _absent(session: Session, entity: type[Monitor] | type[Slo], name: str) -> bool:
    return session.scalar(select(entity.id).where(entity.name == name)) is None


def slo_statuses(session: Session) -> list[dict[str, Any]]:
    """The state of every SLO, from its monitor's observations, as of the end of the newest
    window evaluated for the monitor's model (see :func:`slo_as_of`)."""
    out = []
    for slo, monitor in session.execute(
        select(Slo, Monitor).join(Monitor, Slo.monitor_id == Monitor.id).order_by(Slo.name)
    ):
        model = session.get(Model, monitor.model_id)
        assert model is not None
        window = timedelta(seconds=model.window_seconds)
        as_of = slo_as_of(session, model, monitor)
        since = as_of - timedelta(days=slo.period_days) - window
        rows = session.execute(
            select(Observation.window_start, Observation.healthy)
            .where(
                Observation.monitor_id == monitor.id,
                Observation.healthy.is_not(None),
                Observation.window_start >= since,
            )
            .order_by(Observation.window_start)
        ).all()
        observations = [(as_utc(start), bool(ok)) for start, ok in rows]
        out.append(
            slo_status(
                slo.name,
                monitor.name,
                slo.objective,
                slo.period_days,
                observations,
                window,
                as_of=as_of,
            )
        )
    return out


def slo_as_of(session: Session, model: Model, monitor: Monitor) -> datetime:
    """The instant an SLO on ``monitor`` is evaluated at: the end of the newest window
    evaluated for the model, with or without rows (the evaluator goes on evaluating windows
    after traffic stops, so the state moves on too; windows in which the monitor had no verdict
    are no events), or of the monitor's newest observation if that is later (evaluations are
    forgotten when the reference changes, until the next pass); now if there is neither."""
    window = timedelta(seconds=model.window_seconds)
    newest = [
        as_utc(start)
        for start in (
            newest_evaluated_window(session, model),
            session.scalar(
                select(func.max(Observation.window_start)).where(
                    Observation.monitor_id == monitor.id
                )
            ),
        )
        if start is not None
    ]
    return max(newest) + window if newest else datetime.now(UTC)


def record_rejection(session: Session, model: Model, problems: Sequence[Mapping[str, Any]]) -> None:
    """Remember that a batch of the model was refused, with its first few problems."""
    session.add(
        Rejection(
            model_id=model.id,
            received_at=datetime.now(UTC),
            problems=len(problems),
            sample=json.dumps(list(problems[:5])),
        )
    )
    session.commit()


def rejections_between(session: Session, model: Model, start: datetime, end: datetime) -> int:
    """How many batches of the model were refused in ``[start, end)``."""
    query = select(func.count(Rejection.id)).where(
        Rejection.model_id == model.id, Rejection.received_at >= start, Rejection.received_at < end
    )
    return int(session.scalar(query) or 0)
