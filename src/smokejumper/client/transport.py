"""One attempt to send a batch over HTTP, and what the answer means for it.

The transport never raises for anything the network or the server does; it answers a
:class:`Reply` saying whether the batch is stored (``ok``), refused for good (``rejected``,
with the server's reasons) or worth trying again (``retry``: no connection, 5xx, 408, 429).

>>> import httpx
>>> from smokejumper.client.payload import json_batch, PREDICTIONS
>>> def server(request):
...     return httpx.Response(422, json={"detail": "batch rejected", "errors": [
...         {"index": 1, "field": "features.age", "message": "expected a number, got str"}]})
>>> transport = Transport("http://sj.test", "token", transport=httpx.MockTransport(server))
>>> batch, _ = json_batch("churn", PREDICTIONS, [{"id": "a"}, {"id": "b"}])
>>> reply = transport.send(batch)
>>> reply.outcome, reply.status, reply.bad_rows, reply.reasons
('rejected', 422, frozenset({1}), ('record 1: features.age: expected a number, got str',))
>>> transport.close()
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import httpx

from smokejumper._version import __version__
from smokejumper.client.payload import Batch

Outcome = Literal["ok", "rejected", "retry"]

#: Statuses that say "not now" rather than "never".
RETRYABLE = frozenset({408, 425, 429})


@dataclass(frozen=True)
class Reply:
    """What became of one attempt."""

    outcome: Outcome
    status: int | None  # None when no HTTP answer came back
    reasons: tuple[str, ...] = ()
    bad_rows: frozenset[int] | None = None  # rejected records by index, when all are known
    retry_after: float | None = None
    duplicate: bool = False


def _retry_after(response: httpx.Response) -> float | None:
    try:
        value = float(response.headers.get("retry-after", ""))
    except ValueError:
        return None
    return value if value >= 0 else None


def _fastapi_row(loc: object) -> int | None:
    """The record index in a FastAPI validation error location such as body.labels.3.label."""
    if (
        isinstance(loc, list)
        and len(loc) > 2
        and loc[0] == "body"
        and loc[1] in ("records", "labels")
        and isinstance(loc[2], int)
    ):
        return loc[2]
    return None


def _reasons(response: httpx.Response) -> tuple[tuple[str, ...], frozenset[int] | None]:
    """The server's reasons for refusing, and the refused records' indexes when all are known."""
    try:
        doc: Any = response.json()
    except ValueError:
        text = response.text.strip()[:300]
        return ((text or response.reason_phrase),), None
    detail = doc.get("detail") if isinstance(doc, dict) else None
    errors = doc.get("errors") if isinstance(doc, dict) else None
    rows: set[int] = set()
    every_row_known = True
    reasons: list[str] = []
    if isinstance(errors, list) and errors:
        for e in errors:
            e = e if isinstance(e, dict) else {}
            index = e.get("index")
            where = f"record {index}: " if index is not None else ""
            reasons.append(f"{where}{e.get('field', '?')}: {e.get('message', '?')}")
            if isinstance(index, int) and not isinstance(index, bool):
                rows.add(index)
            else:
                every_row_known = False
    elif isinstance(detail, list) and detail:  # FastAPI's own request validation
        for e in detail:
            e = e if isinstance(e, dict) else {}
            loc = e.get("loc")
            where = ".".join(str(part) for part in loc) if isinstance(loc, list) else "?"
            reasons.append(f"{where}: {e.get('msg', '?')}")
            index = _fastapi_row(loc)
            if index is None:
                every_row_known = False
            else:
                rows.add(index)
    else:
        reasons.append(str(detail) if detail is not None else response.text.strip()[:300])
        every_row_known = False
    return tuple(reasons), frozenset(rows) if every_row_known and rows else None


class Transport:
    """Posts batches to one server with one token. Used by one thread at a time."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._http = httpx.Client(
            base_url=url,
            headers={
                "Authorization": f"Bearer {token}",
                "User-Agent": f"smokejumper-client/{__version__}",
            },
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            transport=transport,
        )

    def send(self, batch: Batch) -> Reply:
        """Post ``batch`` once under its batch id as ``Idempotency-Key``."""
        try:
            response = self._http.post(
                batch.path,
                content=batch.body,
                headers={"Content-Type": batch.content_type, "Idempotency-Key": batch.batch_id},
            )
        except Exception as err:  # no connection, a timeout, a broken reply, a custom transport
            return Reply("retry", None, (f"{type(err).__name__}: {err}",))
        status = response.status_code
        if 200 <= status < 300:
            try:
                answer = response.json()
            except ValueError:
                answer = None
            duplicate = isinstance(answer, dict) and answer.get("duplicate") is True
            return Reply("ok", status, duplicate=duplicate)
        reasons, rows = _reasons(response)
        if status >= 500 or status in RETRYABLE:
            return Reply("retry", status, reasons, retry_after=_retry_after(response))
        return Reply("rejected", status, reasons, rows)

    def close(self) -> None:
        """Close the connections."""
        self._http.close()
