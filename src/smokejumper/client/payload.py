"""Batches as sent and spooled: a stable id, the model, and the encoded body.

A batch is encoded once, when it is formed, and its id is chosen then; every retry and every
resend from the spool sends the very same bytes under the same ``Idempotency-Key``, so the
server counts it once.

>>> batch, dropped = json_batch("churn", PREDICTIONS, [{"id": "p1", "prediction": 0.7}], "b1")
>>> batch.path, batch.rows, dropped
('/api/v1/models/churn/predictions', 1, 0)
>>> batch.body
b'{"batch_id":"b1","records":[{"id":"p1","prediction":0.7}]}'

Records that cannot be encoded are left out (and counted) instead of failing the whole batch:

>>> batch, dropped = json_batch("churn", PREDICTIONS, [{"id": "p1"}, {"id": object()}], "b2")
>>> batch.rows, dropped
(1, 1)
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from smokejumper.protocol import ARROW_STREAM, FILLED, JSON

if TYPE_CHECKING:
    import pyarrow as pa

Kind = Literal["predictions", "labels"]
PREDICTIONS: Kind = "predictions"
LABELS: Kind = "labels"

_PANDAS_INDEX = re.compile(r"__index_level_\d+__")

#: Suffix of the id of a batch resent without the records the server rejected.
SALVAGED = "-valid"

_ITEMS = {PREDICTIONS: "records", LABELS: "labels"}


_UUID4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID4_SET = (4 << 76) | (0x8000 << 48)


def new_id() -> str:
    """A random uuid4 as 32 hex digits, as ``uuid.uuid4().hex`` but without building a UUID
    object (twice as fast; it runs in every ``log()`` call without an id).

    >>> import uuid
    >>> u = uuid.UUID(hex=new_id())
    >>> u.version, u.variant == uuid.RFC_4122, len(u.hex)
    (4, True, 32)
    """
    return f"{int.from_bytes(os.urandom(16), 'big') & _UUID4_CLEAR | _UUID4_SET:032x}"


new_batch_id = new_id


@dataclass(frozen=True)
class Batch:
    """One request's worth of predictions or labels for one model, ready to send or spool.

    ``salvage`` says whether, if the server rejects some records by index, the others may be
    resent as a new batch (only once: a salvaged batch is not salvaged again).
    """

    batch_id: str
    model: str
    kind: Kind
    body: bytes
    content_type: str
    rows: int
    salvage: bool = True

    @property
    def path(self) -> str:
        """The API path the batch is posted to."""
        return f"/api/v1/models/{quote(self.model, safe='')}/{self.kind}"


def _jsonable(value: Any) -> Any:
    """What JSON cannot encode natively: times, NumPy scalars, decimals."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    item = getattr(value, "item", None)  # NumPy scalars (np.float32, np.int64, np.bool_, ...)
    if callable(item) and not isinstance(value, type):
        return item()
    raise TypeError(f"a {type(value).__name__} cannot be sent as JSON")


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), default=_jsonable).encode()


def json_body(kind: Kind, batch_id: str, encoded_items: Iterable[bytes]) -> bytes:
    """The JSON body of a batch from its already encoded items."""
    head = b'{"batch_id":' + _dumps(batch_id) + b',"' + _ITEMS[kind].encode() + b'":['
    return head + b",".join(encoded_items) + b"]}"


def json_batch(
    model: str, kind: Kind, items: Sequence[Any], batch_id: str | None = None
) -> tuple[Batch | None, int]:
    """The batch of ``items``, and how many were left out because they are not JSON.

    Returns ``None`` as the batch when no item could be encoded.
    """
    batch_id = batch_id or new_batch_id()
    try:
        whole = _dumps(list(items))
    except (TypeError, ValueError, RecursionError):
        encoded = []
        for item in items:
            try:
                encoded.append(_dumps(item))
            except (TypeError, ValueError, RecursionError):
                continue
        if not encoded:
            return None, len(items)
        body = json_body(kind, batch_id, encoded)
        return Batch(batch_id, model, kind, body, JSON, len(encoded)), len(items) - len(encoded)
    body = json_body(kind, batch_id, [whole[1:-1]] if items else [])
    return Batch(batch_id, model, kind, body, JSON, len(items)), 0


