"""Window summaries: partial profiles of a window merged on read, compared with the reference."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import reduce
from typing import Any

from smokejumper.stats import serialize
from smokejumper.stats.compare import compare
from smokejumper.stats.dataset import DatasetProfile


@dataclass
class WindowSummary:
    """One window of one model: rows, nulls per column and drift against the reference."""

    start: datetime
    end: datetime
    rows: int = 0
    versions: dict[str, int] = field(default_factory=dict)
    profiles: list[DatasetProfile] = field(default_factory=list)

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
            return out
        merged = reduce(DatasetProfile.merge, self.profiles)
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
    parts: Iterable[tuple[datetime, str, int, bytes | None]], window_seconds: int
) -> list[WindowSummary]:
    """Group ``(window_start, version, rows, profile blob)`` parts into window summaries."""
    windows: dict[datetime, WindowSummary] = {}
    for start, version, rows, blob in parts:
        summary = windows.setdefault(
            start, WindowSummary(start, start + timedelta(seconds=window_seconds))
        )
        summary.rows += rows
        summary.versions[version or "(none)"] = summary.versions.get(version or "(none)", 0) + rows
        if blob is not None:
            summary.profiles.extend(serialize.loads(blob))
    return [windows[k] for k in sorted(windows)]
