"""Repository of the lineage graph: OpenLineage jobs, datasets, runs with their events, and the
datasets each run read and wrote, with history. Nothing here commits: the caller's unit of work
does.

Events of one run may arrive in any order and at the same time (a ``START`` and a ``COMPLETE``
sent by two threads): the run's row is written first, which locks it until the transaction
ends (PostgreSQL's ``ON CONFLICT DO UPDATE``; SQLite has one writer), so the run's state and
datasets are then read and rewritten by one event at a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from smokejumper.changes import TERMINAL, Assertion, DatasetEvent, DatasetUse, JobEvent, RunEvent
from smokejumper.changes.openlineage import ParentRun
from smokejumper.changes.runs import PipelineRun, RunDataset, StateChange
from smokejumper.store.database import as_utc
from smokejumper.store.tables import (
    LineageDataset,
    LineageJob,
    LineageRun,
    LineageRunDataset,
    LineageRunEvent,
)
from smokejumper.store.upsert import insert_statement


@dataclass(frozen=True)
class DatasetInfo:
    """A dataset of the graph: its latest schema (fields as ``{name, type, description}``),
    and when it was first and last named by an event."""

    id: int
    namespace: str
    name: str
    schema: list[dict[str, Any]] | None
    first_seen: datetime
    last_seen: datetime


def _dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# --------------------------------------------------------------------------- writing


def record_run_event(session: Session, event: RunEvent, document: str, now: datetime) -> None:
    """Add a RunEvent to the graph: its job, its run (created by any event, a ``COMPLETE``
    without a ``START`` too), the event itself, and the datasets it names."""
    job_id = _put_job(session, event.job_namespace, event.job_name, event.job_facets, now)
    run = _lock_run(session, event, job_id, now)
    session.add(
        LineageRunEvent(
            run_id=event.run_id,
            event_type=event.event_type,
            event_time=event.event_time,
            producer=event.producer,
            document=document,
            received_at=now,
        )
    )
    session.flush()
    _settle_run(session, run, event, now)
    uses = sorted((*event.inputs, *event.outputs), key=lambda d: (d.namespace, d.name))
    for use in uses:
        dataset_id = _put_dataset(session, use, event.event_time, now)
        _merge_run_dataset(session, event.run_id, dataset_id, use, event.event_time)


def record_job_event(session: Session, event: JobEvent, now: datetime) -> None:
    """Add a JobEvent (static lineage): the job's facets and the datasets it names."""
    _put_job(session, event.job_namespace, event.job_name, event.job_facets, now)
    for use in sorted((*event.inputs, *event.outputs), key=lambda d: (d.namespace, d.name)):
        _put_dataset(session, use, event.event_time, now)


def record_dataset_event(session: Session, event: DatasetEvent, now: datetime) -> None:
    """Add a DatasetEvent (static lineage): the dataset's facets, such as its schema."""
    _put_dataset(session, event.dataset, event.event_time, now)


def _put_job(
    session: Session, namespace: str, name: str, facets: dict[str, Any] | None, now: datetime
) -> int:
    stmt = insert_statement(session)(LineageJob).values(
        namespace=namespace,
        name=name,
        facets=_dump(facets or {}),
        first_seen=now,
        last_seen=now,
    )
    updates: dict[str, Any] = {"last_seen": stmt.excluded.last_seen}
    if facets:
        updates["facets"] = stmt.excluded.facets
    session.execute(stmt.on_conflict_do_update(index_elements=["namespace", "name"], set_=updates))
    found = session.scalar(
        select(LineageJob.id).where(LineageJob.namespace == namespace, LineageJob.name == name)
    )
    assert found is not None
    return found


def _put_dataset(session: Session, use: DatasetUse, when: datetime, now: datetime) -> int:
    schema = None if use.schema is None else _dump(list(use.schema))
    stmt = insert_statement(session)(LineageDataset).values(
        namespace=use.namespace,
        name=use.name,
        schema_json=schema,
        facets=_dump(_dataset_facets(use)),
        first_seen=now,
        last_seen=now,
    )
    updates: dict[str, Any] = {"last_seen": stmt.excluded.last_seen}
    if schema is not None:
        updates["schema_json"] = stmt.excluded.schema_json
    if use.facets:
        updates["facets"] = stmt.excluded.facets
    session.execute(stmt.on_conflict_do_update(index_elements=["namespace", "name"], set_=updates))
    found = session.scalar(
        select(LineageDataset.id).where(
            LineageDataset.namespace == use.namespace, LineageDataset.name == use.name
        )
    )
    assert found is not None
    return found