def without(batch: Batch, rows: Iterable[int]) -> Batch | None:
    """A JSON batch minus the items at ``rows``, under a new (derived, stable) id.

    >>> batch, _ = json_batch("m", LABELS, [{"id": "a"}, {"id": "b"}, {"id": "c"}], "b1")
    >>> rest = without(batch, {1})
    >>> rest.batch_id, rest.rows, rest.salvage
    ('b1-valid', 2, False)
    >>> rest.body
    b'{"batch_id":"b1-valid","labels":[{"id":"a"},{"id":"c"}]}'
    """
    doc = json.loads(batch.body)
    drop = set(rows)
    kept = [item for i, item in enumerate(doc[_ITEMS[batch.kind]]) if i not in drop]
    if not kept:
        return None
    batch_id = batch.batch_id + SALVAGED
    body = json_body(batch.kind, batch_id, [_dumps(item) for item in kept])
    return replace(batch, batch_id=batch_id, body=body, rows=len(kept), salvage=False)


# --------------------------------------------------------------------------- Arrow batches


def as_table(data: object) -> pa.Table:
    """A pyarrow Table from a Table, RecordBatch, pandas/polars frame or any Arrow C stream."""
    import pyarrow as pa

    return data if isinstance(data, pa.Table) else pa.table(data)


def complete(table: pa.Table, *, version: str | None, now: datetime) -> pa.Table:
    """The table with the columns the client fills in when missing: ``id`` (unique per row),
    ``timestamp`` (``now``, so that a batch resent from the spool later keeps its real time)
    and ``version`` (when given), each marked with :data:`FILLED`. Schema metadata and pandas
    index columns are dropped.

    >>> import pyarrow as pa
    >>> from datetime import UTC, datetime
    >>> now = datetime(2026, 1, 1, tzinfo=UTC)
    >>> t = complete(pa.table({"x": [1.0, 2.0]}), version="v2", now=now)
    >>> t.column_names, t.column("version").to_pylist()
    (['x', 'id', 'timestamp', 'version'], ['v2', 'v2'])
    >>> len(set(t.column("id").to_pylist())), t.column("timestamp")[0].as_py() == now
    (2, True)
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    table = table.replace_schema_metadata(None)
    index = [name for name in table.column_names if _PANDAS_INDEX.fullmatch(name)]
    if index:  # a pandas index that older pandas versions turn into columns: never sent
        table = table.drop_columns(index)
    n = table.num_rows

    def filled(name: str, values: pa.Array) -> pa.Table:
        return table.append_column(pa.field(name, values.type, metadata=FILLED), values)

    if "id" not in table.column_names:
        prefix = pa.scalar(new_batch_id() + "-")
        rows = pa.array(range(n), pa.int64()).cast(pa.string())
        table = filled("id", pc.binary_join_element_wise(prefix, rows, ""))
    if "timestamp" not in table.column_names:
        table = filled("timestamp", pa.array([now] * n, pa.timestamp("us", tz="UTC")))
    if version is not None and "version" not in table.column_names:
        table = filled("version", pa.array([version] * n, pa.string()))
    return table


def arrow_batches(model: str, table: pa.Table, *, max_bytes: int, max_rows: int) -> list[Batch]:
    """The table cut into Arrow IPC stream batches of about ``max_bytes`` (at most ``max_rows``
    rows) each.

    >>> import pyarrow as pa
    >>> t = pa.table({"id": [str(i) for i in range(10)], "x": [float(i) for i in range(10)]})
    >>> [b.rows for b in arrow_batches("m", t, max_bytes=10**6, max_rows=4)]
    [4, 4, 2]
    """
    import pyarrow as pa

    n = table.num_rows
    per_row = max(1.0, table.nbytes / max(1, n))
    step = max(1, min(max_rows, int(max_bytes / per_row)))
    out = []
    for start in range(0, n, step):
        chunk = table.slice(start, step)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, chunk.schema) as writer:
            writer.write_table(chunk)
        body = sink.getvalue().to_pybytes()
        out.append(Batch(new_batch_id(), model, PREDICTIONS, body, ARROW_STREAM, chunk.num_rows))
    return out
