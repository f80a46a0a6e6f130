"""What both sides of the wire share: media types, record field names, filled-in markers.

The SDK (:mod:`smokejumper.client`) and the server import these from here, so a name changed on
one side changes on the other.

>>> ARROW_STREAM
'application/vnd.apache.arrow.stream'
>>> "prediction" in RECORD_FIELDS
True
"""

from __future__ import annotations

#: Media types of request and answer bodies.
JSON = "application/json"
ARROW_STREAM = "application/vnd.apache.arrow.stream"
PARQUET = "application/vnd.apache.parquet"

#: The fields of a prediction record besides the model's features (its stored columns too).
RECORD_FIELDS = ("id", "timestamp", "version", "prediction", "confidence", "latency_ms", "error")

#: Field metadata on an Arrow column the client filled in (``id``, ``timestamp``, ``version``):
#: the server prefers a column of the model's own name for that field, when the table has one.
FILLED = {b"smokejumper.filled": b"1"}
