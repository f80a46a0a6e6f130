"""``smokejumper drill list|run|bench`` through the CLI, each against a real server it starts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smokejumper.cli.app import app
from smokejumper.drills.registry import available_scenarios


def _invoke(*args: str) -> tuple[int, str]:
    done = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return done.exit_code, done.output


def test_drill_list_names_every_scenario_and_its_truth() -> None:
    code, out = _invoke("drill", "list")
    assert code == 0
    for scenario in available_scenarios():
        assert scenario.name in out
    assert "must not" in out
    assert "data_quality" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "fire"], "no drill scenario named 'fire'"),
        (["bench", "--seeds", "0"], "--seeds must be 1 or more"),
        (["bench", "--size", "huge"], "--size must be small or full"),
        (["run", "seasonal", "--format", "yaml"], "--format must be one of table, json"),
    ],
)
def test_bad_arguments_are_refused_by_name(args: list[str], message: str) -> None:
    done = CliRunner().invoke(app, ["drill", *args])
    assert done.exit_code != 0
    assert message in str(done.exception)


@pytest.mark.slow
def test_drill_bench_small_writes_markdown_and_json(tmp_path: Path) -> None:
    target = tmp_path / "bench.md"
    args = ["drill", "bench", "--size", "small", "--seeds", "1", "--scenario", "volume_drop",
            "--scenario", "drift_without_harm", "--scenario", "serving_spike"]  # fmt: skip
    code, out = _invoke(*args, "--format", "markdown", "-o", str(target))
    assert code == 0, out
    text = target.read_text()
    assert "| volume_drop | 1 | 1/1 | 0.0 |" in text
    assert "| serving_spike | 1 | 1/1 | 0.0 |" in text
    assert "both no-incident scenarios without an incident | yes" in text
    assert "wall time" in text
    assert "Confidence against outcome:" in text  # every hypothesis judged against the truth
    assert "| confidence | hypotheses | mean confidence | right |" in text
    code, out = _invoke(*args, "--format", "json")
    assert code == 0, out
    report = json.loads(out)
    runs = {r["score"]["scenario"]: r["score"] for r in report["runs"]}
    assert runs["drift_without_harm"]["incident_opened"] is False
    assert runs["drift_without_harm"]["detected"] is True  # a warning, not a page
    assert "serving_infrastructure" in runs["serving_spike"]["labels"]
    assert report["total"]["runs"] == 3


@pytest.mark.slow
def test_drill_run_prints_the_score_incident_and_postmortem_summary() -> None:
    code, out = _invoke("drill", "run", "volume_drop", "--seed", "1", "--format", "json")
    assert code == 0, out
    result = json.loads(out)
    assert result["score"]["incident_opened"] is True
    assert result["incident"]["labels"] == result["score"]["labels"]
    assert result["postmortem_summary"]
    code, out = _invoke("drill", "run", "volume_drop", "--seed", "1")
    assert code == 0, out
    assert "Score" in out
    assert "Post-mortem draft, summary" in out