def _dataset_facets(use: DatasetUse) -> dict[str, Any]:
    """The facets kept on the dataset itself: all but those of one run's use of it."""
    skip = {"outputStatistics", "inputStatistics", "dataQualityMetrics", "dataQualityAssertions"}
    return {k: v for k, v in (use.facets or {}).items() if k not in skip}


def _lock_run(session: Session, event: RunEvent, job_id: int, now: datetime) -> LineageRun:
    """Create the run or touch it, which locks its row until the transaction ends."""
    stmt = insert_statement(session)(LineageRun).values(
        run_id=event.run_id,
        job_id=job_id,
        state=event.event_type,
        first_event_at=event.event_time,
        facets="{}",
        updated_at=now,
    )
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["run_id"], set_={"updated_at": stmt.excluded.updated_at}
        )
    )
    run = session.get(LineageRun, event.run_id, populate_existing=True)
    assert run is not None
    return run


def _settle_run(session: Session, run: LineageRun, event: RunEvent, now: datetime) -> None:
    """The run's state, times and facets from all its events (this one included)."""
    events = session.execute(
        select(LineageRunEvent.event_type, LineageRunEvent.event_time).where(
            LineageRunEvent.run_id == run.run_id
        )
    ).all()
    history = sorted((as_utc(t), kind) for kind, t in events)
    run.state = run_state([(kind, at) for at, kind in history])
    run.first_event_at = history[0][0]
    starts = [at for at, kind in history if kind == "START"]
    ends = [at for at, kind in history if kind in TERMINAL]
    run.started_at = starts[0] if starts else None
    run.ended_at = ends[-1] if ends else None
    run.nominal_start = event.nominal_start or run.nominal_start
    run.nominal_end = event.nominal_end or run.nominal_end
    if event.parent is not None:
        run.parent_run_id = event.parent.run_id
        run.parent_job_namespace = event.parent.job_namespace
        run.parent_job_name = event.parent.job_name
    if event.error_message is not None:
        run.error_message = event.error_message
    if event.run_facets:
        run.facets = _dump({**json.loads(run.facets), **event.run_facets})
    run.updated_at = now


def run_state(history: Sequence[tuple[str, datetime]]) -> str:
    """A run's state from its events ``(eventType, eventTime)``: the latest terminal one
    (``COMPLETE``, ``FAIL``, ``ABORT``) if any, else the latest. An ``OTHER`` event after the
    end (more facets) leaves the run ended.

    >>> from datetime import UTC, datetime
    >>> t = [datetime(2026, 11, 30, h, tzinfo=UTC) for h in range(4)]
    >>> run_state([("START", t[0]), ("COMPLETE", t[2]), ("OTHER", t[3])])
    'COMPLETE'
    >>> run_state([("RUNNING", t[1]), ("START", t[0])])
    'RUNNING'
    """
    ordered = sorted(history, key=lambda item: (item[1], item[0] in TERMINAL))
    ended = [kind for kind, _ in ordered if kind in TERMINAL]
    return ended[-1] if ended else ordered[-1][0]


