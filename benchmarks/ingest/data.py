"""Request bodies the clients send (JSON records, Arrow IPC), the reference and the model."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ingest.settings import FEATURES, MODEL, REFERENCE_ROWS, SEED, Json


@dataclass(frozen=True)
class ClientSpec:
    """What one client sends: the format and the rows per request."""

    kind: str  # "json" or "arrow"
    batch: int


def _batch_columns(rows: int, seed: Sequence[int]) -> dict[str, Any]:
    """Column values of one batch: N(0, 1) features, timestamps in the last minute."""
    import numpy as np

    rng = np.random.default_rng(list(seed))
    now_us = int(datetime.now(UTC).timestamp() * 1_000_000)
    return {
        "timestamp_us": now_us - rng.integers(1_000_000, 60_000_000, rows),
        "features": {name: rng.standard_normal(rows) for name in FEATURES},
        "prediction": rng.random(rows),
        "confidence": rng.uniform(0.5, 1.0, rows),
        "latency_ms": rng.gamma(2.0, 6.0, rows),
    }


def json_body(rows: int, seed: Sequence[int], prefix: str) -> bytes:
    """A JSON list of ``rows`` prediction records."""
    cols = _batch_columns(rows, seed)
    stamps = [
        datetime.fromtimestamp(us / 1_000_000, UTC).isoformat()
        for us in cols["timestamp_us"].tolist()
    ]
    features = {name: values.tolist() for name, values in cols["features"].items()}
    prediction = cols["prediction"].tolist()
    confidence = cols["confidence"].tolist()
    latency = cols["latency_ms"].tolist()
    records = [
        {
            "id": f"{prefix}-{i}",
            "timestamp": stamps[i],
            "version": "v1",
            "features": {name: features[name][i] for name in FEATURES},
            "prediction": prediction[i],
            "confidence": confidence[i],
            "latency_ms": latency[i],
        }
        for i in range(rows)
    ]
    return json.dumps(records).encode()


def arrow_body(rows: int, seed: Sequence[int], prefix: str) -> bytes:
    """An Arrow IPC stream of ``rows`` predictions in flat columns."""
    import pyarrow as pa

    cols = _batch_columns(rows, seed)
    table = pa.table(
        {
            "id": pa.array([f"{prefix}-{i}" for i in range(rows)], pa.string()),
            "timestamp": pa.array(cols["timestamp_us"], pa.timestamp("us", tz="UTC")),
            "version": pa.array(["v1"] * rows, pa.string()),
            **cols["features"],
            "prediction": cols["prediction"],
            "confidence": cols["confidence"],
            "latency_ms": cols["latency_ms"],
        }
    )
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def make_body(spec: ClientSpec, seed: Sequence[int], prefix: str) -> bytes:
    """One request body for ``spec``."""
    build = json_body if spec.kind == "json" else arrow_body
    return build(spec.batch, seed, prefix)


def reference_parquet() -> bytes:
    """The model's reference: 50,000 rows of the 20 features, N(0, 1), as Parquet."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng([SEED, 0])
    table = pa.table({name: rng.standard_normal(REFERENCE_ROWS) for name in FEATURES})
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def model_body() -> Json:
    """The registration request."""
    return {
        "name": MODEL,
        "schema": {
            "features": [{"name": n, "kind": "numeric"} for n in FEATURES],
            "prediction_kind": "numeric",
        },
        "window_seconds": 3600,
    }
