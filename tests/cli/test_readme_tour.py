"""README.md's five-minute tour, followed literally in the folder ``smokejumper demo`` leaves
it in: every command and Python block runs, on the files the demo writes.

Only the lines that start the service are played by :class:`ServerHarness` instead (the same
``serve --config monitors.yaml``, on a free port rather than 8800), and the lines that activate
the environment and change folder are what this test does itself.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import pytest

from smokejumper.cli.demo_tour import TOUR_FILES, write_tour
from smokejumper.harness import ServerHarness

README = Path(__file__).resolve().parents[2] / "README.md"

#: Lines of the tour this test does itself: the environment, the folder, starting the server.
DONE_HERE = (
    "source .venv/bin/activate",
    "cd .smokejumper/tour",
    "export SMOKEJUMPER_TOKEN=$(smokejumper token create --scope admin)",
    "smokejumper serve --config monitors.yaml &",
    "sleep 3",
)


def tour_blocks() -> list[tuple[str, str]]:
    """The tour's code blocks, in order: (``sh`` or ``python``, text)."""
    text = README.read_text(encoding="utf-8")
    start = text.index("## A five-minute tour")
    section = text[start : text.index("\n## ", start + 1)]
    return re.findall(r"```(sh|python)\n(.*?)```", section, re.DOTALL)


def commands(block: str) -> list[str]:
    """The command lines of a shell block, without their comments."""
    lines = (re.sub(r"\s+#\s.*$", "", line).strip() for line in block.splitlines())
    return [line for line in lines if line]


@pytest.mark.slow
def test_the_readme_tour_runs_on_the_files_the_demo_leaves(tmp_path: Path) -> None:
    data = resources.files("smokejumper") / "data"
    tour = tmp_path / ".smokejumper" / "tour"
    write_tour(
        tour,
        Path(str(data / "loans_reference.parquet")),
        Path(str(data / "loans_current.parquet")),
        written := datetime.now(UTC),
    )
    blocks = tour_blocks()
    named = r"[\w-]+\.(?:parquet|yaml|profile)"
    used = {
        name
        for kind, text in blocks
        for name in (
            re.findall(rf"(?<![\w.])({named})(?=\s|$)", text)
            if kind == "sh"
            else re.findall(rf"\"({named})\"", text)
        )
    }
    made = {"drift.html", "train.profile", "hourly.profile"}
    assert used - made <= set(TOUR_FILES), "the tour uses files the demo does not write"

    done_here: list[str] = []
    outputs: dict[str, str] = {}
    with ServerHarness(
        tmp_path / "server",
        args=["--config", str(tour / "monitors.yaml")],
        env={"SMOKEJUMPER_EVALUATE_EVERY": "0"},
    ) as server:
        env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "SMOKEJUMPER_URL": server.url,
            "SMOKEJUMPER_TOKEN": server.token,
            "COLUMNS": "200",
        }
        env.pop("SMOKEJUMPER_HOME", None)  # the default, ./.smokejumper in the tour's folder
        for kind, text in blocks:
            steps = [text] if kind == "python" else commands(text)
            for step in steps:
                if step in DONE_HERE:
                    done_here.append(step)
                    continue
                argv = [sys.executable, "-c", step] if kind == "python" else ["bash", "-c", step]
                ran = subprocess.run(
                    argv, cwd=tour, env=env, capture_output=True, text=True, timeout=180
                )
                # Both logs hold the broken credit scores: the drift commands exit 1.
                expected = 1 if step.startswith("smokejumper drift train.") else 0
                assert ran.returncode == expected, f"{step}\n{ran.stdout}\n{ran.stderr}"
                if expected:  # the sample's last week lost credit scores: a broken pipeline
                    assert "in column(s) credit_score" in ran.stderr, ran.stderr
                outputs[step] = ran.stdout
    assert sorted(done_here) == sorted(DONE_HERE)  # everything else ran

    register = "smokejumper model register loans --schema schema.yaml --reference train.parquet"
    assert "were ignored: applicant_id\n" in outputs[register]
    # the schema's timestamp column is read, not ignored: the reference gets its hours
    assert "phases: 168 hours of the week from column 'applied_at'" in outputs[register]
    # The log fills the six hours before the one the tour was written in; when the clock passes an
    # hour while the tour runs, that hour closes empty and is evaluated too (its volume is low).
    hours_passed = int((datetime.now(UTC).timestamp() // 3600) - (written.timestamp() // 3600))
    evaluated = re.search(r"Evaluated (\d+) windows", outputs["smokejumper evaluate"])
    assert evaluated is not None, outputs["smokejumper evaluate"]
    assert 6 <= int(evaluated.group(1)) <= 6 + hours_passed, outputs["smokejumper evaluate"]
    windows = outputs["smokejumper model windows loans"]
    assert len(re.findall(r"DRIFT \d/8: income, employment", windows)) == 3, windows
    assert windows.count("v3 1,66") == 6, windows  # the six hours of log.parquet
    assert "loans-data-quality" in outputs["smokejumper slo list"]
    assert (tour / "drift.html").exists()
