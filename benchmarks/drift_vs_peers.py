"""Side-by-side drift benchmark: Smokejumper against Evidently and whylogs, same data, same run.

What it measures
----------------
For every data set (a reference and a current Parquet file whose drifted columns are known by
construction) and every tool, one fresh subprocess reads both files and computes the tool's
per-column drift verdicts with its default settings:

- Smokejumper: ``pyarrow.parquet.read_table`` on both files, then
  ``smokejumper.stats.compare.compare(reference, current)``; a column is flagged when its
  ``ColumnDrift.drift`` is true. ``compare`` runs its default worker threads
  (``min(4, cpu_count)``), so the CPU-seconds column is worth reading next to the wall time.
- Evidently: ``pandas.read_parquet`` on both files, then
  ``Report([DataDriftPreset()], include_tests=True).run(...)``; a column is flagged when its
  "Value Drift" test fails (the test restates the preset's own ``drift_detected``).
- whylogs: ``pandas.read_parquet``, ``whylogs.log(pandas=...).view()`` on both frames, then
  ``whylogs.viz.drift.column_drift_algorithms.calculate_drift_scores(..., with_thresholds=True)``;
  a column is flagged when its drift category is ``DRIFT`` (``POSSIBLE_DRIFT`` is counted apart).

Per run: import time of the tool (not in the job time; for Smokejumper it includes the drift
methods and SciPy, which ``compare`` would otherwise load on its first call, so that the job
times of all three tools exclude module loading), job wall time (read + drift report),
CPU seconds of the job (user + system, all threads), and peak resident memory of the whole
child process, read from ``VmHWM`` in ``/proc/self/status`` at the end of the job. ``VmHWM``
is the high-water mark of the child's own address space; ``ru_maxrss`` is not used because
Linux carries the parent's high-water mark into it across fork/exec. Flagged columns are scored
against the known truth: shifted columns caught and unchanged columns flagged (false alarms).

One more child measures Smokejumper's profiling throughput: ``profile()`` of the reference side
of the largest numeric data set (and ``profile(current, reference=...)``), pinned to one core
with ``sched_setaffinity`` and single-threaded BLAS/OpenMP, median of three runs after a warm-up
on 1,000 rows; values per second per core = rows x columns / median wall time.

Data (generated once with NumPy, fixed seed, written under ``benchmarks/.data/``):

- ``numeric-<rows>``: 20 float64 columns, N(0, 1) on both sides. Five columns of the current
  side are shifted, graded so the tools' sensitivity shows: mean +0.2 sd, mean +0.5 sd,
  mean +1.0 sd, scale x1.2 and scale x1.5 (column names say which); 15 are unchanged.
- ``mixed-<rows>``: 8 numeric (normal, log-normal, exponential, uniform, Student t, bimodal,
  two integer columns), 4 string categorical (3 to 200 levels) and 2 boolean columns, about 5 %
  nulls in four of them. Four are shifted: normal mean +0.5 sd, exponential scale x1.5,
  a 5-level category's shares, and a boolean rate 20 % -> 40 %.

How to run (from the repository root)
-------------------------------------
    make bench                                                # full run (several minutes)
    .venv-bench/bin/python benchmarks/drift_vs_peers.py --quick          # 20k rows, smoke test
    .venv-bench/bin/python benchmarks/drift_vs_peers.py --sizes 200000 --tools smokejumper,whylogs

The full run writes ``benchmarks/results/drift_vs_peers.md``; ``--quick`` writes
``benchmarks/.data/drift_vs_peers-quick.md`` unless ``--output`` says otherwise. A tool that
fails to import, crashes or times out is recorded in the table with its error.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _common import (
    DATA_DIR,
    Target,
    command_line,
    git_state,
    log,
    machine_lines,
    md_table,
    results_paths,
    target_lines,
    text_table,
)

DEFAULT_OUTPUT, QUICK_OUTPUT = results_paths("drift_vs_peers")

SEED = 20_240_611
#: Bump when the generated data change, so stale files are rewritten.
DATA_VERSION = 1
RESULT_TAG = "@@BENCH-RESULT@@ "
TOOLS = ("smokejumper", "evidently", "whylogs")
PROFILE_TASK = "smokejumper-profile"
PROFILE_REPEATS = 3
PACKAGES = (
    "smokejumper",
    "evidently",
    "whylogs",
    "pandas",
    "numpy",
    "pyarrow",
    "scipy",
    "datasketches",
)

Json = dict[str, Any]
Job = Callable[[Path, Path], Json]


# --------------------------------------------------------------------------- data sets


@dataclass(frozen=True)
class DataSet:
    """A reference/current pair on disk and the truth about which columns were shifted."""

    name: str
    rows: int
    columns: tuple[str, ...]
    shifted: dict[str, str]  # column -> what was done to it

    @property
    def reference(self) -> Path:
        """Path of the reference Parquet file."""
        return DATA_DIR / f"{self.name}.reference.parquet"

    @property
    def current(self) -> Path:
        """Path of the current Parquet file."""
        return DATA_DIR / f"{self.name}.current.parquet"

    @property
    def manifest(self) -> Path:
        """Path of the JSON file describing how the pair was made."""
        return DATA_DIR / f"{self.name}.json"

    @property
    def unchanged(self) -> list[str]:
        """Columns drawn from the same distribution on both sides."""
        return [c for c in self.columns if c not in self.shifted]


def _size_label(rows: int) -> str:
    if rows % 1_000_000 == 0:
        return f"{rows // 1_000_000}m"
    if rows % 1_000 == 0:
        return f"{rows // 1_000}k"
    return str(rows)


# Numeric set: (name, mean shift in sd, scale factor, description) for the shifted columns.
NUMERIC_SHIFTS = (
    ("shift_mean_0_2sd", 0.2, 1.0, "mean +0.2 sd"),
    ("shift_mean_0_5sd", 0.5, 1.0, "mean +0.5 sd"),
    ("shift_mean_1_0sd", 1.0, 1.0, "mean +1.0 sd"),
    ("shift_scale_1_2x", 0.0, 1.2, "scale x1.2"),
    ("shift_scale_1_5x", 0.0, 1.5, "scale x1.5"),
)
NUMERIC_UNCHANGED = 15

MIXED_SHIFTED = {
    "num_normal": "mean +0.5 sd (N(50, 10) -> N(55, 10)), 5 % nulls",
    "num_exponential": "scale x1.5",
    "cat_color": "shares (.35 .25 .20 .12 .08) -> (.20 .25 .20 .20 .15)",
    "bool_churned": "true rate 20 % -> 40 %",
}
MIXED_COLUMNS = (
    "num_normal",
    "num_lognormal",
    "num_exponential",
    "num_uniform",
    "num_student_t",
    "num_bimodal",
    "int_poisson",
    "int_age",
    "cat_color",
    "cat_country",
    "cat_product",
    "cat_channel",
    "bool_churned",
    "bool_premium",
)


def numeric_dataset(rows: int) -> DataSet:
    """The 20-column numeric set at ``rows`` rows per side."""
    names = tuple(s[0] for s in NUMERIC_SHIFTS) + tuple(
        f"same_{i:02d}" for i in range(NUMERIC_UNCHANGED)
    )
    shifted = {name: text for name, _, _, text in NUMERIC_SHIFTS}
    return DataSet(f"numeric-{_size_label(rows)}", rows, names, shifted)


def mixed_dataset(rows: int) -> DataSet:
    """The 14-column mixed-type set at ``rows`` rows per side."""
    return DataSet(f"mixed-{_size_label(rows)}", rows, MIXED_COLUMNS, dict(MIXED_SHIFTED))


def _rng(dataset: DataSet, column: int, side: int) -> Any:
    import numpy as np

    # One stream per (data set, column, side): any column can be regenerated on its own.
    return np.random.default_rng([SEED, dataset.rows, column, side, len(dataset.columns)])


def _numeric_tables(dataset: DataSet) -> tuple[Any, Any]:
    import pyarrow as pa

    shifts = {name: (mean, scale) for name, mean, scale, _ in NUMERIC_SHIFTS}
    ref: dict[str, Any] = {}
    cur: dict[str, Any] = {}
    for i, name in enumerate(dataset.columns):
        mean, scale = shifts.get(name, (0.0, 1.0))
        ref[name] = _rng(dataset, i, 0).standard_normal(dataset.rows)
        cur[name] = mean + scale * _rng(dataset, i, 1).standard_normal(dataset.rows)
    return pa.table(ref), pa.table(cur)


def _with_nulls(values: Any, rng: Any, share: float = 0.05) -> Any:
    import pyarrow as pa

    return pa.array(values, mask=rng.random(values.shape[0]) < share)


def _categories(rng: Any, rows: int, levels: Sequence[str], shares: Sequence[float]) -> Any:
    import numpy as np

    return np.asarray(levels, dtype=object)[rng.choice(len(levels), size=rows, p=shares)]


def _zipf_shares(levels: int) -> list[float]:
    weights = [1.0 / (k + 1) for k in range(levels)]
    total = sum(weights)
    return [w / total for w in weights]


def _mixed_column(name: str, rng: Any, rows: int, current: bool) -> Any:
    """One column of the mixed set, on the reference (``current=False``) or current side."""
    import numpy as np
    import pyarrow as pa

    shifted = current and name in MIXED_SHIFTED
    if name == "num_normal":
        return _with_nulls(rng.normal(55.0 if shifted else 50.0, 10.0, rows), rng)
    if name == "num_lognormal":
        return _with_nulls(rng.lognormal(0.0, 0.75, rows), rng)
    if name == "num_exponential":
        return pa.array(rng.exponential(1.5 if shifted else 1.0, rows))
    if name == "num_uniform":
        return pa.array(rng.random(rows))
    if name == "num_student_t":
        return pa.array(rng.standard_t(5, rows))
    if name == "num_bimodal":
        return pa.array(np.where(rng.random(rows) < 0.3, -2.0, 2.0) + rng.standard_normal(rows))
    if name == "int_poisson":
        return pa.array(rng.poisson(3.0, rows).astype(np.int64))
    if name == "int_age":
        return pa.array(rng.integers(18, 91, rows, dtype=np.int64))
    if name == "cat_color":
        levels = ["red", "green", "blue", "black", "white"]
        shares = [0.20, 0.25, 0.20, 0.20, 0.15] if shifted else [0.35, 0.25, 0.20, 0.12, 0.08]
        return pa.array(_categories(rng, rows, levels, shares), type=pa.string())
    if name == "cat_country":
        levels = [f"country_{k:02d}" for k in range(20)]
        values = _categories(rng, rows, levels, _zipf_shares(20))
        return pa.array(values, type=pa.string(), mask=rng.random(rows) < 0.05)
    if name == "cat_product":
        levels = [f"sku_{k:03d}" for k in range(200)]
        return pa.array(_categories(rng, rows, levels, _zipf_shares(200)), type=pa.string())
    if name == "cat_channel":
        levels = ["web", "app", "store"]
        return pa.array(_categories(rng, rows, levels, [0.5, 0.3, 0.2]), type=pa.string())
    if name == "bool_churned":
        return pa.array(rng.random(rows) < (0.4 if shifted else 0.2))
    if name == "bool_premium":
        return _with_nulls(rng.random(rows) < 0.1, rng)
    raise ValueError(f"unknown mixed column {name!r}")


def _mixed_tables(dataset: DataSet) -> tuple[Any, Any]:
    import pyarrow as pa

    sides = []
    for side in (0, 1):
        sides.append(
            pa.table(
                {
                    name: _mixed_column(name, _rng(dataset, i, side), dataset.rows, side == 1)
                    for i, name in enumerate(dataset.columns)
                }
            )
        )
    return sides[0], sides[1]


def _manifest(dataset: DataSet) -> Json:
    return {
        "name": dataset.name,
        "rows": dataset.rows,
        "seed": SEED,
        "data_version": DATA_VERSION,
        "columns": list(dataset.columns),
        "shifted": dataset.shifted,
    }


def ensure_data(dataset: DataSet) -> bool:
    """Write the data set's Parquet files unless identical ones exist; True when written."""
    import pyarrow.parquet as pq

    wanted = _manifest(dataset)
    paths = (dataset.reference, dataset.current, dataset.manifest)
    if all(p.exists() for p in paths) and json.loads(dataset.manifest.read_text()) == wanted:
        return False
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    make = _mixed_tables if dataset.name.startswith("mixed") else _numeric_tables
    reference, current = make(dataset)
    pq.write_table(reference, dataset.reference)
    pq.write_table(current, dataset.current)
    dataset.manifest.write_text(json.dumps(wanted, indent=2) + "\n")
    return True


# --------------------------------------------------------------------------- worker side


def _peak_rss_mib() -> float:
    """High-water mark of this process's resident memory, in MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _smokejumper_job() -> Job:
    import pyarrow.dataset  # noqa: F401  (what pq.read_table loads on first use)

    from smokejumper.stats.compare import compare
    from smokejumper.stats.methods import available_methods

    available_methods()  # the drift methods, and SciPy with them, load lazily on first use

    def job(reference: Path, current: Path) -> Json:
        # Given paths, as `smokejumper drift a.parquet b.parquet` does, compare reads each
        # Parquet column when its turn comes; reading is inside the job and not timed apart.
        report = compare(reference, current)
        tested = [c for c in report.columns if c.status == "tested"]
        notes = [f"{c.name}: {c.status} ({c.note})" for c in report.columns if c.status != "tested"]
        return {
            "read_s": None,
            "flagged": [c.name for c in report.columns if c.drift],
            "tested": [c.name for c in tested],
            "methods": sorted({str(c.method) for c in tested}),
            "notes": notes,
        }

    return job


def _evidently_job() -> Job:
    import pandas as pd
    from evidently import Report
    from evidently.presets import DataDriftPreset

    def job(reference: Path, current: Path) -> Json:
        start = time.perf_counter()
        ref, cur = pd.read_parquet(reference), pd.read_parquet(current)
        read_s = time.perf_counter() - start
        snapshot = Report([DataDriftPreset()], include_tests=True).run(
            current_data=cur, reference_data=ref
        )
        flagged, tested, methods = [], [], set()
        for test in snapshot.dict()["tests"]:
            params = test["metric_config"]["params"]
            if test["id"] != "drift" or "column" not in params:
                continue
            tested.append(params["column"])
            methods.add(str(params.get("method")))
            if test["status"] == "FAIL":
                flagged.append(params["column"])
        if not tested:
            raise RuntimeError("no per-column drift test in the Evidently snapshot")
        return {"read_s": read_s, "flagged": flagged, "tested": tested, "methods": sorted(methods)}

    return job


def _import_whylogs_drift() -> tuple[Any, str | None]:
    """whylogs' ``calculate_drift_scores``, and a note when it had to be reached around IPython.

    ``whylogs.viz/__init__`` imports IPython for notebook display, which whylogs' base install
    lacks; the drift algorithms under it need neither. Without IPython, ``whylogs.viz`` is
    registered as a bare package so its submodules import without that ``__init__``.
    """
    note = None
    if importlib.util.find_spec("IPython") is None:
        spec = importlib.util.find_spec("whylogs")
        if spec is None or spec.origin is None:
            raise ModuleNotFoundError("whylogs is not installed")
        viz = types.ModuleType("whylogs.viz")
        viz.__path__ = [str(Path(spec.origin).parent / "viz")]
        sys.modules["whylogs.viz"] = viz
        note = "IPython not installed: whylogs.viz/__init__ (notebook display) bypassed"
    from whylogs.viz.drift.column_drift_algorithms import calculate_drift_scores

    return calculate_drift_scores, note


def _whylogs_job() -> Job:
    import pandas as pd
    import whylogs

    calculate_drift_scores, import_note = _import_whylogs_drift()

    def job(reference: Path, current: Path) -> Json:
        start = time.perf_counter()
        ref, cur = pd.read_parquet(reference), pd.read_parquet(current)
        read_s = time.perf_counter() - start
        ref_view = whylogs.log(pandas=ref).view()
        cur_view = whylogs.log(pandas=cur).view()
        scores = calculate_drift_scores(
            target_view=cur_view, reference_view=ref_view, with_thresholds=True
        )
        judged = {name: score for name, score in scores.items() if score is not None}
        categories = {name: score.get("drift_category") for name, score in judged.items()}
        possible = sorted(n for n, c in categories.items() if c == "POSSIBLE_DRIFT")
        notes = [import_note] if import_note else []
        if possible:
            notes.append(f"POSSIBLE_DRIFT (not counted as flagged): {', '.join(possible)}")
        return {
            "read_s": read_s,
            "flagged": sorted(n for n, c in categories.items() if c == "DRIFT"),
            "tested": sorted(judged),
            "methods": sorted({str(s.get("algorithm")) for s in judged.values()}),
            "notes": notes,
        }

    return job


JOBS: dict[str, Callable[[], Job]] = {
    "smokejumper": _smokejumper_job,
    "evidently": _evidently_job,
    "whylogs": _whylogs_job,
}


def run_tool_worker(tool: str, reference: Path, current: Path) -> Json:
    """In the child: import the tool, run the job once, measure it."""
    start = time.perf_counter()
    job = JOBS[tool]()
    import_s = time.perf_counter() - start
    rss_after_import = _peak_rss_mib()
    cpu_start, start = _cpu_seconds(), time.perf_counter()
    out = job(reference, current)
    job_s = time.perf_counter() - start
    return {
        **out,
        "import_s": import_s,
        "job_s": job_s,
        "cpu_s": _cpu_seconds() - cpu_start,
        "peak_rss_mib": _peak_rss_mib(),
        "rss_after_import_mib": rss_after_import,
    }


def _timed(call: Callable[[], object]) -> tuple[float, float]:
    cpu, start = _cpu_seconds(), time.perf_counter()
    call()
    return time.perf_counter() - start, _cpu_seconds() - cpu


def run_profile_worker(reference: Path, current: Path) -> Json:
    """In the child: time ``profile()`` on one core (median of :data:`PROFILE_REPEATS`)."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    import pyarrow as pa
    import pyarrow.parquet as pq

    from smokejumper.stats.dataset import profile

    pa.set_cpu_count(1)
    ref, cur = pq.read_table(reference), pq.read_table(current)
    profile(ref.slice(0, 1_000))  # warm-up: lazy imports, first-call costs
    plain = [_timed(lambda: profile(ref)) for _ in range(PROFILE_REPEATS)]
    ref_profile = profile(ref)
    against = [_timed(lambda: profile(cur, reference=ref_profile)) for _ in range(PROFILE_REPEATS)]
    return {
        "values": ref.num_rows * ref.num_columns,
        "profile_s": statistics.median(w for w, _ in plain),
        "profile_cpu_s": statistics.median(c for _, c in plain),
        "against_s": statistics.median(w for w, _ in against),
        "against_cpu_s": statistics.median(c for _, c in against),
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "peak_rss_mib": _peak_rss_mib(),
    }


