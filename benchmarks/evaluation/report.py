"""The target from the issue, the notes on the check, the budget and the cache, and the
results document (Markdown) and tables on stdout."""

from __future__ import annotations

from datetime import UTC, datetime

from _common import Target, fmt, machine_lines, md_table, target_lines, text_table
from evaluation.passes import CACHE_OFF, CACHE_ON, MODES
from evaluation.result import Result
from evaluation.settings import (
    CATEGORY,
    NUMERIC,
    PACKAGES,
    REFERENCE_ROWS,
    TARGET_MONITORS,
    TARGET_SECONDS,
    TARGET_WINDOWS,
)
from evaluation.split import LOAD, SAVE
from evaluation.tables import (
    PASS_HEADER,
    PROFILE_HEADER,
    SPLIT_HEADER,
    TYPE_HEADER,
    pass_rows,
    profile_rows,
    split_rows,
    type_rows,
)


def check_targets(result: Result) -> list[Target]:
    """50 monitors over 24 hourly windows in under a second (warm, median), per mode."""
    text = (
        f"{TARGET_MONITORS} monitors over {TARGET_WINDOWS} hourly windows in under "
        f"{TARGET_SECONDS:g} s"
    )
    if result.windows != TARGET_WINDOWS or len(result.store.monitors) != TARGET_MONITORS:
        why = f"this run had {result.windows} windows; the full run has {TARGET_WINDOWS}"
        return [Target(text, None, why)]
    out = []
    for mode in (CACHE_ON, CACHE_OFF):
        median = result.median(mode)
        evidence = (
            f"warm median {median:.2f} s ({median / TARGET_SECONDS:.1f}x the budget) at "
            f"{result.store.shape.rows:,} rows per window; cold first pass "
            f"{result.cold.seconds:.2f} s"
        )
        out.append(Target(f"{text}, {mode}", median < TARGET_SECONDS, evidence))
    return out


def _check_lines(result: Result) -> list[str]:
    lines = []
    for c in result.checks:
        verdict = "identical" if c.ok else "DIFFERENT"
        lines.append(
            f"- Last warm pass, {c.mode}: {c.identical:,} of {c.compared:,} observations "
            f"{verdict} to the per-monitor reference (value, health and details, floats bit "
            "for bit)."
        )
        lines += [f"  - {d}" for d in c.different]
    return lines


def _budget_lines(result: Result) -> list[str]:
    """What the split says about the one-second budget."""
    windows = max(result.windows, 1)
    budget_ms = TARGET_SECONDS * 1000 / windows
    lines = [
        f"- Budget: {TARGET_SECONDS:g} s over {windows} windows is {budget_ms:.0f} ms per window "
        f"for loading it and evaluating all {len(result.store.monitors)} monitors."
    ]
    for mode in MODES:
        s = result.splits[mode]
        evaluated = sum(s.evaluate.values())
        kind, seconds = s.evaluate.most_common(1)[0] if s.evaluate else ("-", 0.0)
        lines.append(
            f"- {mode.capitalize()}: loading took {s.load[LOAD] * 1000 / windows:.0f} ms per "
            f"window on the caller's thread, evaluating {evaluated * 1000 / windows:.0f} ms "
            f"(`{kind}` the heaviest type: {seconds * 1000 / windows:.1f} ms per window, "
            f"{seconds / s.total_s:.0%} of the pass), saving "
            f"{s.load[SAVE] * 1000 / windows:.1f} ms."
        )
    return lines


def _cache_line(result: Result) -> str:
    c = result.cache_stats
    return (
        f"After the warm passes the process's window cache held the rows of {c['rows']} windows "
        f"and {c['profiles']} merged window profiles ({c['bytes'] / 2**20:,.1f} MiB by its "
        f"count; {c['hits']:,} hits, {c['misses']:,} misses)."
    )


