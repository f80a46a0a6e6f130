"""How the API answers what it refuses: the status of each error of :mod:`smokejumper.errors`,
validation errors that always serialise (a ``NaN`` in the request is named, not echoed back
as a number JSON cannot hold), a 404 that says when a path's trailing ``/`` is the reason, and
a 400 for a body that is not JSON that says so, and a 422 for a URL holding ``%00``.

>>> finite({"input": float("nan"), "ctx": [float("inf"), 1.5]})
{'input': 'NaN', 'ctx': ['Infinity', 1.5]}
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from smokejumper.errors import (
    ActionItemConflictError,
    BatchKeyConflictError,
    BatchRejectedError,
    ChangeConflictError,
    InputError,
    InvalidLineageEventError,
    ModelExistsError,
    NotFoundError,
    SlackSignatureError,
    SmokejumperError,
    UpstreamError,
)


def error_status(err: SmokejumperError) -> int:
    """The HTTP status answering ``err``: 404 unknown model, alert, silence or dataset, 409
    conflict, 401 a request said to come from Slack without its valid signature, 400 an
    OpenLineage event breaking the spec (as its consumers answer), 422 other bad input, 502 a
    service called on the user's behalf refused (Confluence, a tracker)."""
    if isinstance(err, NotFoundError):
        return 404
    if isinstance(err, SlackSignatureError):
        return 401
    conflicts = ModelExistsError | BatchKeyConflictError | ChangeConflictError
    if isinstance(err, conflicts | ActionItemConflictError):
        return 409
    if isinstance(err, InvalidLineageEventError):
        return 400
    if isinstance(err, InputError):
        return 422
    if isinstance(err, UpstreamError):
        return 502
    return 500


def finite(value: Any) -> Any:
    """``value`` with every float JSON cannot hold (NaN, infinities) as its JSON5 spelling."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite(item) for item in value]
    return value


async def _smokejumper_error(_: Request, err: Exception) -> JSONResponse:
    assert isinstance(err, SmokejumperError)
    body: dict[str, Any] = {"detail": str(err)}
    if isinstance(err, BatchRejectedError):
        body["errors"] = finite(err.errors)
    return JSONResponse(body, status_code=error_status(err))


async def _invalid_request(_: Request, err: Exception) -> JSONResponse:
    assert isinstance(err, RequestValidationError)
    return JSONResponse({"detail": finite(jsonable_encoder(err.errors()))}, status_code=422)


#: What FastAPI says of a body it cannot parse as JSON (answered 400).
_UNPARSED = "There was an error parsing the body"


async def _http_error(request: Request, err: Exception) -> JSONResponse:
    assert isinstance(err, HTTPException)
    detail: Any = err.detail
    path = request.url.path
    if err.status_code == 404 and detail == "Not Found" and len(path) > 1 and path.endswith("/"):
        detail = f"no route {path}: paths of this API never end in '/'; ask for {path.rstrip('/')}"
    elif err.status_code == 400 and detail == _UNPARSED:
        detail = "the body is not valid JSON; send a JSON document encoded in UTF-8"
    return JSONResponse({"detail": detail}, status_code=err.status_code, headers=err.headers)


class NulInUrl:
    """ASGI middleware: a URL whose path or query holds ``%00`` (the NUL character, which no
    name, id or time can contain, and PostgreSQL cannot look up) is answered 422 at once."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse the request, or pass it on."""
        if scope["type"] == "http" and (
            b"%00" in scope.get("raw_path", b"") or b"%00" in scope.get("query_string", b"")
        ):
            detail = "the URL holds %00 (the NUL character), which no name, id or time holds"
            await JSONResponse({"detail": f"{detail}; remove it"}, status_code=422)(
                scope, receive, send
            )
            return
        await self._app(scope, receive, send)


def install(app: FastAPI) -> None:
    """Answer refusals on ``app`` as described above."""
    app.add_middleware(NulInUrl)
    app.add_exception_handler(SmokejumperError, _smokejumper_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(HTTPException, _http_error)