def worker_main(task: str, reference: Path, current: Path) -> int:
    """Entry point of a child process: print one tagged JSON line with the measurements."""
    if task == PROFILE_TASK:
        result = run_profile_worker(reference, current)
    else:
        result = run_tool_worker(task, reference, current)
    print(RESULT_TAG + json.dumps(result), flush=True)
    return 0


# --------------------------------------------------------------------------- parent side


@dataclass
class Run:
    """One child process's outcome: measurements, or the error that stopped it."""

    task: str
    dataset: DataSet
    result: Json = field(default_factory=dict)
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the child finished and reported."""
        return self.error is None

    def flagged(self) -> set[str]:
        """Columns the tool called drifted."""
        return set(self.result.get("flagged", []))

    def caught(self) -> list[str]:
        """Shifted columns the tool flagged."""
        return [c for c in self.dataset.shifted if c in self.flagged()]

    def false_alarms(self) -> list[str]:
        """Unchanged columns the tool flagged."""
        return [c for c in self.dataset.unchanged if c in self.flagged()]

    def untested(self) -> list[str]:
        """Columns the tool gave no verdict on."""
        tested = set(self.result.get("tested", []))
        return [c for c in self.dataset.columns if c not in tested]


def _child_env(task: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONWARNINGS"] = "ignore"
    if task == PROFILE_TASK:
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = "1"
    return env


def _error_text(proc: subprocess.CompletedProcess[str]) -> str:
    if proc.returncode < 0:
        return f"killed by signal {-proc.returncode} (out of memory?)"
    lines = [ln.strip() for ln in proc.stderr.splitlines() if ln.strip()]
    last = lines[-1] if lines else f"exit code {proc.returncode}, no output"
    return last[:240]


def _busy_seconds() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (``/proc/stat``), if known."""
    try:
        first = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq = (int(x) for x in first[1:8])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def _own_and_children_cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_child(task: str, dataset: DataSet, timeout: float) -> Run:
    """Run one measurement in a fresh interpreter; collect its result and what else ran.

    ``other_cpu_s`` is the CPU time that processes other than this benchmark used while the
    child ran: a number well above zero means the timings were taken on a busy machine.
    """
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        task,
        "--reference",
        str(dataset.reference),
        "--current",
        str(dataset.current),
    ]
    busy, ours = _busy_seconds(), _own_and_children_cpu()
    try:
        proc = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, env=_child_env(task)
        )
    except subprocess.TimeoutExpired:
        return Run(task, dataset, error=f"timed out after {timeout:.0f} s")
    busy_after, ours_after = _busy_seconds(), _own_and_children_cpu()
    tagged = [ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT_TAG)]
    if proc.returncode != 0 or not tagged:
        return Run(task, dataset, error=_error_text(proc))
    result = json.loads(tagged[-1][len(RESULT_TAG) :])
    if busy is not None and busy_after is not None:
        result["other_cpu_s"] = max(busy_after - busy - (ours_after - ours), 0.0)
    return Run(task, dataset, result=result)


