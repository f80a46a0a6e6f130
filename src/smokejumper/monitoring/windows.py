"""Window summaries: partial profiles of a window merged on read, compared with the reference."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from smokejumper.stats import serialize
from smokejumper.stats.compare import compare
from smokejumper.stats.dataset import DatasetProfile, merge_all


@dataclass
class WindowSummary:
    """One window of one model: rows, nulls per column and drift against the reference."""

    start: datetime
    end: datetime
    rows: int = 0
    versions: dict[str, int] = field(default_factory=dict)
    profiles: list[DatasetProfile] = field(default_factory=list)
    #: Summed unusable values of parts stored without a profile; ``None`` once a part has none.
    part_nulls: dict[str, int] | None = field(default_factory=dict)

    def to_dict(self, reference: DatasetProfile | None) -> dict[str, Any]:
        """The summary as the API returns it."""
        out: dict[str, Any] = {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "rows": self.rows,
            "versions": self.versions,
            "nulls": None,
            "drift": None,
        }
        if not self.profiles:
            out["nulls"] = self.part_nulls or None
            return out
        merged = merge_all(self.profiles)
        out["nulls"] = {name: col.count - col.usable for name, col in merged.columns.items()}
        if reference is not None:
            report = compare(reference, merged)
            out["drift"] = {
                "dataset_drift": report.dataset_drift,
                "drifted_columns": report.drifted_columns,
                "columns": [
                    {
                        "name": c.name,
                        "method": c.method,
                        "effect_size": c.effect_size,
                        "drift": c.drift,
                    }
                    for c in report.columns
                ],
            }
        return out


def summarise(
    parts: Iterable[tuple[datetime, str, int, bytes | None, str | None]], window_seconds: int
) -> list[WindowSummary]:
    """Group ``(window_start, version, rows, profile blob, nulls JSON)`` parts into summaries."""
    windows: dict[datetime, WindowSummary] = {}
    for start, version, rows, blob, nulls in parts:
        summary = windows.setdefault(
            start, WindowSummary(start, start + timedelta(seconds=window_seconds))
        )
        summary.rows += rows
        summary.versions[version or "(none)"] = summary.versions.get(version or "(none)", 0) + rows
        if blob is not None:
            summary.profiles.extend(serialize.loads(blob))
        summary.part_nulls = _added(summary.part_nulls, nulls)
    return [windows[k] for k in sorted(windows)]


def _added(total: dict[str, int] | None, nulls: str | None) -> dict[str, int] | None:
    """``total`` plus a part's null counts; ``None`` once a part has no counts stored.

    >>> _added(_added({}, '{"x": 1}'), '{"x": 2, "y": 0}')
    {'x': 3, 'y': 0}
    >>> _added({"x": 1}, None) is None
    True
    """
    if total is None or nulls is None:
        return None
    for name, count in json.loads(nulls).items():
        total[name] = total.get(name, 0) + count
    return total