def _merge_run_dataset(
    session: Session, run_id: str, dataset_id: int, use: DatasetUse, when: datetime
) -> None:
    """What this event says of the dataset, merged with what earlier events of the run said:
    a value given replaces the stored one unless it comes from an older event."""
    row = session.scalar(
        select(LineageRunDataset).where(
            LineageRunDataset.run_id == run_id,
            LineageRunDataset.dataset_id == dataset_id,
            LineageRunDataset.direction == use.direction,
        )
    )
    assertions = [
        {"assertion": a.assertion, "success": a.success, "column": a.column} for a in use.assertions
    ]
    given = {
        "row_count": use.row_count,
        "size": use.size,
        "file_count": use.file_count,
        "version": use.version,
        "assertions": _dump(assertions) if use.assertions else None,
        "schema_json": None if use.schema is None else _dump(list(use.schema)),
    }
    if row is None:
        session.add(
            LineageRunDataset(
                run_id=run_id,
                dataset_id=dataset_id,
                direction=use.direction,
                event_time=when,
                **{**given, "assertions": given["assertions"] or "[]"},
            )
        )
        session.flush()
        return
    newer = when >= as_utc(row.event_time)
    for column, value in given.items():
        if value is not None and (newer or getattr(row, column) in (None, "[]")):
            setattr(row, column, value)
    if newer:
        row.event_time = when


# --------------------------------------------------------------------------- reading


def get_run(session: Session, run_id: str) -> PipelineRun | None:
    """The run ``run_id``, with its datasets and state history."""
    found = _load(session, select(LineageRun).where(LineageRun.run_id == run_id))
    return found[0] if found else None


def job_runs_before(
    session: Session, namespace: str, name: str, before: datetime, limit: int = 10
) -> list[PipelineRun]:
    """The runs of job ``namespace``/``name`` whose first event is before ``before``, newest
    first (at most ``limit``): the history a run is judged against."""
    query = (
        select(LineageRun)
        .join(LineageJob, LineageJob.id == LineageRun.job_id)
        .where(
            LineageJob.namespace == namespace,
            LineageJob.name == name,
            LineageRun.first_event_at < before,
        )
        .order_by(LineageRun.first_event_at.desc(), LineageRun.run_id.desc())
        .limit(limit)
    )
    return _load(session, query)


def runs_between(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    datasets: Iterable[tuple[str, str]] | None = None,
) -> list[PipelineRun]:
    """Runs that were going on at some time in ``[start, end)`` (first event before ``end``,
    not ended before ``start``), oldest first: the pipeline runs before an incident's onset.
    With ``datasets`` (``(namespace, name)`` pairs) only the runs that read or wrote one."""
    query = select(LineageRun).where(
        LineageRun.first_event_at < end,
        or_(LineageRun.ended_at.is_(None), LineageRun.ended_at >= start),
    )
    if datasets is not None:
        pairs = list(datasets)
        if not pairs:
            return []
        touched = (
            select(LineageRunDataset.run_id)
            .join(LineageDataset, LineageDataset.id == LineageRunDataset.dataset_id)
            .where(
                or_(
                    *(
                        and_(LineageDataset.namespace == ns, LineageDataset.name == name)
                        for ns, name in pairs
                    )
                )
            )
        )
        query = query.where(LineageRun.run_id.in_(touched))
    query = query.order_by(LineageRun.first_event_at, LineageRun.run_id)
    return _load(session, query)


def last_writes_before(
    session: Session, datasets: Iterable[tuple[str, str]], before: datetime
) -> list[PipelineRun]:
    """For each dataset (``(namespace, name)``), the newest ``COMPLETE`` run that wrote it and
    ended before ``before``: the version of it in use then. Runs are given once, oldest end
    first; a dataset no finished run wrote before then has none."""
    found: set[str] = set()
    for namespace, name in sorted(set(datasets)):
        run_id = session.scalar(
            select(LineageRun.run_id)
            .join(LineageRunDataset, LineageRunDataset.run_id == LineageRun.run_id)
            .join(LineageDataset, LineageDataset.id == LineageRunDataset.dataset_id)
            .where(
                LineageDataset.namespace == namespace,
                LineageDataset.name == name,
                LineageRunDataset.direction == "output",
                LineageRun.state == "COMPLETE",
                LineageRun.ended_at < before,
            )
            .order_by(LineageRun.ended_at.desc(), LineageRun.run_id.desc())
            .limit(1)
        )
        if run_id is not None:
            found.add(run_id)
    if not found:
        return []
    query = (
        select(LineageRun)
        .where(LineageRun.run_id.in_(found))
        .order_by(LineageRun.ended_at, LineageRun.run_id)
    )
    return _load(session, query)