def run_all(datasets: Sequence[DataSet], tools: Sequence[str], timeout: float) -> list[Run]:
    """Every tool on every data set, one child each, in a fixed order."""
    runs: list[Run] = []
    total = len(datasets) * len(tools)
    for dataset in datasets:
        for tool in tools:
            log(f"[{len(runs) + 1}/{total}] {tool} on {dataset.name} ...")
            run = run_child(tool, dataset, timeout)
            status = f"{run.result['job_s']:.2f} s" if run.ok else f"FAILED: {run.error}"
            log(f"    {status}")
            runs.append(run)
    return runs


# --------------------------------------------------------------------------- reporting


def _fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _ratio(peer: float | None, ours: float | None) -> str:
    if peer is None or not ours:
        return "-"
    return f"{peer / ours:.1f}x"


def _find(runs: Sequence[Run], task: str, dataset: DataSet) -> Run | None:
    return next((r for r in runs if r.task == task and r.dataset.name == dataset.name), None)


MAIN_HEADER = (
    "Data set",
    "Rows/side",
    "Tool",
    "Job s",
    "Read s",
    "CPU s",
    "Import s",
    "Peak RSS MiB",
    "RSS after import MiB",
    "Other procs CPU s",
    "Flagged",
    "Shifted caught",
    "False alarms",
    "Evidently time / ours",
    "Evidently mem / ours",
)


