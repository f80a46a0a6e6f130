"""Running ``smokejumper`` as people type it, against a real server when there is one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from smokejumper.harness import ServerHarness


def cli(
    server: ServerHarness | None, *args: str | Path, cwd: Path | None = None, columns: int = 200
) -> subprocess.CompletedProcess[str]:
    """``smokejumper ARGS`` (against ``server``, if given) on a terminal ``columns`` wide."""
    env = {**os.environ, "COLUMNS": str(columns)}
    if server is not None:
        env |= {"SMOKEJUMPER_URL": server.url, "SMOKEJUMPER_TOKEN": server.token}
    return subprocess.run(
        [sys.executable, "-m", "smokejumper", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )
