"""Where the time goes: one pass with the runner's calls wrapped in timers, split between
loading windows, evaluating monitors (per monitor type) and saving."""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from dataclasses import dataclass

from evaluation.passes import cache_for
from evaluation.store import Store, reset
from evaluation.timers import Timers, patched

LOAD = "load windows (caller's thread)"
LOAD_PARTS = (
    "stored profile parts of the window (window_profiles, SQL)",
    "parts deserialised and merged, or from the cache (WindowCache.profile)",
    "labels for the window's ids (labels_for)",
    "custom metrics and refused batches",
)
LOAD_REST = "  rest: raw files of the windows (SQL), waiting for the reader thread"
READER = "rows: raw Parquet batches read and filtered (reader thread, overlapped)"
SAVE = "save observations, window evaluations, commit"


@dataclass
class Split:
    """Where one instrumented pass spent its time."""

    total_s: float
    load: Counter[str]
    load_calls: Counter[str]
    evaluate: Counter[str]  # per monitor type
    evaluate_calls: Counter[str]


def split_pass(store: Store, mode: str) -> Split:
    """One pass with the runner's calls wrapped in timers."""
    from smokejumper.monitoring.monitors import evaluation as evaluate_module
    from smokejumper.service.evaluation import loading, runner
    from smokejumper.service.evaluation.loading import WindowLoader
    from smokejumper.service.evaluation.window_cache import WindowCache

    reset(store)
    load, evaluate, reader = Timers(), Timers(), Timers()
    patches = [
        patched(WindowLoader, "windows", load.wrap_iterator(LOAD, WindowLoader.windows)),
        patched(loading, "window_profiles", load.wrap(LOAD_PARTS[0], loading.window_profiles)),
        patched(WindowCache, "profile", load.wrap(LOAD_PARTS[1], WindowCache.profile)),
        patched(loading, "labels_for", load.wrap(LOAD_PARTS[2], loading.labels_for)),
        patched(loading, "custom_for", load.wrap(LOAD_PARTS[3], loading.custom_for)),
        patched(
            loading, "rejections_between", load.wrap(LOAD_PARTS[3], loading.rejections_between)
        ),
        patched(WindowLoader, "_rows", reader.wrap(READER, WindowLoader._rows)),
        patched(
            evaluate_module,
            "evaluate",
            evaluate.wrap(lambda spec, _: spec.type, evaluate_module.evaluate),
        ),
        patched(runner, "save_observations", load.wrap(SAVE, runner.save_observations)),
        patched(runner, "save_window_evaluations", load.wrap(SAVE, runner.save_window_evaluations)),
    ]
    with contextlib.ExitStack() as stack:
        for patch in patches:
            stack.enter_context(patch)
        with store.sessions() as session:
            stack.enter_context(patched(session, "commit", load.wrap(SAVE, session.commit)))
            start = time.perf_counter()
            runner.run_once(session, store.raw_log, store.now, cache=cache_for(mode))
            total = time.perf_counter() - start
    load.seconds[READER], load.calls[READER] = reader.seconds[READER], reader.calls[READER]
    return Split(total, load.seconds, load.calls, evaluate.seconds, evaluate.calls)