def main_rows(runs: Sequence[Run], datasets: Sequence[DataSet]) -> list[list[str]]:
    """One row per (data set, tool): measurements, scores and the Evidently ratios."""
    rows = []
    for dataset in datasets:
        evidently = _find(runs, "evidently", dataset)
        for run in (r for r in runs if r.dataset.name == dataset.name):
            head = [dataset.name, f"{dataset.rows:,}", run.task]
            if not run.ok:
                rows.append([*head, f"error: {run.error}"] + [""] * (len(MAIN_HEADER) - 4))
                continue
            r = run.result
            ratios = ["", ""]
            if run.task == "smokejumper" and evidently is not None and evidently.ok:
                ratios = [
                    _ratio(evidently.result["job_s"], r["job_s"]),
                    _ratio(evidently.result["peak_rss_mib"], r["peak_rss_mib"]),
                ]
            rows.append(
                [
                    *head,
                    _fmt(r["job_s"]),
                    _fmt(r.get("read_s")),
                    _fmt(r["cpu_s"]),
                    _fmt(r["import_s"]),
                    _fmt(r["peak_rss_mib"], 0),
                    _fmt(r["rss_after_import_mib"], 0),
                    _fmt(r.get("other_cpu_s"), 1),
                    f"{len(run.flagged())}/{len(dataset.columns)}",
                    f"{len(run.caught())}/{len(dataset.shifted)}",
                    f"{len(run.false_alarms())}/{len(dataset.unchanged)}",
                    *ratios,
                ]
            )
    return rows


