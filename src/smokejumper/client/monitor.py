"""The logging calls of one model: cheap, thread-safe, and they never raise.

A call checks the types of its arguments (no schema: the server validates values), builds
one dict and puts it in the client's bounded buffer; the background thread does the rest.
A call with unusable arguments logs a (throttled) warning, counts a drop and returns ``None``.

>>> import httpx, tempfile
>>> from smokejumper.client import Client
>>> got = []
>>> def server(request):
...     got.append(request.read())
...     return httpx.Response(201, json={"rows": 1, "duplicate": False})
>>> client = Client("http://sj.test", "token", transport=httpx.MockTransport(server),
...                 spool_dir=tempfile.mkdtemp())
>>> churn = client.monitor("churn")
>>> churn.log(features={"age": 41}, prediction=0.7, id="p-1")
'p-1'
>>> churn.log(features=["not", "a", "mapping"], prediction=0.7) is None  # dropped, not raised
True
>>> client.flush()
True
>>> b'"id":"p-1"' in got[0], client.stats.sent, client.stats.dropped
(True, 1, 1)
>>> client.close()
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from smokejumper.client.payload import (
    LABELS,
    PREDICTIONS,
    arrow_batches,
    as_table,
    complete,
    new_id,
)

if TYPE_CHECKING:
    from smokejumper.client.client import Client

_NOT_NUMBERS = (str, bytes, bool)
_TIMES = (datetime, int, float, str)
_LABELS = (str, int, float, bool)


def _number(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, _NOT_NUMBERS):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    return float(value)


def _reason(err: BaseException) -> str:
    """``str(err)``, which for a strange object's exception may itself fail."""
    try:
        return str(err)
    except Exception:
        return type(err).__name__


def _rows(table: Any) -> int:
    try:
        rows = table.num_rows
    except Exception:
        return 0
    return rows if isinstance(rows, int) else 0


def _label(value: Any) -> Any:
    item = getattr(value, "item", None)  # NumPy scalars
    if callable(item) and not isinstance(value, _LABELS):
        value = item()
    if not isinstance(value, _LABELS):
        raise TypeError(f"a label must be a string, number or boolean, not {type(value).__name__}")
    return value


class ModelMonitor:
    """Logs the predictions, batches and labels of the model ``name``; made by
    :meth:`Client.monitor`."""

    __slots__ = ("_client", "_labels", "_predictions", "name")

    def __init__(self, client: Client, name: str) -> None:
        self._client = client
        self.name = name
        self._predictions = (name, PREDICTIONS)
        self._labels = (name, LABELS)

    def __repr__(self) -> str:
        return f"ModelMonitor({self.name!r})"

    def log(
        self,
        *,
        features: Mapping[str, Any] | None = None,
        prediction: Any = None,
        confidence: float | None = None,
        latency_ms: float | None = None,
        id: str | None = None,
        version: str | None = None,
        timestamp: datetime | float | str | None = None,
        error: bool | None = None,
    ) -> str | None:
        """Queue one prediction; returns its id (a fresh uuid4 hex unless given), or ``None``
        when the arguments cannot be used (a warning is logged and a drop counted).

        ``timestamp`` is a datetime (naive means UTC), seconds since the epoch or an ISO 8601
        string; it defaults to now. The call copies ``features``, so the caller may reuse it.
        """
        try:
            if features is not None and not isinstance(features, Mapping):
                raise TypeError(
                    f"features must be a mapping of name to value, not {type(features).__name__}"
                )
            if id is None:
                id = new_id()
            elif not isinstance(id, str) or not id:
                raise TypeError(f"id must be a non-empty string, not {id!r:.40}")
            if version is not None and not isinstance(version, str):
                raise TypeError(f"version must be a string, not {type(version).__name__}")
            if timestamp is None:
                timestamp = time.time()
            elif not isinstance(timestamp, _TIMES) or isinstance(timestamp, bool):
                raise TypeError(
                    "timestamp must be a datetime, seconds since the epoch or an ISO 8601 "
                    f"string, not {type(timestamp).__name__}"
                )
            record: dict[str, Any] = {
                "id": id,
                "timestamp": timestamp,
                "features": dict(features) if features else {},
                "prediction": prediction,
            }
            if version is not None:
                record["version"] = version
            if confidence is not None:
                record["confidence"] = _number(confidence, "confidence")
            if latency_ms is not None:
                record["latency_ms"] = _number(latency_ms, "latency_ms")
            if error is not None:
                record["error"] = bool(error)
        except Exception as err:
            self._client._drop(1, "bad-log", f"log() for model {self.name!r}: {_reason(err)}")
            return None
        return id if self._client._put(self._predictions, record) else None

    def log_batch(self, table: Any, *, version: str | None = None) -> int:
        """Queue a table of predictions (a pyarrow Table or RecordBatch, a pandas or polars
        frame, anything with ``__arrow_c_stream__``) to send as Arrow; returns its row count,
        or 0 when it cannot be used (a warning is logged).

        Columns: ``id`` (filled with unique ids when missing), ``timestamp`` (now when
        missing), ``version`` (``version`` when missing and given), the features by name,
        ``prediction``, ``confidence``, ``latency_ms``, ``error``. Large tables are cut into
        several batches.
        """
        try:
            data = as_table(table)
            data = complete(data, version=version, now=datetime.now(UTC))
            if data.num_rows == 0:
                return 0
            max_bytes, max_rows = self._client._arrow_limits()
            for batch in arrow_batches(self.name, data, max_bytes=max_bytes, max_rows=max_rows):
                self._client._put_batch(batch)
        except Exception as err:
            self._client._drop(
                _rows(table), "bad-batch", f"log_batch() for model {self.name!r}: {_reason(err)}"
            )
            return 0
        return int(data.num_rows)

    def log_labels(
        self,
        ids: Iterable[str] | str,
        labels: Iterable[Any] | Any,
    ) -> int:
        """Queue ground-truth labels for earlier predictions, matched by prediction id; returns
        how many were queued. Labels are strings, numbers or booleans; pairs that are not are
        dropped with a warning. One id and one label may be given bare.
        """
        try:
            if isinstance(ids, str):
                ids, labels = [ids], [labels]
            id_list, label_list = list(ids), list(labels)
            if len(id_list) != len(label_list):
                raise ValueError(f"{len(id_list)} ids but {len(label_list)} labels")
        except Exception as err:
            message = f"log_labels() for model {self.name!r}: {_reason(err)}"
            self._client._drop(0, "bad-labels", message)
            return 0
        queued = 0
        for pid, label in zip(id_list, label_list, strict=True):
            try:
                if not isinstance(pid, str) or not pid:
                    raise TypeError(f"a prediction id must be a non-empty string, not {pid!r:.40}")
                record: dict[str, Any] = {"id": pid, "label": _label(label)}
            except Exception as err:
                message = f"log_labels() for model {self.name!r}: {_reason(err)}"
                self._client._drop(1, "bad-labels", message)
                continue
            queued += self._client._put(self._labels, record)
        return queued
