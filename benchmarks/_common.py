"""Helpers every benchmark script shares: result tables, package versions, the git state and
the command line that reproduces a run. Scripts import it as ``_common`` (their own folder is
first on ``sys.path`` when run as ``python benchmarks/NAME.py``)."""

from __future__ import annotations

import contextlib
import importlib.metadata
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
