"""Helpers every benchmark script shares: result tables and their figures, targets, package
versions, facts about the machine, the git state and the command line that reproduces a run.
Scripts import it as ``_common`` (their own folder is first on ``sys.path`` when run as
``python benchmarks/NAME.py``)."""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import platform
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The benchmarks' folder, and where data sets and quick runs' results go (not committed).
BENCHMARKS = ROOT / "benchmarks"
DATA_DIR = BENCHMARKS / ".data"


def results_paths(name: str) -> tuple[Path, Path]:
    """Where the full run of the benchmark ``name`` writes its results, and a quick run."""
    return BENCHMARKS / "results" / f"{name}.md", DATA_DIR / f"{name}-quick.md"


def git_state() -> str:
    """The short commit, and whether ``src/`` has changes not committed."""

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", "--no-optional-locks", "-C", str(ROOT), *args],
            capture_output=True,
            text=True,
            check=False,
        )

    head = git("rev-parse", "--short", "HEAD")
    if head.returncode != 0:
        return "unknown"
    dirty = git("diff", "--quiet", "HEAD", "--", "src").returncode != 0
    untracked = bool(git("ls-files", "--others", "--exclude-standard", "--", "src").stdout.strip())
    return head.stdout.strip() + (" + uncommitted changes in src/" if dirty or untracked else "")


def version(package: str) -> str:
    """The installed version of ``package``, or ``not installed``."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table (pipes in cells escaped)."""

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    return "\n".join([line(header), line(["---"] * len(header)), *(line(r) for r in rows)])


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table with aligned columns, for the terminal."""
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=False)]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(
        "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=False)) for row in rows
    )
    return "\n".join(lines)


def command_line(script: str, argv: Sequence[str]) -> str:
    """The command line that runs ``script`` with ``argv``, relative to the repository."""
    path = Path(script).resolve().relative_to(ROOT)
    python = Path(sys.executable)
    with contextlib.suppress(ValueError):
        python = python.relative_to(ROOT)
    return " ".join([str(python), str(path), *argv])


def log(message: str) -> None:
    """A progress line on stderr (stdout is for the tables)."""
    print(message, file=sys.stderr, flush=True)


def fmt(value: float | None, digits: int = 0) -> str:
    """A figure with thousands separators, or ``-`` when there is none."""
    return "-" if value is None else f"{value:,.{digits}f}"


@dataclass(frozen=True)
class Target:
    """One goal from the issue, and whether this run met it (``None``: not measured)."""

    text: str
    met: bool | None
    evidence: str


def target_lines(targets: Sequence[Target]) -> list[str]:
    """The targets as Markdown list items."""
    label = {True: "MET", False: "NOT MET", None: "not measured"}
    return [f"- {t.text}: **{label[t.met]}** ({t.evidence})" for t in targets]


def short_function(path: str, line: int, name: str) -> str:
    """A cProfile entry as ``name (file:line)``, the file relative to its package."""
    if path == "~":
        return name  # a built-in
    if "site-packages/" in path:
        path = path.split("site-packages/", 1)[1]
    elif "/src/" in path:
        path = path.split("/src/", 1)[1]
    else:
        path = re.sub(r"^.*/lib/python3\.\d+/", "", path)
    return f"{name} ({path}:{line})"


def proc_number(path: str | Path, key: str) -> float | None:
    """The number after ``key:`` in a ``/proc`` file (``/proc/meminfo``, ``/proc/PID/status``)."""
    with contextlib.suppress(OSError):
        for line in Path(path).read_text().splitlines():
            if line.startswith(key + ":"):
                return float(line.split()[1])
    return None


def cpu_model() -> str:
    """The processor's model name."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def memory_gib() -> str:
    """The machine's memory, e.g. ``7.8 GiB``."""
    kib = proc_number("/proc/meminfo", "MemTotal")
    return "unknown" if kib is None else f"{kib / 1024**2:.1f} GiB"


def load_average() -> str:
    """The load average over 1, 5 and 15 minutes."""
    if not hasattr(os, "getloadavg"):
        return "unknown"
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def cores() -> int | None:
    """The cores this process may run on (what ``nproc`` says)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def folder_bytes(path: Path) -> int:
    """The size of every file below ``path``."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def machine_lines(git_at_start: str, packages: Sequence[str]) -> list[str]:
    """Facts about the machine and software the numbers were taken on, as Markdown list items:
    the machine, the load average, Python, ``packages`` and the git state (at start and end)."""
    git_now = git_state()
    git = git_now if git_now == git_at_start else f"{git_at_start} at start, {git_now} at end"
    return [
        f"- Machine: {cores()} cores (nproc), {cpu_model()}, {memory_gib()} RAM, "
        f"{platform.system()} {platform.release()}",
        f"- Load average (1, 5, 15 min) when the report was written: {load_average()}",
        f"- Python {platform.python_version()} ({sys.executable})",
        "- Packages: " + ", ".join(f"{p} {version(p)}" for p in packages),
        f"- Smokejumper source: git {git}",
    ]
