"""Property-based fuzzing of the whole API from its OpenAPI schema (schemathesis): no request,
well-formed or not, gets a 5xx, and every answer's status is one the schema declares.

It runs against a real server (uvicorn on loopback, real HTTP) with an admin token, with a
model registered so that half the generated paths name one that exists. ``make test`` runs a
few examples per operation and mode (deterministic, SQLite); set ``SMOKEJUMPER_FUZZ_EXAMPLES``
for a longer, randomised run on SQLite and PostgreSQL, e.g.
``SMOKEJUMPER_FUZZ_EXAMPLES=500 .venv/bin/python -m pytest tests/server/test_fuzz.py``.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode
from tests.conftest import RunningServer
from tests.server.test_api import client, records, register

#: Examples per operation and generation mode; a small count keeps ``make test`` fast.
EXAMPLES = int(os.environ.get("SMOKEJUMPER_FUZZ_EXAMPLES", "0")) or 6
#: Only the default (CI) run is derandomised (the same examples every time) and uses SQLite
#: only; a longer run fuzzes PostgreSQL too.
REPEATABLE = "SMOKEJUMPER_FUZZ_EXAMPLES" not in os.environ
STORES = ["sqlite"] if REPEATABLE else ["sqlite", "postgresql"]


def _seed(server: RunningServer) -> dict[str, Any]:
    """Register 'churn' with a monitor and some predictions; the server's OpenAPI schema."""
    with client(server) as c:
        register(c)
        assert c.post("/api/v1/models/churn/predictions", json=records(20)).status_code == 201
        monitor = {"name": "p50", "model": "churn", "type": "latency", "quantile": 0.5}
        assert c.post("/api/v1/monitors", json=monitor).status_code == 201
        spec = c.get("/openapi.json")
        assert spec.status_code == 200, spec.text
        return dict(spec.json())


def _fuzz(operation: Any, mode: GenerationMode, url: str, auth: dict[str, str]) -> list[str]:
    """What ``operation`` answered wrongly (a 5xx, or a status its schema does not declare)
    to the examples generated in ``mode``."""
    declared = {str(code) for code in operation.definition.raw["responses"]}
    found: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=REPEATABLE,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), known=st.booleans())
    def probe(case: Any, known: bool) -> None:
        if known and "name" in (case.path_parameters or {}):
            case.path_parameters["name"] = "churn"
        answer = case.call(base_url=url, headers=auth, timeout=30)
        status = answer.status_code
        if status >= 500 or str(status) not in declared:
            found.append(
                f"{status} from {operation.label} ({mode}): {answer.text[:200]}\n"
                f"  {case.as_curl_command(headers=auth)}"
            )

    try:
        probe()
    except Unsatisfiable:  # nothing to make invalid: the operation takes no input
        assert mode is GenerationMode.NEGATIVE, operation.label
    return found


@pytest.mark.parametrize("database_url", STORES, indirect=True)
def test_no_request_gets_a_5xx_or_an_undeclared_status(server: RunningServer) -> None:
    schema = schemathesis.openapi.from_dict(_seed(server))
    auth = {"Authorization": f"Bearer {server.admin}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    found = [
        problem
        for operation in operations
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        for problem in _fuzz(operation, mode, server.url, auth)
    ]
    assert not found, "\n".join(found[:20])
