"""What the OpenAPI schema says beyond the route signatures: the error answers each route may
give, and the request bodies the routes read themselves (predictions as JSON or Arrow, a
reference as a profile file, Parquet or CSV), so that clients and fuzzers know them.

>>> sorted(refusals(404, 422))
[401, 403, 404, 422]
>>> sorted(PREDICTIONS_BODY["requestBody"]["content"])
['application/json', 'application/vnd.apache.arrow.stream']
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from smokejumper.protocol import ARROW_STREAM, JSON, PARQUET


class Refusal(BaseModel):
    """Why a request was refused, and what to do about it."""

    detail: str | list[dict[str, Any]] = Field(
        description="the reason in words, or (422 from request parsing) one entry per problem"
    )
    errors: list[dict[str, Any]] | None = Field(
        default=None,
        description="for a refused batch: each problem as {index, field, message}",
    )


_WHY = {
    400: "the body is not valid JSON",
    401: "no token, or an invalid or revoked one",
    403: "the token's scope does not allow this",
    404: "no model of that name is registered",
    409: "conflicts with what is stored (a name taken, a batch key used for other content)",
    413: "the request body is over the server's limit",
    422: "the request cannot be used as it is; the answer says what to change",
    502: "a service called on your behalf (Confluence, an issue tracker) refused or is down",
}


def refusals(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route that needs a token and may also answer ``codes``."""
    return {
        code: {"model": Refusal, "description": _WHY[code]} for code in sorted({401, 403, *codes})
    }


_TIME = {
    "anyOf": [
        {"type": "string", "format": "date-time"},
        {"type": "number", "description": "seconds since the epoch"},
    ],
    "description": "when the prediction was made (from 1970 on); default: when received",
}
_NUMBER = {"type": ["number", "null"]}
_RECORD: dict[str, Any] = {
    "type": "object",
    "required": ["id"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "minLength": 1, "description": "unique in the batch"},
        "timestamp": _TIME,
        "version": {"type": ["string", "null"]},
        "features": {
            "type": "object",
            "description": "feature name to value (number, string, boolean or time)",
        },
        "prediction": {"type": ["number", "string", "boolean", "null"]},
        "confidence": _NUMBER,
        "latency_ms": _NUMBER,
        "error": {"type": ["boolean", "null"]},
    },
}
_BINARY = {"schema": {"type": "string", "format": "binary"}}

#: ``openapi_extra`` of ``POST /api/v1/models/{name}/predictions``.
PREDICTIONS_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            JSON: {
                "schema": {
                    "anyOf": [
                        {"type": "array", "items": _RECORD, "minItems": 1},
                        {
                            "type": "object",
                            "required": ["records"],
                            "properties": {
                                "batch_id": {"type": "string", "maxLength": 200},
                                "records": {"type": "array", "items": _RECORD, "minItems": 1},
                            },
                        },
                    ]
                }
            },
            ARROW_STREAM: _BINARY,
        },
    }
}

#: ``openapi_extra`` of ``PUT /api/v1/models/{name}/reference``.
REFERENCE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": False,
        "description": "a Smokejumper profile file, Parquet or CSV; none with first_hours",
        "content": {
            "application/octet-stream": _BINARY,
            PARQUET: _BINARY,
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}