def detail_rows(
    runs: Sequence[Run], datasets: Sequence[DataSet], tools: Sequence[str]
) -> list[list[str]]:
    """Which shifted columns each tool caught, and which unchanged ones it flagged."""
    rows = []
    for dataset in datasets:
        for column, change in dataset.shifted.items():
            cells = []
            for tool in tools:
                run = _find(runs, tool, dataset)
                cells.append(
                    "error" if run is None or not run.ok else _yes(column in run.flagged())
                )
            rows.append([dataset.name, column, change, *cells])
        cells = []
        for tool in tools:
            run = _find(runs, tool, dataset)
            if run is None or not run.ok:
                cells.append("error")
            else:
                alarms = run.false_alarms()
                cells.append(f"{len(alarms)}" + (f" ({', '.join(alarms)})" if alarms else ""))
        rows.append([dataset.name, f"{len(dataset.unchanged)} unchanged", "flagged:", *cells])
    return rows


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


PROFILE_HEADER = ("Data set", "Call", "Values", "Wall s (median)", "CPU s", "Values/s per core")


def profile_rows(profile: Run | None) -> list[list[str]]:
    """The profiling-throughput rows (or the error)."""
    if profile is None:
        return []
    name = profile.dataset.name
    if not profile.ok:
        return [[name, "profile()", "", f"error: {profile.error}", "", ""]]
    r = profile.result
    out = []
    for call, wall, cpu in (
        ("profile(reference)", r["profile_s"], r["profile_cpu_s"]),
        ("profile(current, reference=p)", r["against_s"], r["against_cpu_s"]),
    ):
        rate = f"{r['values'] / wall / 1e6:,.1f}M" if wall else "-"
        out.append([name, call, f"{r['values']:,}", _fmt(wall, 3), _fmt(cpu, 3), rate])
    return out


def _largest_numeric(runs: Sequence[Run]) -> DataSet | None:
    numeric = [r.dataset for r in runs if r.dataset.name.startswith("numeric")]
    return max(numeric, key=lambda d: d.rows) if numeric else None


