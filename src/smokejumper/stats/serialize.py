"""A compact, versioned file format for profiles (one or many windows in one file).

Layout: the magic line ``SJPROF\\n`` then zlib-compressed JSON
``{"format": "smokejumper.profile", "version": 1, "profiles": [...]}``; arrays and sketches are
base64 of their little-endian or DataSketches bytes.

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
import zlib
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import datasketches
import numpy as np

from smokejumper._version import PROFILE_FORMAT_VERSION
from smokejumper.errors import DataSourceNotFoundError, ProfileFormatError
from smokejumper.frames.kinds import ColumnKind
from smokejumper.stats.binning import Binning
from smokejumper.stats.categorical import CategoricalProfile
from smokejumper.stats.dataset import ColumnProfile, DatasetProfile
from smokejumper.stats.numeric import NumericProfile

MAGIC = b"SJPROF\n"
FORMAT = "smokejumper.profile"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


def _float(x: float) -> float | None:
    return None if math.isnan(x) else x


def _column_to_dict(col: ColumnProfile) -> dict[str, Any]:
    if isinstance(col, NumericProfile):
        return {
            "type": "numeric",
            **{k: getattr(col, k) for k in ("count", "nulls", "nans", "pos_inf", "neg_inf", "n")},
            "mean": col.mean,
            "m2": col.m2,
            "min": _float(col.min),
            "max": _float(col.max),
            "edges": _b64(col.binning.edges.astype("<f8").tobytes()),
            "coarse": _b64(col.binning.coarse.astype("<f8").tobytes()),
            "counts": _b64(col.counts.astype("<i8").tobytes()),
            "at_edges": _b64(col.at_edges.astype("<i8").tobytes()),
            "kll": _b64(col.quantiles.serialize()) if col.quantiles is not None else None,
            "hll": _b64(col.distinct.tobytes()) if col.distinct is not None else None,
        }
    return {
        "type": "categorical",
        "count": col.count,
        "nulls": col.nulls,
        "exact": col.exact,
        "items": _b64(col.items.serialize()) if col.items is not None else None,
        "hll": _b64(col.distinct.tobytes()),
    }


def _column_from_dict(d: dict[str, Any]) -> ColumnProfile:
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
                np.frombuffer(_unb64(d["edges"]), dtype="<f8").astype(np.float64),
                np.frombuffer(_unb64(d["coarse"]), dtype="<f8").astype(np.float64),
            ),
            counts=np.frombuffer(_unb64(d["counts"]), dtype="<i8").astype(np.int64),
            at_edges=np.frombuffer(_unb64(d["at_edges"]), dtype="<i8").astype(np.int64),
            quantiles=datasketches.kll_doubles_sketch.deserialize(_unb64(kll)) if kll else None,
            distinct=np.frombuffer(_unb64(regs), dtype=np.uint8).copy() if regs else None,
        )
    if d["type"] == "categorical":
        items = d.get("items")
        return CategoricalProfile(
            count=d["count"],
            nulls=d["nulls"],
            exact=d["exact"],
            items=datasketches.frequent_strings_sketch.deserialize(_unb64(items))
            if items
            else None,
            distinct=np.frombuffer(_unb64(d["hll"]), dtype=np.uint8).copy(),
        )
    raise ProfileFormatError(f"unknown column profile type {d['type']!r}")


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _profile_to_dict(p: DatasetProfile) -> dict[str, Any]:
    return {
        "rows": p.rows,
        "kinds": {c: k.value for c, k in p.kinds.items()},
        "columns": {c: _column_to_dict(col) for c, col in p.columns.items()},
        "window_start": _time(p.window_start),
        "window_end": _time(p.window_end),
        "notes": p.notes,
    }


def _profile_from_dict(d: dict[str, Any]) -> DatasetProfile:
    start, end = d.get("window_start"), d.get("window_end")
    return DatasetProfile(
        rows=d["rows"],
        kinds={c: ColumnKind(k) for c, k in d["kinds"].items()},
        columns={c: _column_from_dict(col) for c, col in d["columns"].items()},
        window_start=datetime.fromisoformat(start) if start else None,
        window_end=datetime.fromisoformat(end) if end else None,
        notes=d.get("notes", {}),
    )


def dumps(profiles: Sequence[DatasetProfile]) -> bytes:
    """Serialise profiles (e.g. one per window) to bytes."""
    doc = {
        "format": FORMAT,
        "version": PROFILE_FORMAT_VERSION,
        "profiles": [_profile_to_dict(p) for p in profiles],
    }
    return MAGIC + zlib.compress(json.dumps(doc, separators=(",", ":")).encode(), 6)


def loads(blob: bytes) -> list[DatasetProfile]:
    """Profiles from bytes written by :func:`dumps`."""
    if not blob.startswith(MAGIC):
        raise ProfileFormatError("not a Smokejumper profile (missing the SJPROF header)")
    try:
        doc = json.loads(zlib.decompress(blob[len(MAGIC) :]))
    except (zlib.error, ValueError) as err:
        raise ProfileFormatError(f"the profile is damaged: {err}") from err
    if doc.get("format") != FORMAT:
        raise ProfileFormatError(f"unknown format {doc.get('format')!r}")
    version = doc.get("version")
    if version != PROFILE_FORMAT_VERSION:
        raise ProfileFormatError(
            f"profile format version {version} is not supported by this Smokejumper "
            f"(it reads version {PROFILE_FORMAT_VERSION}); re-create the profile or upgrade"
        )
    try:
        return [_profile_from_dict(p) for p in doc["profiles"]]
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
