"""Pipeline runs as the lineage graph keeps them (pure): a run of a job with its state history
and the datasets it read and wrote, how it is judged against the job's previous runs, and the
change it makes in the change log.

>>> from datetime import UTC, datetime, timedelta
>>> def run(n, rows, state="COMPLETE"):
...     start = datetime(2026, 11, n, 2, 0, tzinfo=UTC)
...     out = RunDataset("postgres://db", "features.daily", "output", row_count=rows)
...     return PipelineRun(f"r{n}", "etl", "daily_features", state, start, start,
...                        start + timedelta(minutes=10), outputs=(out,))
>>> previous = [run(4, 1210), run(3, 1250), run(2, 1180), run(1, 1200)]
>>> [flag.kind for flag in judge_run(run(5, 400), previous)]
['row_count_low']
>>> change = pipeline_change(run(5, 400), judge_run(run(5, 400), previous))
>>> change.kind, change.key
('pipeline', 'openlineage:r5')
>>> change.summary
'etl/daily_features COMPLETE: wrote features.daily (400 rows); 1 flag'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from smokejumper.changes.health import (
    Flag,
    assertions_flag,
    duration_flag,
    row_count_flag,
    state_flag,
)
from smokejumper.changes.openlineage import Assertion, ParentRun
from smokejumper.changes.records import MAX_NAME, Change, make_change


@dataclass(frozen=True)
class RunDataset:
    """A dataset as one run read (``input``) or wrote (``output``) it."""

    namespace: str
    name: str
    direction: str
    row_count: int | None = None
    size: int | None = None
    file_count: int | None = None
    version: str | None = None
    assertions: tuple[Assertion, ...] = ()

    @property
    def failed_assertions(self) -> list[str]:
        """The failed assertions, each as ``assertion(column)`` or ``assertion``."""
        return [
            f"{a.assertion}({a.column})" if a.column else a.assertion
            for a in self.assertions
            if not a.success
        ]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "namespace": self.namespace,
            "name": self.name,
            "row_count": self.row_count,
            "size": self.size,
            "file_count": self.file_count,
            "version": self.version,
            "assertions": [
                {"assertion": a.assertion, "column": a.column, "success": a.success}
                for a in self.assertions
            ],
        }


@dataclass(frozen=True)
class StateChange:
    """One event of a run: its ``eventType`` and ``eventTime``."""

    state: str
    at: datetime


@dataclass(frozen=True)
class PipelineRun:
    """A run of job ``job_namespace``/``job_name``. ``state`` is its latest terminal state
    (``COMPLETE``, ``FAIL``, ``ABORT``) if it has one, else its latest state;
    ``first_event_at`` is the time of its earliest event (a run whose first event is its
    ``COMPLETE`` has no ``started_at``)."""

    run_id: str
    job_namespace: str
    job_name: str
    state: str
    first_event_at: datetime
    started_at: datetime | None = None
    ended_at: datetime | None = None
    nominal_start: datetime | None = None
    nominal_end: datetime | None = None
    parent: ParentRun | None = None
    error_message: str | None = None
    inputs: tuple[RunDataset, ...] = ()
    outputs: tuple[RunDataset, ...] = ()
    history: tuple[StateChange, ...] = ()

    @property
    def at(self) -> datetime:
        """When the run counts as a change: its end, or else its start."""
        return self.ended_at or self.started_at or self.first_event_at

    @property
    def job(self) -> str:
        """``namespace/name`` of the job."""
        return f"{self.job_namespace}/{self.job_name}"

    @property
    def duration_seconds(self) -> float | None:
        """From start to end, once both are known."""
        if self.started_at is None or self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds()

    def output(self, namespace: str, name: str) -> RunDataset | None:
        """The run's output ``namespace``/``name``, if it wrote it."""
        return next((d for d in self.outputs if (d.namespace, d.name) == (namespace, name)), None)

    def to_dict(self, flags: Sequence[Flag] = ()) -> dict[str, Any]:
        """JSON-ready data, with ``flags`` (see :func:`judge_run`)."""
        parent = self.parent
        return {
            "run_id": self.run_id,
            "job": {"namespace": self.job_namespace, "name": self.job_name},
            "state": self.state,
            "started_at": _iso(self.started_at),
            "ended_at": _iso(self.ended_at),
            "first_event_at": _iso(self.first_event_at),
            "duration_seconds": self.duration_seconds,
            "nominal_start": _iso(self.nominal_start),
            "nominal_end": _iso(self.nominal_end),
            "parent": None
            if parent is None
            else {
                "run_id": parent.run_id,
                "job": {"namespace": parent.job_namespace, "name": parent.job_name},
            },
            "error_message": self.error_message,
            "inputs": [d.to_dict() for d in self.inputs],
            "outputs": [d.to_dict() for d in self.outputs],
            "states": [{"state": s.state, "at": _iso(s.at)} for s in self.history],
            "flags": [f.to_dict() for f in flags],
        }


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def judge_run(run: PipelineRun, previous: Sequence[PipelineRun]) -> list[Flag]:
    """What looks wrong about ``run`` (see :mod:`.health`), against ``previous``: the same
    job's runs before it, newest first. Only finished (``COMPLETE``) previous runs count
    towards the usual row counts and duration."""
    flags: list[Flag] = []
    failed = state_flag(run.state, run.error_message)
    if failed is not None:
        flags.append(failed)
    done = [p for p in previous if p.state == "COMPLETE"]
    for data in (*run.inputs, *run.outputs):
        flag = assertions_flag(data.name, data.failed_assertions)
        if flag is not None:
            flags.append(flag)
    if run.state == "COMPLETE":
        for out in run.outputs:
            counts = [
                o.row_count
                for p in done
                if (o := p.output(out.namespace, out.name)) is not None and o.row_count is not None
            ]
            flag = row_count_flag(out.name, out.row_count, counts)
            if flag is not None:
                flags.append(flag)
    durations = [d for p in done if (d := p.duration_seconds) is not None]
    slow = duration_flag(run.duration_seconds, durations)
    if slow is not None:
        flags.append(slow)
    return flags


