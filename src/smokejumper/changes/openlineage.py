"""OpenLineage events read from their JSON form, checked against the spec (pure).

A RunEvent says that a run of a job changed state (``START``, ``RUNNING``, ``COMPLETE``,
``FAIL``, ``ABORT``, ``OTHER``) at ``eventTime``, with the datasets it reads and writes. What
Smokejumper keeps of each dataset is read from its facets: row counts (``outputStatistics`` of an
output; ``inputStatistics`` or ``dataQualityMetrics`` of an input), the ``version`` facet's
``datasetVersion`` (a feature-store snapshot, a table snapshot id), ``dataQualityAssertions`` and
``schema``. The run facets give the ``parent`` run (an Airflow task's DAG run), the
``nominalTime`` and an ``errorMessage``. Static lineage (DatasetEvent, JobEvent: no run) is read
too.

An event that breaks the spec raises :class:`InvalidLineageEventError` naming the field:

>>> parse_event({"eventTime": "2026-11-30T02:00:00Z", "eventType": "START",
...              "producer": "https://example.com/etl", "schemaURL": "https://x/RunEvent",
...              "run": {"runId": "42"}, "job": {"namespace": "etl", "name": "daily"}})
Traceback (most recent call last):
...
smokejumper.errors.InvalidLineageEventError: run.runId: '42' is not a UUID
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from smokejumper.changes.records import in_range
from smokejumper.errors import InvalidLineageEventError

#: The states of a run (``eventType``); the last four end it.
EVENT_TYPES = ("START", "RUNNING", "COMPLETE", "FAIL", "ABORT", "OTHER")
TERMINAL = frozenset({"COMPLETE", "FAIL", "ABORT"})

_MAX_NAME = 1000
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")


@dataclass(frozen=True)
class Assertion:
    """One data-quality assertion on a dataset (``dataQualityAssertions``)."""

    assertion: str
    success: bool
    column: str | None = None


@dataclass(frozen=True)
class DatasetUse:
    """A dataset as one event names it: read (``input``) or written (``output``), with what
    its facets say. ``facets`` holds the dataset facets and the input or output facets."""

    namespace: str
    name: str
    direction: str
    row_count: int | None = None
    size: int | None = None
    file_count: int | None = None
    version: str | None = None
    assertions: tuple[Assertion, ...] = ()
    schema: tuple[dict[str, Any], ...] | None = None
    facets: dict[str, Any] | None = None

    @property
    def failed_assertions(self) -> tuple[Assertion, ...]:
        """The assertions that did not hold."""
        return tuple(a for a in self.assertions if not a.success)


@dataclass(frozen=True)
class ParentRun:
    """The run this one belongs to (``parent`` facet): a DAG run for an Airflow task."""

    run_id: str
    job_namespace: str
    job_name: str


@dataclass(frozen=True)
class RunEvent:
    """A run's state change, with the job, the datasets and the facets Smokejumper reads."""

    event_type: str
    event_time: datetime
    run_id: str
    job_namespace: str
    job_name: str
    producer: str
    schema_url: str
    inputs: tuple[DatasetUse, ...] = ()
    outputs: tuple[DatasetUse, ...] = ()
    run_facets: dict[str, Any] | None = None
    job_facets: dict[str, Any] | None = None
    parent: ParentRun | None = None
    nominal_start: datetime | None = None
    nominal_end: datetime | None = None
    error_message: str | None = None


@dataclass(frozen=True)
class JobEvent:
    """Static lineage of a job (no run): its facets and the datasets it reads and writes."""

    event_time: datetime
    job_namespace: str
    job_name: str
    producer: str
    schema_url: str
    inputs: tuple[DatasetUse, ...] = ()
    outputs: tuple[DatasetUse, ...] = ()
    job_facets: dict[str, Any] | None = None


@dataclass(frozen=True)
class DatasetEvent:
    """Static lineage of a dataset (no run, no job): its facets, such as its schema."""

    event_time: datetime
    dataset: DatasetUse
    producer: str
    schema_url: str


LineageEvent = RunEvent | JobEvent | DatasetEvent


def parse_event(doc: Any) -> LineageEvent:
    """The event ``doc`` (a JSON document) holds: a RunEvent when it has ``run``, a
    DatasetEvent when it has ``dataset``, else a JobEvent.

    >>> event = parse_event({
    ...     "eventType": "COMPLETE", "eventTime": "2026-11-30T02:10:00.123+00:00",
    ...     "producer": "https://example.com/etl",
    ...     "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
    ...     "run": {"runId": "0193a3b1-7d2e-7c44-9d0b-3a0f5e1c2b4d"},
    ...     "job": {"namespace": "etl", "name": "daily_features"},
    ...     "outputs": [{"namespace": "postgres://db:5432", "name": "features.daily",
    ...                  "outputFacets": {"outputStatistics": {"rowCount": 1204, "size": 90311}},
    ...                  "facets": {"version": {"datasetVersion": "snap-17"}}}]})
    >>> event.event_type, event.job_name, event.outputs[0].row_count, event.outputs[0].version
    ('COMPLETE', 'daily_features', 1204, 'snap-17')
    """
    if not isinstance(doc, dict):
        raise InvalidLineageEventError("(body)", "an OpenLineage event is a JSON object")
    _refuse_nul(doc)
    when = _time(doc.get("eventTime"), "eventTime", required=True)
    assert when is not None
    producer = _uri(doc, "producer")
    schema_url = _uri(doc, "schemaURL")
    if "run" in doc:
        return _run_event(doc, when, producer, schema_url)
    if "dataset" in doc:
        dataset = _dataset(doc["dataset"], "dataset", "static")
        return DatasetEvent(when, dataset, producer, schema_url)
    if "job" not in doc:
        raise InvalidLineageEventError(
            "run", "missing: a RunEvent needs run and job (a JobEvent job, a DatasetEvent dataset)"
        )
    namespace, name, facets = _job(doc.get("job"))
    inputs, outputs = _datasets(doc, "inputs", "input"), _datasets(doc, "outputs", "output")
    return JobEvent(when, namespace, name, producer, schema_url, inputs, outputs, facets)


def _run_event(doc: dict[str, Any], when: datetime, producer: str, schema_url: str) -> RunEvent:
    run = doc["run"]
    if not isinstance(run, dict):
        raise InvalidLineageEventError("run", "must be an object with runId and facets")
    run_id = _uuid(run.get("runId"), "run.runId")
    event_type = doc.get("eventType", "OTHER")
    if event_type is None:
        event_type = "OTHER"
    if event_type not in EVENT_TYPES:
        raise InvalidLineageEventError(
            "eventType", f"{event_type!r} is not one of {', '.join(EVENT_TYPES)}"
        )
    if "job" not in doc:
        raise InvalidLineageEventError("job", "missing: a RunEvent names its job")
    namespace, name, job_facets = _job(doc["job"])
    facets = _facets(run.get("facets"), "run.facets")
    nominal = _facet(facets, "nominalTime", "run.facets")
    error = _facet(facets, "errorMessage", "run.facets")
    message = error.get("message") if error else None
    return RunEvent(
        event_type=event_type,
        event_time=when,
        run_id=run_id,
        job_namespace=namespace,
        job_name=name,
        producer=producer,
        schema_url=schema_url,
        inputs=_datasets(doc, "inputs", "input"),
        outputs=_datasets(doc, "outputs", "output"),
        run_facets=facets,
        job_facets=job_facets,
        parent=_parent(facets),
        nominal_start=_time(
            nominal.get("nominalStartTime") if nominal else None,
            "run.facets.nominalTime.nominalStartTime",
        ),
        nominal_end=_time(
            nominal.get("nominalEndTime") if nominal else None,
            "run.facets.nominalTime.nominalEndTime",
        ),
        error_message=message if isinstance(message, str) else None,
    )