def get_dataset(session: Session, namespace: str, name: str) -> DatasetInfo | None:
    """The dataset ``namespace``/``name``, if an event named it."""
    row = session.scalar(
        select(LineageDataset).where(
            LineageDataset.namespace == namespace, LineageDataset.name == name
        )
    )
    if row is None:
        return None
    return DatasetInfo(
        id=row.id,
        namespace=row.namespace,
        name=row.name,
        schema=None if row.schema_json is None else json.loads(row.schema_json),
        first_seen=as_utc(row.first_seen),
        last_seen=as_utc(row.last_seen),
    )


def dataset_runs(
    session: Session, dataset_id: int, direction: str, limit: int = 50
) -> list[PipelineRun]:
    """The runs that wrote (``output``) or read (``input``) the dataset, newest first."""
    touched = select(LineageRunDataset.run_id).where(
        LineageRunDataset.dataset_id == dataset_id, LineageRunDataset.direction == direction
    )
    query = (
        select(LineageRun)
        .where(LineageRun.run_id.in_(touched))
        .order_by(LineageRun.first_event_at.desc(), LineageRun.run_id.desc())
        .limit(limit)
    )
    return _load(session, query)


def count_runs(session: Session) -> int:
    """How many runs the graph holds."""
    return int(session.scalar(select(func.count()).select_from(LineageRun)) or 0)


def _load(session: Session, query: Any) -> list[PipelineRun]:
    """The runs ``query`` selects, in its order, each with its job, datasets and events."""
    runs: list[LineageRun] = list(session.scalars(query))
    if not runs:
        return []
    ids = [r.run_id for r in runs]
    jobs = {
        j.id: j
        for j in session.scalars(
            select(LineageJob).where(LineageJob.id.in_({r.job_id for r in runs}))
        )
    }
    used: dict[str, list[RunDataset]] = {i: [] for i in ids}
    rows = session.execute(
        select(LineageRunDataset, LineageDataset.namespace, LineageDataset.name)
        .join(LineageDataset, LineageDataset.id == LineageRunDataset.dataset_id)
        .where(LineageRunDataset.run_id.in_(ids))
        .order_by(LineageDataset.namespace, LineageDataset.name)
    ).all()
    for use, namespace, name in rows:
        used[use.run_id].append(
            RunDataset(
                namespace=namespace,
                name=name,
                direction=use.direction,
                row_count=use.row_count,
                size=use.size,
                file_count=use.file_count,
                version=use.version,
                assertions=tuple(
                    Assertion(a["assertion"], a["success"], a.get("column"))
                    for a in json.loads(use.assertions)
                ),
            )
        )
    history: dict[str, list[StateChange]] = {i: [] for i in ids}
    events = session.execute(
        select(LineageRunEvent.run_id, LineageRunEvent.event_type, LineageRunEvent.event_time)
        .where(LineageRunEvent.run_id.in_(ids))
        .order_by(LineageRunEvent.event_time, LineageRunEvent.id)
    ).all()
    for run_id, kind, at in events:
        history[run_id].append(StateChange(kind, as_utc(at)))
    return [_run(r, jobs[r.job_id], used[r.run_id], history[r.run_id]) for r in runs]


def _run(
    row: LineageRun, job: LineageJob, used: list[RunDataset], history: list[StateChange]
) -> PipelineRun:
    parent = None
    if row.parent_run_id and row.parent_job_namespace and row.parent_job_name:
        parent = ParentRun(row.parent_run_id, row.parent_job_namespace, row.parent_job_name)

    def _maybe(value: datetime | None) -> datetime | None:
        return None if value is None else as_utc(value)

    return PipelineRun(
        run_id=row.run_id,
        job_namespace=job.namespace,
        job_name=job.name,
        state=row.state,
        first_event_at=as_utc(row.first_event_at),
        started_at=_maybe(row.started_at),
        ended_at=_maybe(row.ended_at),
        nominal_start=_maybe(row.nominal_start),
        nominal_end=_maybe(row.nominal_end),
        parent=parent,
        error_message=row.error_message,
        inputs=tuple(d for d in used if d.direction == "input"),
        outputs=tuple(d for d in used if d.direction == "output"),
        history=tuple(history),
    )
