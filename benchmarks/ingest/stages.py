"""The server's ingest route replayed in-process, stage by stage, with the real functions:
what one batch spends where (no HTTP). Used in the breakdown's child process."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ingest.settings import MODEL


class StageClock:
    """Accumulates wall seconds per stage name (from any thread)."""

    def __init__(self) -> None:
        self.stages: Counter[str] = Counter()
        self._lock = threading.Lock()

    def time(self, stage: str, call: Callable[[], Any]) -> Any:
        """Run ``call`` and add its wall time to ``stage``."""
        start = time.perf_counter()
        try:
            return call()
        finally:
            spent = time.perf_counter() - start
            with self._lock:
                self.stages[stage] += spent

    def wrap(self, stage: str, func: Callable[..., Any]) -> Callable[..., Any]:
        """``func``, its calls timed as ``stage``."""

        def timed(*args: Any, **kwargs: Any) -> Any:
            return self.time(stage, lambda: func(*args, **kwargs))

        return timed


STAGES_JSON = ("JSON: parse (the route's _records)", "JSON: records -> Arrow (records_to_table)")
STAGES_ARROW = ("Arrow: read IPC stream", "Arrow: validate + cast (arrow_to_table)")
STAGES_COMMON = (
    "auth: token lookup",
    "model + schema + reference lookup (cached profile)",
    "ingest: duplicate-key query",
    "ingest: window profiles (window_parts)",
    "ingest: serialize window profiles (serialize.dumps)",
    "ingest: wait for the raw-log file (written meanwhile)",
    "ingest: insert rows",
    "ingest: commit",
    "ingest: rest",
)
STAGES_APART = (
    "  raw-log write on the helper thread (overlaps the stages above)",
    "  of which Parquet encode (zstd, in memory)",
    "  of which file write + fsync file + fsync folder",
)


@dataclass
class Replay:
    """What a batch is replayed against: the breakdown's own store, an admin token and the
    route's cache of parsed schemas and references (the breakdown's own instance)."""

    sessions: Any
    engine: Any
    raw_log: Any
    token: str
    references: Any


def replay_batch(kind: str, body: bytes, replay: Replay, clock: StageClock) -> Any:
    """One batch through the route's steps, each timed (what ``store()`` does, unrolled)."""
    from sqlalchemy import select

    from smokejumper.monitoring.batch import arrow_to_table, records_to_table
    from smokejumper.server.body import arrow_stream
    from smokejumper.service import ingest as ingest_module
    from smokejumper.store.tables import ApiToken
    from smokejumper.store.tokens import digest

    now = datetime.now(UTC)
    query = select(ApiToken.scope).where(
        ApiToken.token_hash == digest(replay.token), ApiToken.revoked_at.is_(None)
    )

    def auth() -> Any:  # what the route's auth dependency runs
        with replay.engine.connect() as connection:
            return connection.execute(query).scalar()

    clock.time(STAGES_COMMON[0], auth)
    with replay.sessions() as db:
        model, schema, reference = clock.time(
            STAGES_COMMON[1], lambda: replay.references.model(db, MODEL)
        )
        if kind == "json":
            records, _ = clock.time(STAGES_JSON[0], lambda: route_parse(body))
            table = clock.time(STAGES_JSON[1], lambda: records_to_table(records, schema, now))
        else:
            raw = clock.time(STAGES_ARROW[0], lambda: arrow_stream(body))
            table = clock.time(STAGES_ARROW[1], lambda: arrow_to_table(raw, schema, now))
        # Time the parts of ingest() by wrapping what it calls; restored right after.
        real_parts, real_serialize = ingest_module.window_parts, ingest_module.serialize
        real_stored = ingest_module._stored_batch
        ingest_module.window_parts = clock.wrap(STAGES_COMMON[3], real_parts)  # type: ignore[assignment]
        ingest_module.serialize = _TimedSerialize(clock, real_serialize)  # type: ignore[assignment]
        ingest_module._stored_batch = clock.wrap(STAGES_COMMON[2], real_stored)  # type: ignore[assignment]
        db.commit = clock.wrap(STAGES_COMMON[7], db.commit)  # type: ignore[method-assign]
        timed_log = _timed_raw_log(replay.raw_log.root, clock)
        inner = STAGES_COMMON[2:5]
        before = sum(clock.stages[s] for s in inner)
        try:
            start = time.perf_counter()
            pending = ingest_module.begin(
                db, timed_log, model, schema, reference, table, uuid.uuid4().hex
            )
            begun = time.perf_counter() - start
        finally:
            ingest_module.window_parts, ingest_module.serialize = real_parts, real_serialize
            ingest_module._stored_batch = real_stored
        clock.stages[STAGES_COMMON[8]] += begun - (sum(clock.stages[s] for s in inner) - before)
        assert isinstance(pending, ingest_module.PendingBatch)
        clock.time(STAGES_COMMON[5], pending.written.result)
        commit_before = clock.stages[STAGES_COMMON[7]]
        start = time.perf_counter()
        pending.finish(db)
        finished = time.perf_counter() - start
        clock.stages[STAGES_COMMON[6]] += finished - (
            clock.stages[STAGES_COMMON[7]] - commit_before
        )
    return table


def route_parse(body: bytes) -> tuple[list[Any], str | None]:
    """The JSON route's own body parser (whichever JSON library it uses)."""
    from smokejumper.server.routes import ingest as route

    parsed: tuple[list[Any], str | None] = route._records(body)
    return parsed


class _TimedSerialize:
    def __init__(self, clock: StageClock, real: Any) -> None:
        self.dumps = clock.wrap(STAGES_COMMON[4], real.dumps)
        self.loads = real.loads


def _timed_raw_log(root: Path, clock: StageClock) -> Any:
    """A ``RawLog`` whose ``write`` (on the helper thread) is timed apart."""
    from smokejumper.store.rawlog import RawLog

    log = RawLog(root)
    log.write = clock.wrap(STAGES_APART[0], log.write)  # type: ignore[method-assign]
    return log


def raw_write_apart(table: Any, folder: Path, clock: StageClock) -> None:
    """The raw-log write split in two: Parquet encoding, and putting the bytes on disk."""
    from smokejumper.store.rawlog import encode

    data = clock.time(STAGES_APART[1], lambda: encode(table))
    folder.mkdir(parents=True, exist_ok=True)

    def put() -> None:
        target = folder / f"{uuid.uuid4().hex}.parquet"
        with open(target, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        target.unlink()

    clock.time(STAGES_APART[2], put)