def _parent(facets: dict[str, Any]) -> ParentRun | None:
    parent = _facet(facets, "parent", "run.facets")
    if parent is None:
        return None
    run, job = parent.get("run"), parent.get("job")
    if not isinstance(run, dict):
        raise InvalidLineageEventError("run.facets.parent.run", "missing: give {runId}")
    if not isinstance(job, dict):
        raise InvalidLineageEventError("run.facets.parent.job", "missing: give {namespace, name}")
    run_id = _uuid(run.get("runId"), "run.facets.parent.run.runId")
    namespace = _text(job.get("namespace"), "run.facets.parent.job.namespace")
    name = _text(job.get("name"), "run.facets.parent.job.name")
    return ParentRun(run_id, namespace, name)


def _job(job: Any) -> tuple[str, str, dict[str, Any]]:
    if not isinstance(job, dict):
        raise InvalidLineageEventError("job", "must be an object with namespace and name")
    namespace = _text(job.get("namespace"), "job.namespace")
    name = _text(job.get("name"), "job.name")
    return namespace, name, _facets(job.get("facets"), "job.facets")


def _datasets(doc: dict[str, Any], key: str, direction: str) -> tuple[DatasetUse, ...]:
    items = doc.get(key)
    if items is None:
        return ()
    if not isinstance(items, list):
        raise InvalidLineageEventError(key, "must be a list of datasets")
    return tuple(_dataset(item, f"{key}[{i}]", direction) for i, item in enumerate(items))


def _dataset(item: Any, where: str, direction: str) -> DatasetUse:
    if not isinstance(item, dict):
        raise InvalidLineageEventError(where, "must be an object with namespace and name")
    namespace = _text(item.get("namespace"), f"{where}.namespace")
    name = _text(item.get("name"), f"{where}.name")
    facets = _facets(item.get("facets"), f"{where}.facets")
    own_key = {"input": "inputFacets", "output": "outputFacets"}.get(direction)
    own = _facets(item.get(own_key), f"{where}.{own_key}") if own_key else {}
    if direction == "output":
        stats_at, stats = "outputStatistics", _facet(own, "outputStatistics", f"{where}.{own_key}")
    else:
        stats_at = "inputStatistics"
        stats = _facet(own, "inputStatistics", f"{where}.{own_key}")
        if stats is None:
            stats_at, stats = (
                "dataQualityMetrics",
                _facet(own, "dataQualityMetrics", f"{where}.{own_key}"),
            )
    stats = stats or {}
    at = f"{where}.{own_key}.{stats_at}"
    version = _facet(facets, "version", f"{where}.facets")
    return DatasetUse(
        namespace=namespace,
        name=name,
        direction=direction,
        row_count=_count(stats.get("rowCount"), f"{at}.rowCount"),
        size=_count(stats.get("size", stats.get("bytes")), f"{at}.size"),
        file_count=_count(stats.get("fileCount"), f"{at}.fileCount"),
        version=_version(version, f"{where}.facets.version.datasetVersion"),
        assertions=_assertions(facets, where),
        schema=_schema(facets, where),
        facets={**facets, **own} or None,
    )


def _version(facet: dict[str, Any] | None, where: str) -> str | None:
    if facet is None:
        return None
    value = facet.get("datasetVersion")
    if not isinstance(value, str) or not value:
        raise InvalidLineageEventError(where, "missing: the version facet holds datasetVersion")
    return value


def _assertions(facets: dict[str, Any], where: str) -> tuple[Assertion, ...]:
    facet = _facet(facets, "dataQualityAssertions", f"{where}.facets")
    if facet is None:
        return ()
    at = f"{where}.facets.dataQualityAssertions.assertions"
    items = facet.get("assertions")
    if not isinstance(items, list):
        raise InvalidLineageEventError(at, "must be a list of {assertion, success, column}")
    found = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise InvalidLineageEventError(f"{at}[{i}]", "must be an object")
        name = _text(item.get("assertion"), f"{at}[{i}].assertion")
        success = item.get("success")
        if not isinstance(success, bool):
            raise InvalidLineageEventError(f"{at}[{i}].success", "must be true or false")
        column = item.get("column")
        found.append(Assertion(name, success, column if isinstance(column, str) else None))
    return tuple(found)


