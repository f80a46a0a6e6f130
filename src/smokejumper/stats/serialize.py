"""A compact, versioned file format for profiles (one or many windows in one file).

Layout: the magic line ``SJPROF\\n``, then the compressed payload: the byte ``Z``, the
payload's length as 8 bytes little-endian, then one Zstandard frame (files from before that
hold a zlib stream straight after the magic line, and are read as well). The payload is the JSON
``{"format": "smokejumper.profile", "version": 2, "profiles": [...]}``, a newline, then the
arrays and sketches (little-endian arrays, DataSketches' own serialisation) back to back; the
JSON names each by ``[offset, length]`` into them. Version 1 payloads are the JSON alone, with
every array and sketch base64 inside it; they are read too.

>>> import pyarrow as pa
>>> from smokejumper.stats.dataset import profile
>>> p = profile(pa.table({"x": [1.0, 2.0, float("nan")], "c": ["a", "b", None]}))
>>> [q] = loads(dumps([p]))
>>> q.columns["x"].nans, q.columns["c"].frequencies()
(1, {'a': 1, 'b': 1})
"""

from __future__ import annotations

import base64
import json
import math
import struct
import zlib
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import datasketches
import numpy as np
import pyarrow as pa

from smokejumper._version import PROFILE_FORMAT_VERSION
from smokejumper.errors import DataSourceNotFoundError, ProfileFormatError
from smokejumper.frames.kinds import ColumnKind
from smokejumper.stats.binning import Binning
from smokejumper.stats.categorical import CategoricalProfile
from smokejumper.stats.dataset import ColumnProfile, DatasetProfile
from smokejumper.stats.numeric import NumericProfile

MAGIC = b"SJPROF\n"
FORMAT = "smokejumper.profile"
#: After the magic line: a Zstandard-compressed body (a zlib stream never starts with it).
ZSTD = b"Z"
_SIZE = struct.Struct("<Q")
#: Largest JSON body a profile may declare (a damaged or hostile size must not allocate more).
MAX_JSON_BYTES = 1 << 30
_CODEC = pa.Codec("zstd", 1) if pa.Codec.is_available("zstd") else None
#: Format versions this module reads: 1 (arrays as base64 in the JSON) and 2 (arrays apart).
READS = (1, PROFILE_FORMAT_VERSION)


class _Blobs:
    """The binary part of a payload: ``put`` bytes in, ``get`` them back by reference."""

    def __init__(self, data: memoryview | None = None) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.data = data

    def put(self, data: bytes) -> list[int]:
        ref = [self.size, len(data)]
        self.parts.append(data)
        self.size += len(data)
        return ref

    def get(self, ref: list[int] | str) -> bytes | memoryview:
        if isinstance(ref, str):  # version 1: base64 in the JSON
            return base64.b64decode(ref.encode("ascii"))
        start, length = ref
        if self.data is None or start < 0 or length < 0 or start + length > len(self.data):
            raise ValueError(f"array reference {ref} lies outside the payload")
        return self.data[start : start + length]


def _float(x: float) -> float | None:
    return None if math.isnan(x) else x


def _column_to_dict(col: ColumnProfile, blobs: _Blobs) -> dict[str, Any]:
    if isinstance(col, NumericProfile):
        return {
            "type": "numeric",
            **{k: getattr(col, k) for k in ("count", "nulls", "nans", "pos_inf", "neg_inf", "n")},
            "mean": col.mean,
            "m2": col.m2,
            "min": _float(col.min),
            "max": _float(col.max),
            "edges": blobs.put(col.binning.edges.astype("<f8").tobytes()),
            "coarse": blobs.put(col.binning.coarse.astype("<f8").tobytes()),
            "counts": blobs.put(col.counts.astype("<i8").tobytes()),
            "at_edges": blobs.put(col.at_edges.astype("<i8").tobytes()),
            "kll": blobs.put(col.quantiles.serialize()) if col.quantiles is not None else None,
            "kll_error": col.quantile_error,
            "hll": blobs.put(col.distinct.tobytes()) if col.distinct is not None else None,
        }
    return {
        "type": "categorical",
        "count": col.count,
        "nulls": col.nulls,
        "exact": col.exact,
        "items": blobs.put(col.items.serialize()) if col.items is not None else None,
        "hll": blobs.put(col.distinct.tobytes()),
    }


def _count(value: Any) -> int | None:
    """A stored count, or ``None`` when absent (older files)."""
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"a count must be a whole number of at least 0, not {value!r}")
    return value


