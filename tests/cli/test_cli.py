"""The ``smokejumper`` command as users run it: a real process, exit codes, files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "smokejumper", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


@pytest.mark.slow
def test_drift_prints_a_table_and_fails_on_drift_when_asked(loans: tuple[Path, Path]) -> None:
    out = run("drift", *loans)
    assert out.returncode == 0, out.stderr
    assert "DRIFT" in out.stdout
    assert "steady" in out.stdout
    assert run("drift", *loans, "--fail-on-drift", "--drift-share", "0.3").returncode == 1
    same = run("drift", loans[0], loans[0], "--fail-on-drift")
    assert same.returncode == 0


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_profile_files_compare_like_data(loans: tuple[Path, Path], tmp_path: Path) -> None:
    ref_p, cur_p = tmp_path / "ref.profile", tmp_path / "cur.profile"
    assert run("profile", loans[0], "-o", ref_p).returncode == 0
    made = run("profile", loans[1], "-o", cur_p, "--reference", ref_p)
    assert made.returncode == 0, made.stderr
    raw = json.loads(run("drift", *loans, "--format", "json").stdout)
    prof = json.loads(run("drift", ref_p, cur_p, "--format", "json").stdout)
    assert [c["drift"] for c in prof["columns"]] == [c["drift"] for c in raw["columns"]]
    assert {c["basis"] for c in prof["columns"] if c["kind"] == "numeric"} == {"profile"}


@pytest.mark.slow
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


def _broken_pair(tmp_path: Path) -> tuple[Path, Path]:
    """Six steady columns; in the current file one is half null, one is zero-filled at 40 %,
    one arrives entirely null and one is gone."""
    rng = np.random.default_rng(7)
    rows = 2000

    def frame() -> dict[str, object]:
        return {f"f{i}": rng.normal(size=rows) for i in range(6)}

    ref = frame()
    cur = frame()
    cur["f0"] = pa.array(cur["f0"], mask=rng.random(rows) < 0.5)
    cur["f1"] = np.where(rng.random(rows) < 0.4, 0.0, cur["f1"])
    cur["f2"] = pa.nulls(rows, pa.float64())
    del cur["f3"]
    paths = tmp_path / "ref.parquet", tmp_path / "cur.parquet"
    pq.write_table(pa.table(ref), paths[0])
    pq.write_table(pa.table(cur), paths[1])
    return paths


def test_a_broken_pipeline_fails_the_run_naming_the_columns(tmp_path: Path) -> None:
    ref, cur = _broken_pair(tmp_path)
    for extra in ([], ["--fail-on-drift"], ["--fail-on", "quality"], ["--fail-on", "any"]):
        out = run("drift", ref, cur, *extra)
        assert out.returncode == 1, (extra, out.stdout, out.stderr)
        assert "f3, f0, f1, f2" in out.stderr, out.stderr
    assert "BROKEN" in run("drift", ref, cur).stdout
    assert run("drift", ref, cur, "--fail-on", "drift").returncode == 0  # no dataset drift
    assert run("drift", ref, cur, "--fail-on", "none").returncode == 0
    doc = json.loads(run("drift", ref, cur, "--format", "json").stdout)
    assert doc["broken_columns"] == ["f3", "f0", "f1", "f2"]
    checks = {f["column"]: f["check"] for f in doc["quality"]}
    assert checks == {
        "f0": "missing_share",
        "f1": "value_spike",
        "f2": "no_values",
        "f3": "column_missing",
    }
    md = run("drift", ref, cur, "--format", "markdown").stdout
    assert "**Broken pipeline** in f3, f0, f1, f2" in md
    assert "| f1 | numeric | BROKEN |" in md
    html = tmp_path / "r.html"
    run("drift", ref, cur, "-o", html)
    assert "Broken pipeline" in html.read_text()
    bad = run("drift", ref, cur, "--fail-on", "maybe")
    assert bad.returncode == 2
    assert "quality, drift, any, none" in bad.stderr


def test_csv_bytes_that_are_not_utf8_name_the_column_and_the_option(tmp_path: Path) -> None:
    rows = "".join(f"{i},caf\xe9 {i % 3}\n" for i in range(60))
    path = tmp_path / "latin.csv"
    path.write_bytes(("a,b\n" + rows).encode("latin-1"))
    out = run("drift", path, path)
    assert "column 'b' holds bytes that are not text" in out.stdout.replace("\n", " ")
    assert "--encoding latin-1" in out.stdout.replace("\n", "")
    read = json.loads(run("drift", path, path, "--encoding", "latin-1", "-f", "json").stdout)
    b = next(c for c in read["columns"] if c["name"] == "b")
    assert (b["kind"], b["status"]) == ("categorical", "tested")
    assert "café 1" in b["reference"]["top"]
    bad = run("drift", path, path, "--encoding", "klingon")
    assert bad.returncode == 2
    assert "unknown text encoding 'klingon'" in bad.stderr


def test_exclude_and_unknown_columns(loans: tuple[Path, Path]) -> None:
    doc = json.loads(run("drift", *loans, "--exclude", "x,cat", "-f", "json").stdout)
    assert [c["name"] for c in doc["columns"]] == ["y", "n", "flag", "steady"]
    out = run("drift", loans[0], loans[0], "--columns", "zz")
    assert out.returncode == 2
    assert "Its columns are: x, y, n, cat, flag, steady" in out.stderr


def test_hints_use_command_line_syntax(tmp_path: Path) -> None:
    ref, cur = tmp_path / "ref.csv", tmp_path / "cur.csv"
    ref.write_text("b\n" + "".join(f"{v}\n" for v in [1.5, 2.5] * 30))
    cur.write_text("b\n" + "".join(f"{v}\n" for v in ["x", "y"] * 30))
    out = run("drift", ref, cur, "--fail-on", "none")
    assert "--kind b=numeric" in out.stdout.replace("\n", ""), out.stdout


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
    # a column the reference lacks is a schema change: reported as breakage, named, exit 1
    assert compared.returncode == 1, compared.stderr
    assert "score" in compared.stderr
    doc = json.loads(compared.stdout)
    assert [c["name"] for c in doc["columns"]] == ["x"]
    assert doc["broken_columns"] == ["score"]


#: Libraries the commands import when they run, never to start: the test suite and the drills
#: start the CLI hundreds of times, and these take seconds to load.
HEAVY = ("sklearn", "scipy", "pandas", "pyarrow")
LOADED = f"""
import json, sys
from smokejumper.cli.app import main
sys.argv = ["smokejumper", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))
"""


@pytest.mark.parametrize("args", [["--help"], ["drill", "list"]])
def test_start_up_does_not_load_the_heavy_libraries(args: list[str]) -> None:
    out = subprocess.run(
        [sys.executable, "-c", LOADED, *args], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.splitlines()[-1]) == [], "import them in the command instead"
