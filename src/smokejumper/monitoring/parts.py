"""A batch split by window, version and segment, each part profiled on the reference's bins.

Pure: the service layer stores the parts (:mod:`smokejumper.service.ingest`).

>>> import pyarrow as pa
>>> from datetime import UTC, datetime
>>> from smokejumper.monitoring.schema import Feature, ModelSchema
>>> schema = ModelSchema(features=[Feature(name="x", kind="numeric")])
>>> rows = pa.table({"timestamp": pa.array([datetime(2026, 1, 1, 0, 5, tzinfo=UTC),
...                                         datetime(2026, 1, 1, 1, 5, tzinfo=UTC)]),
...                  "version": pa.array(["v1", "v1"]), "x": [1.0, None]})
>>> [(p.window_start.hour, p.rows, p.nulls) for p in window_parts(rows, schema, None, 3600)]
[(0, 1, {'x': 0}), (1, 1, {'x': 1})]
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.compute as pc

from smokejumper.monitoring.schema import ModelSchema
from smokejumper.stats.columns import unusable
from smokejumper.stats.dataset import DatasetProfile, profile


@dataclass(frozen=True)
class Part:
    """Rows of one batch in one window, version and segment, with their profile."""

    window_start: datetime
    version: str
    segment: str
    rows: int
    profile: DatasetProfile | None
    nulls: dict[str, int] | None = None  # per feature, kept when there is no profile


def _labels(table: pa.Table, schema: ModelSchema) -> dict[str, pa.ChunkedArray]:
    """Per row: its version (``""`` if none) and segment values (``"(null)"`` if none)."""
    columns = {"version": table.column("version").fill_null("")}
    for i, name in enumerate(schema.segments):
        columns[f"segment{i}"] = table.column(name).cast(pa.string()).fill_null("(null)")
    return columns


def _groups(
    table: pa.Table, schema: ModelSchema, seconds: int
) -> list[tuple[int, str, str, pa.Table]]:
    """The batch split by window, version and segment: ``(start, version, segment, rows)``."""
    micros = table.column("timestamp").cast(pa.int64())
    width = seconds * 1_000_000
    labels = _labels(table, schema)
    bounds = pc.min_max(micros)
    low, high = bounds["min"].as_py(), bounds["max"].as_py()
    if low is None:
        return []
    if low // width == high // width and all(  # // floors, also before 1970
        pc.count_distinct(c).as_py() == 1 for c in labels.values()
    ):  # one window, version and segment: nothing to group or filter
        groups = [
            (
                {"start": low // width * seconds} | {k: c[0].as_py() for k, c in labels.items()},
                table,
            )
        ]
    else:
        columns = {"start": pa.array(micros.to_numpy() // width * seconds), **labels}
        combos = pa.table(columns).group_by(list(columns), use_threads=False).aggregate([])
        groups = [
            (
                combo,
                table.filter(
                    functools.reduce(pc.and_, [pc.equal(columns[k], v) for k, v in combo.items()])
                ),
            )
            for combo in combos.to_pylist()
        ]
    out = []
    for key, rows in groups:
        segment = ",".join(f"{name}={key[f'segment{i}']}" for i, name in enumerate(schema.segments))
        out.append((int(key["start"]), str(key["version"]), segment, rows))
    return out


def window_parts(
    table: pa.Table, schema: ModelSchema, reference: DatasetProfile | None, seconds: int
) -> list[Part]:
    """Split a batch by window, version and segment; profile each on the reference's bins.

    Without a reference only row counts and unusable values per feature are kept (profiles
    need the reference's bins to merge).
    """
    out = []
    for start, version, segment, rows in _groups(table, schema, seconds):
        made, nulls = None, None
        if reference is not None:
            made = profile(rows.select(list(reference.columns)), reference=reference)
        else:
            nulls = {f.name: unusable(rows.column(f.name)) for f in schema.features}
        out.append(
            Part(
                window_start=datetime.fromtimestamp(start, UTC),
                version=version,
                segment=segment,
                rows=rows.num_rows,
                profile=made,
                nulls=nulls,
            )
        )
    return out
