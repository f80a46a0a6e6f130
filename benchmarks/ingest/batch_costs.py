"""What one stored batch costs apart from the route: Parquet writer options, the window
profile's serialisation and compression, and a cProfile ranking of the replayed route."""

from __future__ import annotations

import io
import os
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from _common import BENCHMARKS, short_function
from ingest.settings import Json
from ingest.stages import Replay, StageClock, replay_batch, route_parse


def stored_table(kind: str, body: bytes, schema: Any) -> Any:
    """A body as the table the server stores."""
    from smokejumper.monitoring.batch import arrow_to_table, records_to_table
    from smokejumper.server.body import arrow_stream

    now = datetime.now(UTC)
    if kind == "json":
        return records_to_table(route_parse(body)[0], schema, now)
    return arrow_to_table(arrow_stream(body), schema, now)


def _median_ms(call: Callable[[], Any], repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


#: Parquet writer options tried on one stored batch; the first is what the raw log uses
#: (``smokejumper.store.rawlog.encode``: dictionary on string columns other than ``id``,
#: which for this model is ``version`` alone).
ENCODINGS: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "zstd, dictionary on `version` only (the raw log)",
        {"compression": "zstd", "use_dictionary": ["version"]},
    ),
    ("zstd, dictionary on every column (the raw log before)", {"compression": "zstd"}),
    ("lz4, dictionary on `version` only", {"compression": "lz4", "use_dictionary": ["version"]}),
    (
        "no compression, dictionary on `version` only",
        {"compression": "none", "use_dictionary": ["version"]},
    ),
)


def encoding_options(table: Any) -> list[Json]:
    """Encoding time and size of one batch under a few Parquet writer options."""
    import pyarrow.parquet as pq

    from smokejumper.store.rawlog import dictionary_columns

    assert dictionary_columns(table.schema) == ENCODINGS[0][1]["use_dictionary"]
    out = []
    for label, options in ENCODINGS:
        sink = io.BytesIO()
        pq.write_table(table, sink, **options)
        size = sink.tell()
        ms = _median_ms(lambda o=options: pq.write_table(table, io.BytesIO(), **o))
        out.append({"option": label, "ms": ms, "bytes": size})
    return out


def blob_options(table: Any, schema: Any, reference: Any) -> Json:
    """Cost of serialising one window profile, and of its compression (zstd now, zlib before)."""
    import zlib

    import pyarrow as pa

    from smokejumper.monitoring.parts import window_parts
    from smokejumper.stats import serialize

    part = window_parts(table, schema, reference, 3600)[0].profile
    blob = serialize.dumps([part])
    payload = serialize._payload(memoryview(blob)[len(serialize.MAGIC) :])
    zstd = pa.Codec("zstd", 1)
    return {
        "dumps_ms": _median_ms(lambda: serialize.dumps([part])),
        "loads_ms": _median_ms(lambda: serialize.loads(blob)),
        "blob_bytes": len(blob),
        "payload_bytes": len(payload),
        "zstd1_ms": _median_ms(lambda: zstd.compress(payload)),
        "zlib6_ms": _median_ms(lambda: zlib.compress(payload, 6)),
        "zlib6_bytes": len(zlib.compress(payload, 6)),
        "zlib1_ms": _median_ms(lambda: zlib.compress(payload, 1)),
        "zlib1_bytes": len(zlib.compress(payload, 1)),
        "window_parts_ms": _median_ms(lambda: window_parts(table, schema, reference, 3600)),
        "profile_ms": _median_ms(
            lambda: _profile_only(table.select(list(reference.columns)), reference)
        ),
    }


def _profile_only(table: Any, reference: Any) -> Any:
    from smokejumper.stats.dataset import profile

    return profile(table, reference=reference)


def cprofile_top(kind: str, bodies: Sequence[bytes], replay: Replay, batches: int) -> list[Json]:
    """cProfile over a few batches: the functions with the most own time, ms per batch."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for rep in range(batches):
        body = bodies[rep % len(bodies)]
        replay_batch(kind, body, replay, StageClock())
    profiler.disable()
    entries = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    ranked = sorted(entries.items(), key=lambda item: -item[1][2])
    out = []
    for (path, line, name), (_, calls, own, total, _) in ranked:
        if _benchmark_code(path):
            continue  # the benchmark's own timing wrappers
        out.append(
            {
                "function": short_function(path, line, name),
                "calls": calls / batches,
                "own_ms": own * 1000 / batches,
                "total_ms": total * 1000 / batches,
            }
        )
        if len(out) == 15:
            break
    return out


def _benchmark_code(path: str) -> bool:
    """Whether a profiled function is the benchmark's own (its timing wrappers)."""
    return os.path.isabs(path) and os.path.realpath(path).startswith(str(BENCHMARKS) + os.sep)
