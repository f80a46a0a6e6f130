"""What a drill tells the product besides traffic: the OpenLineage RunEvents of the jobs
upstream of the model (the feature pipeline of the pipeline scenario, with its broken run; the
application gateway's hourly landing job of the volume drop, with the hours it lost), the
datasets the model declares it reads, and the alias move of the bad-version scenario, as a
change. :func:`declared_inputs`, :func:`lineage_events` and :func:`truth_component` say, per
scenario, what the runner declares, sends and scores against.

>>> from datetime import UTC, datetime, timedelta
>>> starts = [datetime(2026, 11, 1, h, tzinfo=UTC) for h in range(6)]
>>> events = pipeline_runs("m1", starts, onset=4, rows=500, seed=1)
>>> len(events), events[0]["eventType"], events[1]["eventType"]
(12, 'START', 'COMPLETE')
>>> [e["outputs"][0]["outputFacets"]["outputStatistics"]["rowCount"] for e in events[1::2]]
[500, 500, 500, 500, 50, 50]
>>> dataset_version("m1", 4)
'm1-snap-0004'
>>> gate = gateway_runs("m1", starts, [500, 500, 500, 500, 52, 49], seed=1)
>>> [e["job"]["name"] for e in gate[:1]], [e["outputs"][0]["name"] for e in gate[1:2]]
(['gateway.loan_applications.m1'], ['applications.loans.m1'])
>>> [e["outputs"][0]["outputFacets"]["outputStatistics"]["rowCount"] for e in gate[1::2]]
[500, 500, 500, 500, 52, 49]
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from smokejumper.drills.scenario import Component, Scenario
from smokejumper.drills.scenarios.data import (
    GATEWAY_DATASET,
    GATEWAY_JOB,
    PIPELINE_DATASET,
    PIPELINE_JOB,
    PIPELINE_NAMESPACE,
)

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


def gateway_dataset(model: str) -> tuple[str, str]:
    """The (namespace, name) of the applications the gateway lands for a drill model."""
    return PIPELINE_NAMESPACE, f"{GATEWAY_DATASET}.{model}"


def gateway_job(model: str) -> str:
    """The gateway's landing job of a drill model."""
    return f"{GATEWAY_JOB}.{model}"


def _runs(
    model: str,
    job: str,
    dataset: tuple[str, str],
    starts: Sequence[datetime],
    written: Sequence[int],
    key: str,
) -> list[dict[str, Any]]:
    """A START and a COMPLETE event of ``job`` for the run that ends ten minutes before each
    window, writing ``written[i]`` rows to ``dataset`` at version :func:`dataset_version`
    (run ids made from ``key`` and the window, the same for the same drill run)."""
    namespace, name = dataset
    events = []
    for index, (start, rows) in enumerate(zip(starts, written, strict=True)):
        run_id = str(uuid.UUID(int=uuid.uuid5(uuid.NAMESPACE_URL, f"{key}/{index}").int))
        began, ended = start - timedelta(minutes=25), start - timedelta(minutes=10)
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
                    "rowCount": int(rows),
                }
            },
        }
        for kind, at in (("START", began), ("COMPLETE", ended)):
            events.append(
                {
                    "eventType": kind,
                    "eventTime": at.isoformat(),
                    "run": {"runId": run_id},
                    "job": {"namespace": namespace, "name": job},
                    "inputs": [],
                    "outputs": [output] if kind == "COMPLETE" else [],
                    "producer": PRODUCER,
                    "schemaURL": RUN_SCHEMA,
                }
            )
    return events


def pipeline_runs(
    model: str, starts: Sequence[datetime], *, onset: int | None, rows: int, seed: int
) -> list[dict[str, Any]]:
    """A START and a COMPLETE event for the features run that ends ten minutes before each
    window; from ``onset`` on the run writes a tenth of the usual rows (None: never)."""
    written = [
        round(rows * (BROKEN_SHARE if onset is not None and i >= onset else 1.0))
        for i in range(len(starts))
    ]
    key = f"{model}/{seed}"
    return _runs(model, pipeline_job(model), pipeline_dataset(model), starts, written, key)


def gateway_runs(
    model: str, starts: Sequence[datetime], landed: Sequence[int], *, seed: int
) -> list[dict[str, Any]]:
    """A START and a COMPLETE event for the gateway's landing run that ends ten minutes before
    each window, writing the applications the model then scores in it (``landed``: the
    window's rows, so a volume drop's runs report the hours it lost)."""
    key = f"{model}/{seed}/gateway"
    return _runs(model, gateway_job(model), gateway_dataset(model), starts, landed, key)


def declared_inputs(scenario: Scenario, model: str) -> list[dict[str, str]] | None:
    """The datasets the model's schema declares it reads (``inputs:``), None when the scenario
    says nothing about its upstream."""
    found = []
    if "lineage" in scenario.tags:
        found.append(pipeline_dataset(model))
    if "gateway" in scenario.tags:
        found.append(gateway_dataset(model))
    return [{"namespace": n, "name": d} for n, d in found] or None


def lineage_events(
    scenario: Scenario,
    model: str,
    starts: Sequence[datetime],
    landed: Sequence[int],
    *,
    onset: int | None,
    rows: int,
    seed: int,
) -> list[dict[str, Any]]:
    """The OpenLineage events the scenario's upstream jobs send (``landed``: each window's
    rows as logged)."""
    events = []
    if "lineage" in scenario.tags:
        events += pipeline_runs(model, starts, onset=onset, rows=rows, seed=seed)
    if "gateway" in scenario.tags:
        events += gateway_runs(model, starts, landed, seed=seed)
    return events


def truth_component(scenario: Scenario, model: str, onset: int | None) -> Component:
    """The truth's component as the run names it: a pipeline job of this model's drill, at
    the dataset version its run before the onset wrote (the scenario's component otherwise).

    >>> from smokejumper.drills.registry import get_scenario
    >>> truth_component(get_scenario("volume_drop"), "m1", 24)
    Component(kind='pipeline', name='gateway.loan_applications.m1', version='m1-snap-0024')
    >>> truth_component(get_scenario("concept_drift"), "m1", 24).name
    'default behaviour'
    """
    component = scenario.truth.component
    if component.kind != "pipeline" or onset is None:
        return component
    if "lineage" in scenario.tags and component.name == PIPELINE_JOB:
        job = pipeline_job(model)
    elif "gateway" in scenario.tags and component.name == GATEWAY_JOB:
        job = gateway_job(model)
    else:
        return component
    return replace(component, name=job, version=dataset_version(model, onset))


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
