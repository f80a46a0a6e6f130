"""Load what the monitors of a model read from its windows, and nothing else.

The rows of the next window are read from the raw log on a helper thread while the caller
evaluates the current one (Parquet decoding runs outside the GIL); everything that touches the
metadata store stays on the caller's thread, in the caller's session.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.orm import Session

from smokejumper.monitoring.monitors import MonitorSpec, WindowData
from smokejumper.monitoring.seasons import ReferencePhases, matching, window_phases
from smokejumper.service.evaluation.window_cache import WindowCache
from smokejumper.stats.dataset import DatasetProfile
from smokejumper.store.batches import rejections_between
from smokejumper.store.custom_metrics import custom_for
from smokejumper.store.labels import all_labels, labels_for
from smokejumper.store.models import phase_blobs, phase_hours, schema_of
from smokejumper.store.rawlog import RawLog
from smokejumper.store.tables import Model
from smokejumper.store.windows import window_batches, window_profiles

_LABELS = pa.schema([("id", pa.string()), ("label", pa.string())])


@dataclass(frozen=True)
class Needs:
    """What a set of monitors reads from a window, so that nothing else need be loaded."""

    rows: bool = True  # the window's logged rows (raw log)
    profile: bool = True  # the merged window profile
    reference: bool = True
    labels: bool = True
    baseline: bool = True  # prediction and confidence of the first window with rows
    custom: bool = True
    rejections: bool = True
    phases: bool = True  # the reference's phase profiles the window may be compared with

    @classmethod
    def of(cls, specs: Sequence[MonitorSpec]) -> Needs:
        """What ``specs`` read: the parts each says it reads (``parts_read()``).

        >>> from smokejumper.monitoring.monitors import parse_monitor
        >>> p99 = parse_monitor({"name": "p99", "model": "m", "type": "latency", "max": 250})
        >>> [name for name, wanted in vars(Needs.of([p99])).items() if wanted]
        ['rows']
        """
        parts: set[str] = set()
        for spec in specs:
            parts |= spec.parts_read()
        return cls(**{f.name: f.name in parts for f in fields(cls)})


#: Fetch all of a model's labels at once when it has at most this many per window evaluated.
LABELS_PER_WINDOW = 20_000


class WindowLoader:
    """Loads windows of one model: rows, merged profile, labels, custom metrics, refusals."""

    def __init__(
        self,
        session: Session,
        raw_log: RawLog,
        model: Model,
        reference: DatasetProfile | None,
        needs: Needs,
        cache: WindowCache,
    ) -> None:
        self.session, self.raw_log, self.model = session, raw_log, model
        self.reference, self.needs, self.cache = reference, needs, cache
        # read here, so that the reader thread never touches the session's objects
        self._span = timedelta(seconds=model.window_seconds)
        self._empty = schema_of(model).arrow_schema().empty_table()
        self._paths: dict[datetime, list[str]] = {}
        self._labels: dict[str, str] | None = None  # every label of the model, when fetched
        self._phase_hours: frozenset[int] | None = None  # the reference's, when asked

    def windows(self, starts: Sequence[datetime]) -> Iterator[WindowData]:
        """The windows starting at ``starts``, in turn (a window without rows has an empty
        table of the model's layout, no profile, no labels)."""
        if self.needs.rows:
            self._paths.update(window_batches(self.session, self.model, starts))
        if self.needs.labels and len(starts) > 1:
            # One query for all the model's labels beats probing each window's ids by index,
            # as long as there are not many more labels than rows in these windows.
            self._labels = all_labels(
                self.session, self.model, at_most=LABELS_PER_WINDOW * len(starts)
            )
        with ThreadPoolExecutor(1, thread_name_prefix="smokejumper-window-rows") as reader:
            rows: Future[pa.Table] | None = None
            for i, start in enumerate(starts):
                if rows is None and self.needs.rows:
                    rows = reader.submit(self._rows, start, self._paths[start])
                ahead = None
                if self.needs.rows and i + 1 < len(starts):
                    following = starts[i + 1]
                    ahead = reader.submit(self._rows, following, self._paths[following])
                yield self._window(start, rows.result() if rows is not None else None)
                rows = ahead

    def rows(self, start: datetime) -> pa.Table:
        """The logged rows of one window."""
        if start not in self._paths:
            self._paths.update(window_batches(self.session, self.model, [start]))
        return self._rows(start, self._paths[start])

    def _rows(self, start: datetime, paths: list[str]) -> pa.Table:
        """The rows in the files at ``paths`` that fall in the window (from the cache when the
        files are unchanged); touches no session, so it may run on the reader thread."""
        files = tuple((p, s.st_size, s.st_mtime_ns) for p in paths for s in [os.stat(p)])
        return self.cache.rows((start, self._span, files), lambda: self._read(start, paths))

    def _read(self, start: datetime, paths: list[str]) -> pa.Table:
        table = self.raw_log.read(paths)
        if table is None:  # only refused batches in this window
            return self._empty
        ts = table.column("timestamp")
        low, high = pa.scalar(start, ts.type), pa.scalar(start + self._span, ts.type)
        return table.filter(pc.and_(pc.greater_equal(ts, low), pc.less(ts, high)))

    def _window(self, start: datetime, rows: pa.Table | None) -> WindowData:
        session, model, needs = self.session, self.model, self.needs
        table = rows if rows is not None else self._empty
        profile = None
        if needs.profile:
            profile = self.cache.profile(window_profiles(session, model, start))
        labels = None
        if needs.labels:
            ids = table.column("id").to_pylist()
            if self._labels is None:
                found = labels_for(session, model, ids)
            else:
                known = self._labels
                found = {i: known[i] for i in ids if i in known}
            labels = pa.table({"id": list(found), "label": list(found.values())}, schema=_LABELS)
        return WindowData(
            start=start,
            predictions=table,
            profile=profile,
            reference=self.reference,
            labels=labels,
            custom=custom_for(session, model, start) if needs.custom else {},
            rejected_batches=(
                rejections_between(session, model, start, start + self._span)
                if needs.rejections
                else 0
            ),
            phases=self._phases(start) if needs.phases else None,
            seconds=model.window_seconds,
        )

    def _phases(self, start: datetime) -> ReferencePhases:
        """The reference's phases in the same hours of the day as the window (what a daily or
        weekly comparison may take), each parsed once and kept in the cache by its bytes."""
        if self._phase_hours is None:
            self._phase_hours = phase_hours(self.session, self.model)
        known = self._phase_hours
        wanted = matching(window_phases(start, self.model.window_seconds), "daily") & known
        blobs = phase_blobs(self.session, self.model, wanted) if wanted else {}
        parsed = {hour: self.cache.profile([blob]) for hour, blob in blobs.items()}
        profiles = {hour: p for hour, p in parsed.items() if p is not None}
        return ReferencePhases(profiles, known & (frozenset(profiles) | (known - wanted)))