def _schema(facets: dict[str, Any], where: str) -> tuple[dict[str, Any], ...] | None:
    facet = _facet(facets, "schema", f"{where}.facets")
    if facet is None:
        return None
    fields = facet.get("fields")
    if not isinstance(fields, list):
        raise InvalidLineageEventError(f"{where}.facets.schema.fields", "must be a list")
    kept = []
    for i, item in enumerate(fields):
        if not isinstance(item, dict):
            raise InvalidLineageEventError(f"{where}.facets.schema.fields[{i}]", "not an object")
        kept.append(
            {
                "name": _text(item.get("name"), f"{where}.facets.schema.fields[{i}].name"),
                "type": item.get("type") if isinstance(item.get("type"), str) else None,
                "description": item.get("description")
                if isinstance(item.get("description"), str)
                else None,
            }
        )
    return tuple(kept)


def _refuse_nul(doc: Any) -> None:
    """:class:`InvalidLineageEventError` for a string (or key) holding the NUL character,
    which no name can hold and PostgreSQL cannot store (walked without recursion: any depth)."""
    stack: list[tuple[Any, str]] = [(doc, "")]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise InvalidLineageEventError(where or "(body)", "holds the NUL character")
        elif isinstance(value, dict):
            for key, item in value.items():
                stack.append((key, where))
                stack.append((item, f"{where}.{key}" if where else str(key)))
        elif isinstance(value, list):
            stack.extend((item, f"{where}[{i}]") for i, item in enumerate(value))


def _facets(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidLineageEventError(where, "must be an object of facets")
    return value


def _facet(facets: dict[str, Any], name: str, where: str) -> dict[str, Any] | None:
    """Facet ``name`` of ``facets``; ``None`` when absent or deleted (``_deleted``)."""
    value = facets.get(name)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidLineageEventError(f"{where}.{name}", "a facet must be an object")
    return None if value.get("_deleted") is True else value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidLineageEventError(where, "missing: give a non-empty string")
    if len(value) > _MAX_NAME:
        raise InvalidLineageEventError(where, f"over {_MAX_NAME} characters")
    return value


def _uri(doc: dict[str, Any], key: str) -> str:
    value = doc.get(key)
    if not isinstance(value, str) or not _URI.match(value):
        shown = "missing" if value is None else f"{value!r} is not a URI"
        raise InvalidLineageEventError(key, f"{shown}: give a URI such as https://...")
    return value


def _uuid(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise InvalidLineageEventError(where, "missing: give the run's UUID")
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise InvalidLineageEventError(where, f"{value!r} is not a UUID") from None


def _count(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidLineageEventError(where, f"{value!r} is not a number")
    if value < 0 or value != int(value) or value > 2**63 - 1:
        raise InvalidLineageEventError(where, f"{value!r} is not a count (a whole number >= 0)")
    return int(value)


def _time(value: Any, where: str, *, required: bool = False) -> datetime | None:
    """An ISO 8601 time with its UTC offset, in UTC (a zone name in brackets after it, as
    Java writes, is left out)."""
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise InvalidLineageEventError(where, "missing: give an ISO 8601 time with its offset")
    text = value.split("[", 1)[0] if value.endswith("]") else value
    try:
        when = datetime.fromisoformat(text) if "T" in text or " " in text else None
    except ValueError:
        when = None
    if when is None:
        raise InvalidLineageEventError(
            where, f"{value!r} is not an ISO 8601 date-time such as 2026-11-30T02:00:00Z"
        )
    if when.tzinfo is None:
        raise InvalidLineageEventError(where, f"{value!r} has no UTC offset; add Z or +HH:MM")
    return in_range(when, where, InvalidLineageEventError)