def render_markdown(result: Result) -> str:
    """The results document."""
    store, shape = result.store, result.store.shape
    b = store.build_s
    parts = [
        "# Monitor evaluation: `run_once` over closed hourly windows",
        "",
        f"- Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        *machine_lines(result.git_at_start, PACKAGES),
        f"- Command: `{result.command}`",
        "",
        f"One process. The store (SQLite and the raw Parquet log in a temporary folder) holds one "
        f"model with {len(NUMERIC)} numeric features and one categorical feature ({CATEGORY}), a "
        f"reference of {REFERENCE_ROWS:,} rows, {shape.windows} hourly windows (the newest "
        "ending at the start of the hour the run falls in, so that every closed window holds "
        f"data and no silent window is evaluated) of {shape.rows:,} predictions each "
        f"({shape.batches} ingest batches per window, window "
        f"profiles computed on ingest as the server does), {store.labels:,} labels "
        f"({shape.label_share:.0%} of the predictions) and {len(store.monitors)} monitors. "
        f"The second half of the windows (from window {shape.windows // 2 + 1} on) is shifted "
        "(feature f00 +0.5 sd, f01 three times wider, 4 % nulls in f02, 3 % of "
        f"{CATEGORY} an unseen value), so some monitors are unhealthy there. "
        "Each pass clears observations and window evaluations first, so all windows are due; "
        "the raw batches were just written, so they come from the page cache.",
        "",
        "- *Cold*: the first pass in the process: lazy imports of SciPy, scikit-learn and the "
        "drift methods, and the evaluator's window cache empty.",
        "- *Warm, caches off*: later passes with the window cache switched off: every pass "
        "reads every window's raw Parquet batches and deserialises and merges its stored "
        "profile parts again. This is the work of evaluating windows for the first time "
        "(a window that just closed is never in the cache).",
        "- *Warm, caches warm*: later passes as the server's long-lived evaluator runs them "
        "when windows are evaluated again (after a new reference, or late predictions in "
        "many windows): the rows and merged profile of each window come from the process's "
        "window cache (`smokejumper.service.evaluation.window_cache`), which the "
        "cold pass filled. The cache keys rows by the window and each raw file's path, size and "
        "modification time, and profiles by a digest of each stored part's bytes, so new "
        "batches or re-profiled parts are new keys. Labels, custom metrics and refused batches "
        "are read from the store on every pass; nothing computed from the data (drift, "
        "metrics) is kept between passes.",
        "",
        "In both modes the monitors of a window share what they have in common: one drift "
        "report for the window's feature-drift monitors (a monitor on a subset of the columns "
        "takes its columns' statistics from it and corrects their p-values as a family of its "
        "own), one label join and one confusion count for the classification metrics, the "
        "missing values per column; only what the due monitors read is loaded; labels come in "
        "one query per window; the next window's raw batches are read on a helper thread while "
        "the current one is evaluated; observations are written in one statement and one "
        "commit per model.",
        "",
        f"Building the store: setup {b['setup_s']:.1f} s, ingest {b['ingest_s']:.1f} s, "
        f"labels {b['labels_s']:.1f} s. Disk: SQLite {result.db_bytes / 2**20:,.1f} MiB, raw log "
        f"{result.raw_bytes / 2**20:,.1f} MiB. Process RSS before the passes "
        f"{fmt(result.rss_before_mib)} MiB, peak (`VmHWM`) {fmt(result.peak_rss_mib)} MiB. "
        + _cache_line(result),
        "",
        "## Passes",
        "",
        md_table(PASS_HEADER, pass_rows(result)),
        "",
        "## Target",
        "",
        *target_lines(check_targets(result)),
        "",
        "## Same observations",
        "",
        "After the last warm pass of each mode, the stored observations are compared with a "
        "reference computed without any of the above: every window loaded in full as the "
        "runner loaded it before (all columns, every part deserialised and merged, labels by "
        "ids in chunks of 900), and each monitor evaluated on its own, with nothing shared "
        "with the other monitors of the window.",
        "",
        *_check_lines(result),
        "",
        "## Where the time goes",
        "",
        "One more warm pass of each mode with the runner's calls wrapped in timers (the "
        "window loader's steps on the caller's thread, and within them the profile, labels, "
        "custom metrics and refused batches; `evaluate` per monitor type; saving). The reader "
        "thread's time is shown last: it overlaps the caller's work, so it is not part of the "
        "pass's sum; what the caller waited for it is in the loader's rest. The wrappers add "
        "a few microseconds per call.",
        "",
        md_table(SPLIT_HEADER, split_rows(result)),
        "",
        *_budget_lines(result),
        "",
        f"### cProfile of one warm pass, caches off ({result.profile_s:.2f} s under the profiler)",
        "",
        "cProfile sees one thread only, so for this pass `compare` and the window loader run "
        "their work in the calling thread instead of their thread pools; the profiler's "
        "overhead makes every Python call slower, so read the numbers as a ranking.",
        "",
        "Heaviest by own time (all code):",
        "",
        md_table(PROFILE_HEADER, profile_rows(result.by_own)),
        "",
        "Heaviest Smokejumper functions by total time (including what they call):",
        "",
        md_table(PROFILE_HEADER, profile_rows(result.by_total)),
        "",
        "## The monitors",
        "",
        md_table(TYPE_HEADER, type_rows(store.monitors)),
        "",
    ]
    return "\n".join(parts)


def print_summary(result: Result) -> None:
    """The tables on stdout."""
    print(text_table(PASS_HEADER, [[c.replace("**", "") for c in r] for r in pass_rows(result)]))
    print()
    print(text_table(SPLIT_HEADER, split_rows(result)))
    print()
    print(text_table(PROFILE_HEADER, profile_rows(result.by_own[:12])))
    print()
    for line in [*_budget_lines(result), *_check_lines(result), _cache_line(result)]:
        print(line)
    for line in target_lines(check_targets(result)):
        print(line.replace("**", ""))
