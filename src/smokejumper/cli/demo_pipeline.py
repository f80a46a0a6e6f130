"""The upstream of the demo's loan model: the credit-bureau join that writes its features,
reported as OpenLineage run events (what Airflow or Spark send). Three usual daily runs, then
the run just before the first October hour, which wrote a third fewer rows: the silent
pipeline failure whose symptom the monitors see as missing credit scores.

>>> from datetime import UTC, datetime
>>> runs = pipeline_runs(datetime(2026, 11, 30, 12, tzinfo=UTC))
>>> [r["outputs"][0]["outputFacets"]["outputStatistics"]["rowCount"] for r in runs]
[10012, 9987, 10040, 6630]
>>> runs[-1]["eventTime"]
'2026-11-30T11:50:00+00:00'
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

JOB = ("etl", "credit_bureau_join")
DATASET = ("warehouse", "loans.features")
PRODUCER = "https://github.com/smokejumper/demo"
SCHEMA = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
#: Rows the job wrote on the three days before, and on the day it broke.
USUAL_ROWS = (10_012, 9_987, 10_040)
BROKEN_ROWS = 6_630


def _run(ended: datetime, rows: int, snapshot: str, seed: int) -> dict[str, Any]:
    return {
        "eventType": "COMPLETE",
        "eventTime": ended.isoformat(),
        "producer": PRODUCER,
        "schemaURL": SCHEMA,
        "run": {"runId": str(uuid.UUID(int=seed, version=4))},
        "job": {"namespace": JOB[0], "name": JOB[1]},
        "inputs": [{"namespace": "bureau", "name": "credit_scores"}],
        "outputs": [
            {
                "namespace": DATASET[0],
                "name": DATASET[1],
                "facets": {"version": {"datasetVersion": snapshot}},
                "outputFacets": {"outputStatistics": {"rowCount": rows}},
            }
        ],
    }


def pipeline_runs(onset: datetime) -> list[dict[str, Any]]:
    """The job's run events, oldest first: daily runs before ``onset`` (the first October
    hour), the last ten minutes before it."""
    broke = onset - timedelta(minutes=10)
    runs = [
        _run(broke - timedelta(days=3 - i), rows, f"snap-{i + 1}", i + 1)
        for i, rows in enumerate(USUAL_ROWS)
    ]
    runs.append(_run(broke, BROKEN_ROWS, f"snap-{len(USUAL_ROWS) + 1}", len(USUAL_ROWS) + 1))
    return runs
