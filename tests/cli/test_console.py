"""Tables printed to a file, a pipe or a CI log are not cut at 80 columns."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from tests.support import mixed_table


def test_a_report_piped_to_a_file_is_not_cut_at_80_columns(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    ref, cur = tmp_path / "ref.parquet", tmp_path / "cur.parquet"
    for path, shift in ((ref, False), (cur, True)):
        table = mixed_table(rng, 2000, shift=shift)
        ids = pa.array([f"req-{i}" for i in range(2000)])  # skipped, with a long note
        pq.write_table(table.append_column("request_id", ids), path)
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    done = subprocess.run(
        [sys.executable, "-m", "smokejumper", "drift", ref, cur, "--fail-on", "none"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "verdict" in done.stdout
    assert "p (adj.)" in done.stdout
    assert "…" not in done.stdout  # Rich cuts cells with an ellipsis when the table is too wide
    # at 80 columns the note would be folded over several lines of the table
    note = "text or identifier: not tested unless named (--columns, or columns= in Python)"
    assert any(note in line for line in done.stdout.splitlines()), done.stdout