def check_targets(runs: Sequence[Run], profile: Run | None) -> list[Target]:
    """Targets: >= 30x faster and <= 1/3 the memory of Evidently at 1M rows, >= 20M values/s
    per core when profiling, and no false alarm from Smokejumper."""
    targets = []
    big = _largest_numeric(runs)
    ours = _find(runs, "smokejumper", big) if big else None
    peer = _find(runs, "evidently", big) if big else None
    at_1m = big is not None and big.rows >= 1_000_000
    if at_1m and ours and peer and ours.ok and peer.ok:
        speed = peer.result["job_s"] / ours.result["job_s"]
        memory = peer.result["peak_rss_mib"] / ours.result["peak_rss_mib"]
        targets.append(
            Target("At 1M rows, >= 30x faster than Evidently", speed >= 30, f"{speed:.1f}x")
        )
        targets.append(
            Target(
                "At 1M rows, <= 1/3 of Evidently's peak memory",
                memory >= 3,
                f"Evidently uses {memory:.1f}x ours",
            )
        )
    else:
        why = "no 1M-row numeric run with both tools"
        targets.append(Target("At 1M rows, >= 30x faster than Evidently", None, why))
        targets.append(Target("At 1M rows, <= 1/3 of Evidently's peak memory", None, why))
    if profile is not None and profile.ok and profile.dataset.rows >= 1_000_000:
        rate = profile.result["values"] / profile.result["profile_s"]
        targets.append(
            Target("Profiling >= 20M values/s per core", rate >= 20e6, f"{rate / 1e6:.1f}M/s")
        )
    else:
        targets.append(Target("Profiling >= 20M values/s per core", None, "no 1M-row profile run"))
    ours_runs = [r for r in runs if r.task == "smokejumper"]
    if ours_runs and all(r.ok for r in ours_runs):
        alarms = [f"{r.dataset.name}: {c}" for r in ours_runs for c in r.false_alarms()]
        targets.append(
            Target(
                "No unchanged column flagged by Smokejumper",
                not alarms,
                ", ".join(alarms) or f"0 false alarms on {len(ours_runs)} data sets",
            )
        )
    else:
        targets.append(Target("No unchanged column flagged by Smokejumper", None, "a run failed"))
    return targets


def _profile_note(profile: Run | None) -> list[str]:
    if profile is None or not profile.ok:
        return []
    r = profile.result
    return [
        f"- {PROFILE_TASK} on {profile.dataset.name}: {r.get('cores')} core(s) allowed, "
        f"peak RSS {_fmt(r.get('peak_rss_mib'), 0)} MiB, "
        f"other processes used {_fmt(r.get('other_cpu_s'), 1)} CPU s meanwhile"
    ]


def _notes(runs: Sequence[Run]) -> list[str]:
    out = []
    for run in runs:
        if not run.ok:
            continue
        methods = ", ".join(run.result.get("methods", []))
        untested = run.untested()
        extra = [f"methods: {methods}"]
        if untested:
            extra.append(f"no verdict on: {', '.join(untested)}")
        extra.extend(run.result.get("notes", []))
        out.append(f"- {run.task} on {run.dataset.name}: " + "; ".join(extra))
    return out


def render_markdown(
    runs: Sequence[Run],
    datasets: Sequence[DataSet],
    tools: Sequence[str],
    profile: Run | None,
    command: str,
    git_at_start: str,
) -> str:
    """The results document."""
    detail_header = ("Data set", "Column", "Change", *tools)
    parts = [
        "# Drift detection: Smokejumper vs Evidently vs whylogs",
        "",
        f"- Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        *machine_lines(git_at_start, PACKAGES),
        f"- Command: `{command}` (or `make bench` for the default full run)",
        "",
        "Each cell is one fresh Python process per tool and data set. *Job s*: wall time to read "
        "both Parquet files and compute the drift report. *Read s*: the part of it spent reading "
        "(Evidently and whylogs read whole files into pandas first; Smokejumper gets the paths, "
        "as `smokejumper drift` does, and reads each column inside `compare` when it is "
        "compared, so its reading is not timed apart). *Import s*: loading the tool, shown "
        "apart and not in *Job s*; for Smokejumper it includes the drift methods and SciPy, which "
        "`compare` otherwise loads on its first call. "
        "*CPU s*: user + system time of the job, all threads (Smokejumper's `compare` runs "
        "`min(4, cores)` worker threads). *Peak RSS*: `VmHWM` of the child process (whole "
        "process: interpreter, imports and data). Ratios are Evidently's number divided by "
        "Smokejumper's on the same data. *Other procs CPU s*: CPU time used by processes outside "
        "the benchmark while the child ran (from `/proc/stat`); well above zero means a busy "
        "machine. Every tool runs with its default settings: Evidently's preset uses "
        "Wasserstein (normed) >= 0.1 for numbers and Jensen-Shannon >= 0.1 for categories at "
        "these sizes; whylogs flags p < 0.05 of a KS test on its KLL sketches (numbers) or a "
        "chi-squared test on its frequent items (strings); Smokejumper's methods are listed "
        "per run under *Notes per run*.",
        "",
        "## Speed, memory and verdicts",
        "",
        md_table(MAIN_HEADER, main_rows(runs, datasets)),
        "",
        "## Smokejumper profiling throughput",
        "",
        "One core (`sched_setaffinity`), BLAS/OpenMP threads 1, Arrow CPU pool 1; median of "
        f"{PROFILE_REPEATS} runs after a warm-up; values = rows x columns.",
        "",
        md_table(PROFILE_HEADER, profile_rows(profile)),
        "",
        "## Targets",
        "",
        *target_lines(check_targets(runs, profile)),
        "",
        "## Which columns each tool flagged",
        "",
        md_table(detail_header, detail_rows(runs, datasets, tools)),
        "",
        "## Data",
        "",
        f"Generated by this script with NumPy (seed {SEED}, data version {DATA_VERSION}), "
        "written once as Parquet under `benchmarks/.data/` (not committed).",
        "",
        "- `numeric-*`: 20 float64 columns, N(0, 1) on both sides; in the current side five "
        "columns are shifted, graded (mean +0.2 / +0.5 / +1.0 sd, scale x1.2 / x1.5), "
        "15 unchanged.",
        "- `mixed-*`: 8 numeric (6 float, 2 int), 4 string categorical (5, 20, 200, 3 levels), "
        "2 boolean; about 5 % nulls in num_normal, num_lognormal, cat_country, bool_premium. "
        "Shifted: " + "; ".join(f"{k}: {v}" for k, v in MIXED_SHIFTED.items()) + ".",
        "",
        "## Notes per run",
        "",
        *_notes(runs),
        *_profile_note(profile),
        "",
    ]
    return "\n".join(parts)


