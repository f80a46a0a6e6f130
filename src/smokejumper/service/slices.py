"""Read slices of the raw log: the files of the batches that overlap a query's range, only
the columns it needs (the query itself and the cutting are pure:
:mod:`smokejumper.monitoring.slices`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import pyarrow as pa
from sqlalchemy.orm import Session, sessionmaker

from smokejumper.errors import SmokejumperError
from smokejumper.monitoring.slices import Slice, SliceQuery, cut
from smokejumper.store.models import get_model, schema_of
from smokejumper.store.rawlog import RawLog
from smokejumper.store.tables import Model
from smokejumper.store.windows import batch_paths_between


def batch_paths(session: Session, model: Model, query: SliceQuery) -> list[str]:
    """The raw-log files of the batches with rows in windows overlapping the query's range
    (and of its versions, when it names some), in the order the batches were stored."""
    low, high = query.window_bounds(model.window_seconds)
    return batch_paths_between(session, model, low, high, query.versions)


def _files(raw_log: RawLog, paths: Sequence[str], columns: list[str]) -> Iterable[pa.Table]:
    """Each file's needed columns; a missing file is a clear error, not a short answer."""
    for path in paths:
        try:
            table = raw_log.read([path], columns=columns)
        except FileNotFoundError:
            raise SmokejumperError(
                f"the raw-log file {path} of a stored batch is missing, so this range cannot be "
                "read in full; restore the file from a backup of the home folder"
            ) from None
        if table is not None:
            yield table


def read_slice(
    session: Session, raw_log: RawLog, model: Model, layout: pa.Schema, query: SliceQuery
) -> Slice:
    """The model's logged predictions that ``query`` asks for."""
    columns = query.read_columns()
    empty = layout.empty_table().select(columns)
    return cut(_files(raw_log, batch_paths(session, model, query), columns), query, empty)


def predictions(
    sessions: sessionmaker[Session],
    raw_log: RawLog,
    name: str,
    start: datetime,
    end: datetime,
    *,
    columns: list[str] | None = None,
    versions: list[str] | None = None,
    where: dict[str, list[str]] | None = None,
    limit: int | None = None,
) -> Slice:
    """The logged predictions of model ``name`` that the query asks for (checked against the
    model's stored layout first: unknown columns or bad filter values are clear errors)."""
    with sessions() as session:
        model = get_model(session, name)
        layout = schema_of(model).arrow_schema()
        query = SliceQuery.build(
            layout, start, end, columns=columns, versions=versions, where=where, limit=limit
        )
        return read_slice(session, raw_log, model, layout, query)
