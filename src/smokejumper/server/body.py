"""Request bodies: the size limit of every route and the table formats the API takes."""

from __future__ import annotations

import io
import zlib
from typing import Any

import orjson
import pyarrow as pa
from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smokejumper.errors import InputError
from smokejumper.protocol import PARQUET
from smokejumper.service.models import GivenData
from smokejumper.stats import serialize


class BodyTooLargeError(HTTPException):
    """A request body over the server's limit (answered 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            413,
            f"request body over the limit of {limit:,} bytes; send smaller batches, or raise "
            "the limit on the server with SMOKEJUMPER_MAX_BODY_BYTES",
        )


class BodyLimit:
    """ASGI middleware: every request body is refused with 413 once it passes ``limit`` bytes.

    A ``Content-Length`` over the limit is answered at once, before the body is read; a body
    without one (chunked) is counted as the route reads it, and reading fails with
    :class:`BodyTooLargeError` as soon as it passes the limit, so nothing of it is stored.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self._app = app
        self._limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on with a counting ``receive``, or refuse it."""
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        if _declared_length(scope) > self._limit:
            await _refuse(self._limit, scope, receive, send)
            return
        await self._app(scope, self._counting(receive), send)

    def _counting(self, receive: Receive) -> Receive:
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self._limit:
                    raise BodyTooLargeError(self._limit)
            return message

        return counted


def _declared_length(scope: Scope) -> int:
    for key, value in scope["headers"]:
        if key == b"content-length" and value.isdigit():
            return int(value)
    return 0


async def _refuse(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
    err = BodyTooLargeError(limit)
    await JSONResponse({"detail": err.detail}, status_code=err.status_code)(scope, receive, send)


async def read_body(request: Request) -> bytes:
    """The whole body (:class:`BodyLimit` refuses one over the limit as it is read)."""
    return await request.body()


def arrow_stream(body: bytes) -> pa.Table:
    """An Arrow IPC stream as a table, or a clear error."""
    try:
        return pa.ipc.open_stream(body).read_all()
    except (pa.ArrowInvalid, OSError) as err:
        raise InputError(f"the body is not a valid Arrow IPC stream: {err}") from err


def reference_profile(body: bytes, content_type: str) -> GivenData:
    """A reference from a profile file, Parquet or CSV body, a word for its source, and its
    rows when it came as rows (they give it phases if they carry the model's timestamp)."""
    if body.startswith(serialize.MAGIC):
        profiles = serialize.loads(body)
        merged = profiles[0]
        for more in profiles[1:]:
            merged = merged.merge(more)
        return GivenData(merged, "profile")
    from smokejumper.stats.dataset import profile

    try:
        if body.startswith(b"PAR1") or content_type.startswith(PARQUET):
            import pyarrow.parquet as pq

            table = pq.read_table(io.BytesIO(body))
            return GivenData(profile(table), "parquet", table)
        if content_type.startswith("text/csv"):
            import pyarrow.csv as pcsv

            table = pcsv.read_csv(io.BytesIO(body))
            return GivenData(profile(table), "csv", table)
    except (pa.ArrowInvalid, OSError) as err:
        raise InputError(f"cannot read the reference body: {err}") from err
    raise InputError(
        "send the reference as a Smokejumper profile file, a Parquet file, or CSV with "
        "'Content-Type: text/csv'"
    )


def json_document(body: bytes, encoding: str, limit: int) -> Any:
    """The JSON document in ``body``, decompressed first when ``encoding`` (the request's
    ``Content-Encoding``) is ``gzip``, as the OpenLineage HTTP transport sends with
    ``compression: gzip``. A body that is not JSON, not gzip or another encoding is answered
    400; one that inflates to over ``limit`` bytes 413.

    >>> import gzip
    >>> json_document(gzip.compress(b'{"a": 1}'), "gzip", 100)
    {'a': 1}
    """
    encoding = encoding.strip().lower()
    if encoding == "gzip":
        body = _gunzip(body, limit)
    elif encoding not in ("", "identity"):
        raise HTTPException(400, f"Content-Encoding {encoding!r} is not taken; send gzip or none")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as err:
        raise HTTPException(400, f"the body is not valid JSON: {err}") from err


def _gunzip(body: bytes, limit: int) -> bytes:
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflate.decompress(body, limit + 1)
    except zlib.error as err:
        raise HTTPException(400, f"the body is not valid gzip: {err}") from err
    if len(out) > limit:
        raise BodyTooLargeError(limit)
    if not inflate.eof:
        raise HTTPException(400, "the gzip body ends early; send the whole of it")
    return out