#: Inputs and outputs named in a pipeline change's details (the lineage graph keeps them all).
_LISTED = 20


def _brief(data: RunDataset) -> dict[str, Any]:
    return {
        "namespace": data.namespace[:MAX_NAME],
        "name": data.name[:MAX_NAME],
        "row_count": data.row_count,
        "size": data.size,
        "version": None if data.version is None else data.version[:MAX_NAME],
        "failed_assertions": [a[:MAX_NAME] for a in data.failed_assertions[:_LISTED]],
    }


def change_key(run_id: str) -> str:
    """The change-log key of a pipeline run.

    >>> change_key("0193a3b1-7d2e-7c44-9d0b-3a0f5e1c2b4d")
    'openlineage:0193a3b1-7d2e-7c44-9d0b-3a0f5e1c2b4d'
    """
    return f"openlineage:{run_id}"


def pipeline_change(run: PipelineRun, flags: Sequence[Flag]) -> Change:
    """The change a pipeline run makes in the change log (kind ``pipeline``, no model, the job
    as its service), at :attr:`PipelineRun.at`, with its row counts and flags in ``details``."""
    wrote = ", ".join(
        f"{d.name} ({d.row_count:,} rows)" if d.row_count is not None else d.name
        for d in run.outputs
    )
    summary = f"{run.job} {run.state}" + (f": wrote {wrote}" if wrote else "")
    if flags:
        summary += f"; {len(flags)} flag" + ("s" if len(flags) > 1 else "")
    if len(summary) > 1000:
        summary = summary[:997] + "..."
    details = run.to_dict(flags)
    details.pop("states")
    if run.error_message is not None:
        details["error_message"] = run.error_message[:2000]
    for direction in ("inputs", "outputs"):  # a change's details stay small: the graph has all
        datasets = getattr(run, direction)
        details[direction] = [_brief(d) for d in datasets[:_LISTED]]
        if len(datasets) > _LISTED:
            details[f"more_{direction}"] = len(datasets) - _LISTED
    service = run.job if len(run.job) <= MAX_NAME else run.job_name[:MAX_NAME]
    return make_change(
        key=change_key(run.run_id),
        at=run.at,
        kind="pipeline",
        summary=summary,
        service=service,
        details=details,
        source="openlineage",
    )
