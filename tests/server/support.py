"""Helpers for tests that talk to the HTTP API: a model schema, clients, and logged rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import numpy as np
from tests.support import RunningServer

SCHEMA = {
    "features": [
        {"name": "age", "kind": "numeric"},
        {"name": "plan", "kind": "categorical"},
        {"name": "active", "kind": "boolean"},
    ],
    "prediction_kind": "numeric",
    "segments": ["plan"],
}


def client(server: RunningServer, token: str | None = None) -> httpx.Client:
    """An HTTP client of ``server`` with ``token`` (the admin token by default)."""
    headers = {"Authorization": f"Bearer {token or server.admin}"}
    return httpx.Client(base_url=server.url, headers=headers, timeout=30)


def register(c: httpx.Client, name: str = "churn") -> None:
    """Register model ``name`` with ``SCHEMA`` and hour-long windows."""
    r = c.post("/api/v1/models", json={"name": name, "schema": SCHEMA, "window_seconds": 3600})
    assert r.status_code == 201, r.text


def records(
    n: int, start: int = 0, *, shift: float = 0.0, hour: datetime | None = None
) -> list[dict[str, Any]]:
    """``n`` seeded predictions of ``SCHEMA``, ids from ``p{start}``; ``shift`` moves ``age``."""
    rng = np.random.default_rng(start)
    ts = (hour or datetime.now(UTC) - timedelta(hours=1)).isoformat()
    return [
        {
            "id": f"p{start + i}",
            "timestamp": ts,
            "version": "v1",
            "features": {
                "age": float(rng.normal(40 + shift, 10)),
                "plan": ["basic", "pro"][i % 2],
                "active": bool(i % 3),
            },
            "prediction": float(rng.random()),
            "latency_ms": 12.5,
        }
        for i in range(n)
    ]


def windows(c: httpx.Client, name: str = "churn") -> list[dict[str, Any]]:
    """The windows of model ``name``, as the API lists them."""
    r = c.get(f"/api/v1/models/{name}/windows")
    assert r.status_code == 200, r.text
    return r.json()


# --------------------------------------------------------------------------- raw log slices

PATH = "/api/v1/models/churn/predictions"
US = timedelta(microseconds=1)

#: Start of the hour the slice tests query: every batch is logged around it (windows are an hour).
HOUR = (datetime.now(UTC) - timedelta(hours=6)).replace(minute=0, second=0, microsecond=0)


def row(rid: str, at: datetime, *, plan: str = "basic", version: str = "v1") -> dict[str, Any]:
    """One logged prediction."""
    return {
        "id": rid,
        "timestamp": at.isoformat(),
        "version": version,
        "features": {"age": 30.0, "plan": plan, "active": plan == "pro"},
        "prediction": 0.5,
    }


#: Batch key -> rows: "before" ends 1 µs before HOUR, "inside" fills [HOUR, HOUR + 1 h) to both
#: edges, "after" starts at HOUR + 1 h. Rows "b1a" and "b1z" share a timestamp.
BATCHES = {
    "before": [row("a0", HOUR - timedelta(minutes=50)), row("a1", HOUR - US)],
    "inside": [
        row("b2", HOUR + timedelta(hours=1) - US, version="v2"),
        row("b1z", HOUR + timedelta(minutes=30), plan="pro", version="v2"),
        row("b0", HOUR),
        row("b1a", HOUR + timedelta(minutes=30), plan="pro"),
    ],
    "after": [row("c0", HOUR + timedelta(hours=1), plan="pro")],
}
INSIDE = ["b0", "b1a", "b1z", "b2"]
