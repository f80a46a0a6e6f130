"""The whole run, in order: build the store, a cold pass, warm passes in both modes taking
turns, the check, the instrumented passes and the cProfile pass."""

from __future__ import annotations

import argparse
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from _common import command_line, folder_bytes, git_state, log
from evaluation.check import check, reference_observations, stored_observations
from evaluation.passes import CACHE_ON, MODES, Pass, cache_for, rss_mib, timed_pass
from evaluation.profiling import profiled_pass
from evaluation.result import Result
from evaluation.settings import SCRIPT
from evaluation.split import split_pass
from evaluation.store import Shape, build_store


def run(args: argparse.Namespace, argv: Sequence[str]) -> Result:
    """Build the store in a temporary folder, time the passes, check and split them."""
    git_at_start = git_state()
    shape = Shape(args.windows, args.rows, args.batches, args.label_share)
    parent = args.home_parent
    if parent is not None:
        parent.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="sj-monitors-", dir=parent))
    try:
        log(f"building the store in {home}: {shape.windows} windows x {shape.rows:,} rows ...")
        store = build_store(shape, home)
        rss_before = rss_mib()
        log("cold pass ...")
        cold = timed_pass(store, CACHE_ON)
        warm: dict[str, list[Pass]] = {mode: [] for mode in MODES}
        checks = []
        for i in range(args.repeats):  # the modes take turns, so that both see the same load
            for mode in MODES:
                warm[mode].append(timed_pass(store, mode))
                log(f"warm pass {i + 1}, {mode}: {warm[mode][-1].seconds:.3f} s")
                if i == args.repeats - 1:
                    checks.append((mode, stored_observations(store)))
        cache_stats = cache_for(CACHE_ON).stats()
        log("reference observations, each monitor on its own ...")
        reference = reference_observations(store)
        checked = [check(mode, observed, reference) for mode, observed in checks]
        log("instrumented passes ...")
        splits = {mode: split_pass(store, mode) for mode in MODES}
        log("cProfile pass ...")
        profile_s, by_own, by_total = profiled_pass(store)
        store.engine.dispose()
        return Result(
            store=store,
            cold=cold,
            warm=warm,
            splits=splits,
            checks=checked,
            cache_stats=cache_stats,
            profile_s=profile_s,
            by_own=by_own,
            by_total=by_total,
            rss_before_mib=rss_before,
            peak_rss_mib=rss_mib("VmHWM"),
            db_bytes=sum(p.stat().st_size for p in home.glob("smokejumper.db*")),
            raw_bytes=folder_bytes(home / "raw"),
            command=command_line(str(SCRIPT), argv),
            git_at_start=git_at_start,
        )
    finally:
        if args.keep_home:
            log(f"store kept at {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)
