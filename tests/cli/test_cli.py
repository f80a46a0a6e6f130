"""The ``smokejumper`` command as users run it: a real process, exit codes, files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "smokejumper", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def test_drift_prints_a_table_and_fails_on_drift_when_asked(loans: tuple[Path, Path]) -> None:
    out = run("drift", *loans)
    assert out.returncode == 0, out.stderr
    assert "DRIFT" in out.stdout
    assert "steady" in out.stdout
    assert run("drift", *loans, "--fail-on-drift", "--drift-share", "0.3").returncode == 1
    same = run("drift", loans[0], loans[0], "--fail-on-drift")
    assert same.returncode == 0


def test_drift_writes_json_markdown_and_html(loans: tuple[Path, Path], tmp_path: Path) -> None:
    out = run("drift", *loans, "--format", "json", "--columns", "x,cat")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert [c["name"] for c in doc["columns"]] == ["x", "cat"]
    for fmt, suffix, marker in (("markdown", "md", "# Drift report"), ("html", "html", "<svg")):
        target = tmp_path / f"report.{suffix}"
        done = run("drift", *loans, "--format", fmt, "--output", target)
        assert done.returncode == 0, done.stderr
        assert marker in target.read_text()
    by_suffix = run("drift", *loans, "-o", tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text())["drifted_columns"] >= 1
    assert by_suffix.returncode == 0


def test_method_option_applies_to_every_column(loans: tuple[Path, Path]) -> None:
    doc = json.loads(run("drift", *loans, "--method", "psi", "--format", "json").stdout)
    assert {c["method"] for c in doc["columns"] if c["status"] == "tested"} == {"psi"}


def test_errors_exit_2_with_one_line(loans: tuple[Path, Path], tmp_path: Path) -> None:
    cases = [
        ("drift", tmp_path / "missing.parquet", loans[1]),
        ("drift", *loans, "--method", "nope"),
        ("drift", *loans, "--format", "pdf"),
        ("drift", *loans, "--kind", "x"),
    ]
    for args in cases:
        out = run(*args)
        assert out.returncode == 2, (args, out.stderr)
        assert out.stderr.startswith("error: "), out.stderr
        assert "Traceback" not in out.stderr


def test_profile_files_compare_like_data(loans: tuple[Path, Path], tmp_path: Path) -> None:
    ref_p, cur_p = tmp_path / "ref.profile", tmp_path / "cur.profile"
    assert run("profile", loans[0], "-o", ref_p).returncode == 0
    made = run("profile", loans[1], "-o", cur_p, "--reference", ref_p)
    assert made.returncode == 0, made.stderr
    raw = json.loads(run("drift", *loans, "--format", "json").stdout)
    prof = json.loads(run("drift", ref_p, cur_p, "--format", "json").stdout)
    assert [c["drift"] for c in prof["columns"]] == [c["drift"] for c in raw["columns"]]
    assert {c["basis"] for c in prof["columns"] if c["kind"] == "numeric"} == {"profile"}


def test_windowed_profiles_merge_to_the_whole(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    rows = 5000
    start = np.datetime64("2026-11-01T00:00:00")
    table = pa.table(
        {
            "ts": pa.array(start + rng.integers(0, 6 * 3600, rows).astype("timedelta64[s]")),
            "x": rng.normal(size=rows),
            "c": rng.choice(list("abc"), rows),
        }
    )
    pq.write_table(table, tmp_path / "log.parquet")
    out = run(
        "profile",
        tmp_path / "log.parquet",
        "-o",
        tmp_path / "w.profile",
        "--window",
        "1h",
        "--timestamp-column",
        "ts",
    )
    assert out.returncode == 0, out.stderr
    from smokejumper.stats import serialize

    windows = serialize.load(tmp_path / "w.profile")
    assert len(windows) == 6
    assert sum(w.rows for w in windows) == rows
    assert [w.window_start.hour for w in windows if w.window_start] == list(range(6))
    # The merged windows compare with the raw data as identical.
    doc = json.loads(
        run(
            "drift",
            tmp_path / "log.parquet",
            tmp_path / "w.profile",
            "--format",
            "json",
            "--columns",
            "x,c",
        ).stdout
    )
    assert doc["drifted_columns"] == 0
    x = next(c for c in doc["columns"] if c["name"] == "x")
    assert x["effect_size"] <= x["bound"] + 1e-12
    bad = run(
        "profile",
        tmp_path / "log.parquet",
        "-o",
        tmp_path / "z",
        "--window",
        "1w",
        "--timestamp-column",
        "ts",
    )
    assert bad.returncode == 2
    assert "30m, 1h or 1d" in bad.stderr


def test_windows_of_times_with_fractions_of_a_second(tmp_path: Path) -> None:
    """Logged times usually have microseconds: they fall in the window of their second."""
    stamps = ["2026-11-01T00:59:59.999999", "2026-11-01T01:00:00.000001", "1969-12-31T23:59:59.5"]
    table = pa.table(
        {
            "ts": pa.array(np.array(stamps, "datetime64[us]")).cast(pa.timestamp("us", "UTC")),
            "x": [1.0, 2.0, 3.0],
        }
    )
    pq.write_table(table, tmp_path / "log.parquet")
    out = run(
        *("profile", tmp_path / "log.parquet", "-o", tmp_path / "w.profile"),
        *("--window", "1h", "--timestamp-column", "ts"),
    )
    assert out.returncode == 0, out.stderr
    from smokejumper.stats import serialize

    starts = [w.window_start for w in serialize.load(tmp_path / "w.profile")]
    assert [s.isoformat() for s in starts if s] == [
        "1969-12-31T23:00:00+00:00",
        "2026-11-01T00:00:00+00:00",
        "2026-11-01T01:00:00+00:00",
    ]


def test_windows_on_a_reference_merge_with_columns_it_lacks(tmp_path: Path) -> None:
    """A log has columns its training data lacks (the score, the latency): the windows are
    binned the same way for them too, so they merge and compare with the reference."""
    rng = np.random.default_rng(5)
    rows = 3000
    pq.write_table(pa.table({"x": rng.normal(size=rows)}), tmp_path / "train.parquet")
    start = np.datetime64("2026-11-01T00:00:00")
    log = pa.table(
        {
            "ts": pa.array(start + rng.integers(0, 3 * 3600, rows).astype("timedelta64[s]")),
            "x": rng.normal(size=rows),
            "score": rng.random(rows) * np.repeat([1.0, 5.0, 20.0], rows // 3),
        }
    )
    pq.write_table(log, tmp_path / "log.parquet")
    made = run("profile", tmp_path / "train.parquet", "-o", tmp_path / "train.profile")
    assert made.returncode == 0, made.stderr
    windows = run(
        *("profile", tmp_path / "log.parquet", "-o", tmp_path / "hourly.profile"),
        *("--window", "1h", "--timestamp-column", "ts", "--reference", tmp_path / "train.profile"),
    )
    assert windows.returncode == 0, windows.stderr
    compared = run(
        "drift", tmp_path / "train.profile", tmp_path / "hourly.profile", "--format", "json"
    )
    assert compared.returncode == 0, compared.stderr
    assert [c["name"] for c in json.loads(compared.stdout)["columns"]] == ["x"]
