"""What a drill tells the product besides traffic: the runs of the feature pipeline, as
OpenLineage RunEvents (the pipeline scenario's broken run among them), and the alias move of
the bad-version scenario, as a change.

>>> from datetime import UTC, datetime, timedelta
>>> starts = [datetime(2026, 11, 1, h, tzinfo=UTC) for h in range(6)]
>>> events = pipeline_runs("m1", starts, onset=4, rows=500, seed=1)
>>> len(events), events[0]["eventType"], events[1]["eventType"]
(12, 'START', 'COMPLETE')
>>> [e["outputs"][0]["outputFacets"]["outputStatistics"]["rowCount"] for e in events[1::2]]
[500, 500, 500, 500, 50, 50]
>>> dataset_version("m1", 4)
'm1-snap-0004'
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from smokejumper.drills.scenarios.data import PIPELINE_DATASET, PIPELINE_JOB, PIPELINE_NAMESPACE

PRODUCER = "https://github.com/smokejumper/smokejumper/drills"
RUN_SCHEMA = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/definitions/RunEvent"
#: The share of its usual rows the broken run writes.
BROKEN_SHARE = 0.1


def dataset_version(model: str, window: int) -> str:
    """The version of the features dataset the run before ``window`` writes."""
    return f"{model}-snap-{window:04d}"


def pipeline_dataset(model: str) -> tuple[str, str]:
    """The (namespace, name) of the features dataset a drill model reads."""
    return PIPELINE_NAMESPACE, f"{PIPELINE_DATASET}.{model}"


def pipeline_job(model: str) -> str:
    """The features job of a drill model."""
    return f"{PIPELINE_JOB}.{model}"


def pipeline_runs(
    model: str, starts: list[datetime], *, onset: int | None, rows: int, seed: int
) -> list[dict[str, Any]]:
    """A START and a COMPLETE event for the features run that ends ten minutes before each
    window; from ``onset`` on the run writes a tenth of the usual rows (None: never)."""
    namespace, name = pipeline_dataset(model)
    events = []
    for index, start in enumerate(starts):
        run_id = str(uuid.UUID(int=uuid.uuid5(uuid.NAMESPACE_URL, f"{model}/{seed}/{index}").int))
        began, ended = start - timedelta(minutes=25), start - timedelta(minutes=10)
        broken = onset is not None and index >= onset
        written = round(rows * (BROKEN_SHARE if broken else 1.0))
        output = {
            "namespace": namespace,
            "name": name,
            "facets": {
                "version": {
                    "_producer": PRODUCER,
                    "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/DatasetVersionDatasetFacet.json",
                    "datasetVersion": dataset_version(model, index),
                }
            },
            "outputFacets": {
                "outputStatistics": {
                    "_producer": PRODUCER,
                    "_schemaURL": "https://openlineage.io/spec/facets/1-0-2/OutputStatisticsOutputDatasetFacet.json",
                    "rowCount": written,
                }
            },
        }
        for kind, at in (("START", began), ("COMPLETE", ended)):
            events.append(
                {
                    "eventType": kind,
                    "eventTime": at.isoformat(),
                    "run": {"runId": run_id},
                    "job": {"namespace": namespace, "name": pipeline_job(model)},
                    "inputs": [],
                    "outputs": [output] if kind == "COMPLETE" else [],
                    "producer": PRODUCER,
                    "schemaURL": RUN_SCHEMA,
                }
            )
    return events


def alias_move(model: str, alias: str, old: str, new: str, at: datetime) -> dict[str, Any]:
    """The keyword arguments of ``AdminClient.record_change`` for an alias move at ``at``."""
    return {
        "kind": "alias_move",
        "summary": f"alias {alias} moved from {old} to {new}",
        "model": model,
        "at": at,
        "details": {"alias": alias, "from": old, "to": new},
        "change_id": f"{model}-alias-{alias}-{new}",
    }