def _column_from_dict(d: dict[str, Any], blobs: _Blobs) -> ColumnProfile:
    if d["type"] == "numeric":
        kll = d.get("kll")
        regs = d.get("hll")
        return NumericProfile(
            count=d["count"],
            nulls=d["nulls"],
            nans=d["nans"],
            pos_inf=d["pos_inf"],
            neg_inf=d["neg_inf"],
            n=d["n"],
            mean=d["mean"],
            m2=d["m2"],
            min=math.nan if d["min"] is None else d["min"],
            max=math.nan if d["max"] is None else d["max"],
            binning=Binning(
                np.frombuffer(blobs.get(d["edges"]), dtype="<f8").astype(np.float64),
                np.frombuffer(blobs.get(d["coarse"]), dtype="<f8").astype(np.float64),
            ),
            counts=np.frombuffer(blobs.get(d["counts"]), dtype="<i8").astype(np.int64),
            at_edges=np.frombuffer(blobs.get(d["at_edges"]), dtype="<i8").astype(np.int64),
            quantiles=datasketches.kll_doubles_sketch.deserialize(bytes(blobs.get(kll)))
            if kll
            else None,
            distinct=np.frombuffer(blobs.get(regs), dtype=np.uint8).copy() if regs else None,
            quantile_error=_count(d.get("kll_error")),
        )
    if d["type"] == "categorical":
        items = d.get("items")
        return CategoricalProfile(
            count=d["count"],
            nulls=d["nulls"],
            exact=d["exact"],
            items=datasketches.frequent_strings_sketch.deserialize(bytes(blobs.get(items)))
            if items
            else None,
            distinct=np.frombuffer(blobs.get(d["hll"]), dtype=np.uint8).copy(),
        )
    raise ProfileFormatError(f"unknown column profile type {d['type']!r}")


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _profile_to_dict(p: DatasetProfile, blobs: _Blobs) -> dict[str, Any]:
    return {
        "rows": p.rows,
        "kinds": {c: k.value for c, k in p.kinds.items()},
        "columns": {c: _column_to_dict(col, blobs) for c, col in p.columns.items()},
        "window_start": _time(p.window_start),
        "window_end": _time(p.window_end),
        "notes": p.notes,
    }


def _profile_from_dict(d: dict[str, Any], blobs: _Blobs) -> DatasetProfile:
    start, end = d.get("window_start"), d.get("window_end")
    return DatasetProfile(
        rows=d["rows"],
        kinds={c: ColumnKind(k) for c, k in d["kinds"].items()},
        columns={c: _column_from_dict(col, blobs) for c, col in d["columns"].items()},
        window_start=datetime.fromisoformat(start) if start else None,
        window_end=datetime.fromisoformat(end) if end else None,
        notes=d.get("notes", {}),
    )


def dumps(profiles: Sequence[DatasetProfile]) -> bytes:
    """Serialise profiles (e.g. one per window) to bytes."""
    blobs = _Blobs()
    doc = {
        "format": FORMAT,
        "version": PROFILE_FORMAT_VERSION,
        "profiles": [_profile_to_dict(p, blobs) for p in profiles],
    }
    payload = b"".join([json.dumps(doc, separators=(",", ":")).encode(), b"\n", *blobs.parts])
    if _CODEC is None:  # a pyarrow built without Zstandard: the older zlib envelope
        return MAGIC + zlib.compress(payload, 1)
    packed = _CODEC.compress(payload, asbytes=True)
    assert isinstance(packed, bytes)
    return MAGIC + ZSTD + _SIZE.pack(len(payload)) + packed


def _payload(body: memoryview) -> bytes:
    """The JSON inside the envelope (after the magic line): Zstandard, or zlib in older files."""
    if body[: len(ZSTD)] != ZSTD:
        return zlib.decompress(body)
    if len(body) < len(ZSTD) + _SIZE.size:
        raise ValueError("the body is cut short")
    (size,) = _SIZE.unpack_from(body, len(ZSTD))
    if size > MAX_JSON_BYTES:
        raise ValueError(f"it declares {size:,} bytes of JSON")
    codec = _CODEC or pa.Codec("zstd")  # raises if this pyarrow cannot read Zstandard
    data = codec.decompress(body[len(ZSTD) + _SIZE.size :], size, asbytes=True)
    assert isinstance(data, bytes)
    return data


def loads(blob: bytes) -> list[DatasetProfile]:
    """Profiles from bytes written by :func:`dumps`."""
    if not blob.startswith(MAGIC):
        raise ProfileFormatError("not a Smokejumper profile (missing the SJPROF header)")
    try:
        payload = _payload(memoryview(blob)[len(MAGIC) :])
        end = payload.find(b"\n")  # JSON never holds a raw newline; version 1 has none at all
        doc = json.loads(payload if end < 0 else payload[:end])
    except (zlib.error, ValueError, OSError, pa.ArrowException) as err:
        raise ProfileFormatError(f"the profile is damaged: {err}") from err
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ProfileFormatError(f"not a Smokejumper profile document: {str(doc)[:80]!r}")
    version = doc.get("version")
    if version not in READS:
        raise ProfileFormatError(
            f"profile format version {version} is not supported by this Smokejumper "
            f"(it reads versions {', '.join(map(str, READS))}); re-create the profile or upgrade"
        )
    blobs = _Blobs(memoryview(payload)[end + 1 :] if end >= 0 else None)
    try:
        return [_profile_from_dict(p, blobs) for p in doc["profiles"]]
    except (KeyError, TypeError, ValueError, RuntimeError) as err:
        raise ProfileFormatError(f"the profile is damaged: {err!r}") from err


def save(path: str | Path, profiles: Sequence[DatasetProfile]) -> None:
    """Write profiles to a file (atomically: a crash leaves the old file or the new one)."""
    target = Path(path)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(dumps(profiles))
    tmp.replace(target)


def load(path: str | Path) -> list[DatasetProfile]:
    """Read profiles from a file."""
    p = Path(path)
    if not p.exists():
        raise DataSourceNotFoundError(str(path))
    return loads(p.read_bytes())


def is_profile_file(path: str | Path) -> bool:
    """Whether the file starts like a profile file."""
    try:
        with open(path, "rb") as f:
            return f.read(len(MAGIC)) == MAGIC
    except OSError:
        return False
