"""OpenLineage events received: each is checked (:mod:`smokejumper.changes.openlineage`),
added to the lineage graph, and a run's event also updates the run's entry in the change log
(kind ``pipeline``, with its row counts and what looks wrong about it), all in one unit of work.
A dataset is read back with its producer runs (judged against their job's earlier runs), its
versions and its consumers.

The incident timeline reads runs with :func:`smokejumper.store.lineage.runs_between` (and the
pipeline changes with :func:`smokejumper.store.changes.changes_between`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from smokejumper.changes import DatasetEvent, JobEvent, RunEvent, parse_event
from smokejumper.changes.health import HISTORY, Flag
from smokejumper.changes.runs import PipelineRun, judge_run, pipeline_change
from smokejumper.errors import UnknownDatasetError
from smokejumper.store import lineage
from smokejumper.store.changes import put_change
from smokejumper.store.database import unit_of_work


def receive_event(
    sessions: sessionmaker[Session], doc: Any, document: str, now: datetime
) -> dict[str, Any]:
    """Check and store the OpenLineage event ``doc`` (``document`` is its JSON as received);
    what was stored. A RunEvent's run is created by whichever of its events comes first."""
    event = parse_event(doc)
    with unit_of_work(sessions) as session:
        if isinstance(event, RunEvent):
            lineage.record_run_event(session, event, document, now)
            run, flags = _judged(session, event.run_id)
            put_change(session, pipeline_change(run, flags), now)
            return {
                "event": "RunEvent",
                "run_id": run.run_id,
                "job": {"namespace": run.job_namespace, "name": run.job_name},
                "state": run.state,
                "flags": [f.to_dict() for f in flags],
            }
        if isinstance(event, JobEvent):
            lineage.record_job_event(session, event, now)
            return {
                "event": "JobEvent",
                "job": {"namespace": event.job_namespace, "name": event.job_name},
            }
        assert isinstance(event, DatasetEvent)
        lineage.record_dataset_event(session, event, now)
        data = event.dataset
        return {
            "event": "DatasetEvent",
            "dataset": {"namespace": data.namespace, "name": data.name},
        }


def _judged(session: Session, run_id: str) -> tuple[PipelineRun, list[Flag]]:
    run = lineage.get_run(session, run_id)
    assert run is not None
    previous = lineage.job_runs_before(
        session, run.job_namespace, run.job_name, run.first_event_at, HISTORY
    )
    return run, judge_run(run, previous)


def dataset_lineage(
    sessions: sessionmaker[Session], namespace: str, name: str, limit: int = 20
) -> dict[str, Any]:
    """The dataset with its schema, its latest version and row count, what looks wrong about
    its latest producer run, its versions, and its recent producer runs (each with the rows it
    wrote, its state and flags) and consumer runs, newest first (``limit`` of each)."""
    with sessions() as session:
        info = lineage.get_dataset(session, namespace, name)
        if info is None:
            raise UnknownDatasetError(
                f"no OpenLineage event has named dataset {name!r} in namespace {namespace!r}; "
                "check both (the namespace is often a URI such as postgres://host:5432)"
            )
        producers = lineage.dataset_runs(session, info.id, "output", limit + HISTORY)
        consumers = lineage.dataset_runs(session, info.id, "input", limit)
    shown = []
    for i, run in enumerate(producers[:limit]):
        previous = [p for p in producers[i + 1 :] if p.job == run.job]
        flags = [f for f in judge_run(run, previous) if f.dataset in (None, name)]
        out = run.output(namespace, name)
        shown.append(
            {
                **run.to_dict(flags),
                "row_count": None if out is None else out.row_count,
                "version": None if out is None else out.version,
            }
        )
    latest = shown[0] if shown else None
    versions = []
    seen: set[str] = set()
    for entry in shown:
        version = entry["version"]
        if version is not None and version not in seen:
            seen.add(version)
            versions.append(
                {
                    "version": version,
                    "run_id": entry["run_id"],
                    "at": entry["ended_at"] or entry["first_event_at"],
                    "row_count": entry["row_count"],
                }
            )
    return {
        "namespace": info.namespace,
        "name": info.name,
        "schema": info.schema,
        "first_seen": info.first_seen.isoformat(),
        "last_seen": info.last_seen.isoformat(),
        "latest": None
        if latest is None
        else {k: latest[k] for k in ("run_id", "state", "row_count", "version", "ended_at")},
        "flags": [] if latest is None else latest["flags"],
        "versions": versions,
        "producers": shown,
        "consumers": [run.to_dict() for run in consumers],
    }