def print_summary(
    runs: Sequence[Run], datasets: Sequence[DataSet], tools: Sequence[str], profile: Run | None
) -> None:
    """The same tables as plain text on stdout."""
    print(text_table(MAIN_HEADER, main_rows(runs, datasets)))
    print()
    if profile is not None:
        print(text_table(PROFILE_HEADER, profile_rows(profile)))
        print()
    print(text_table(("Data set", "Column", "Change", *tools), detail_rows(runs, datasets, tools)))
    print()
    for line in target_lines(check_targets(runs, profile)):
        print(line.replace("**", ""))


# --------------------------------------------------------------------------- command line


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(s.replace("_", "")) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"sizes must be integers, got {text!r}") from None
    if not sizes or min(sizes) < 100:
        raise argparse.ArgumentTypeError("give at least one size, each of 100 rows or more")
    return sizes


def _tools(text: str) -> list[str]:
    tools = [t.strip() for t in text.split(",") if t.strip()]
    unknown = [t for t in tools if t not in TOOLS]
    if unknown or not tools:
        raise argparse.ArgumentTypeError(f"tools are {', '.join(TOOLS)}; got {text!r}")
    return tools


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="20k rows only (smoke test)")
    parser.add_argument(
        "--sizes", type=_sizes, help="rows per side of the numeric sets (default 200000,1000000)"
    )
    parser.add_argument(
        "--mixed-rows", type=int, help="rows per side of the mixed-type set; 0 skips it"
    )
    parser.add_argument("--tools", type=_tools, default=list(TOOLS), help="comma-separated")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per child")
    parser.add_argument("--output", type=Path, help="Markdown results file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--reference", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--current", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    quick = args.quick
    if args.sizes is None:
        args.sizes = [20_000] if quick else [200_000, 1_000_000]
    if args.mixed_rows is None:
        args.mixed_rows = 20_000 if quick else 200_000
    if args.output is None:
        args.output = QUICK_OUTPUT if quick else DEFAULT_OUTPUT
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Generate data if needed, run every child, print and write the results."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    if args.worker:
        return worker_main(args.worker, args.reference, args.current)
    git_at_start = git_state()
    datasets = [numeric_dataset(n) for n in args.sizes]
    if args.mixed_rows:
        datasets.append(mixed_dataset(args.mixed_rows))
    for dataset in datasets:
        log(f"data {dataset.name}: {'written' if ensure_data(dataset) else 'up to date'}")
    runs = run_all(datasets, args.tools, args.timeout)
    profile = None
    if "smokejumper" in args.tools:
        big = max((d for d in datasets if d.name.startswith("numeric")), key=lambda d: d.rows)
        log(f"{PROFILE_TASK} on {big.name} ...")
        profile = run_child(PROFILE_TASK, big, args.timeout)
    print_summary(runs, datasets, args.tools, profile)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    document = render_markdown(
        runs, datasets, args.tools, profile, command_line(__file__, argv), git_at_start
    )
    args.output.write_text(document)
    log(f"results written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
