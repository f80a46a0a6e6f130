"""``smokejumper drill run NAME --tabletop``: answers from standard input, from ``--answers``
and from a prompt; refusals before the drill starts; one small scenario through a real server.
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from smokejumper.cli.app import app
from smokejumper.cli.drill_tabletop import NO_ANSWERS, Interactive, Scripted, answer_source
from smokejumper.drills.tabletop import QUESTIONS
from smokejumper.errors import InputError, TabletopAnswerError

CAUSE = QUESTIONS[2]


def _invoke(*args: str, stdin: str | None = None) -> tuple[int, str, BaseException | None]:
    done = CliRunner().invoke(app, ["drill", "run", *args], input=stdin, env={"COLUMNS": "160"})
    return done.exit_code, done.output, done.exception


def test_without_a_terminal_or_answers_it_stops_before_the_drill_and_says_what_to_do() -> None:
    started = time.monotonic()
    code, _, error = _invoke("volume_drop", "--tabletop", stdin="")
    assert code != 0
    assert isinstance(error, TabletopAnswerError)
    assert str(error) == NO_ANSWERS
    assert "--answers FILE" in NO_ANSWERS
    assert "terminal" in NO_ANSWERS
    assert time.monotonic() - started < 5  # no server was started


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--answers", "a.yaml"], None, "--answers goes with --tabletop"),
        (["--tabletop", "--format", "json"], "1\n", "drop --format json"),
        (["--tabletop"], "1\n2\n", "standard input holds 2 answer(s); give 4"),
        (["--tabletop", "--answers", "missing.yaml"], None, "--answers missing.yaml: cannot"),
    ],
)
def test_bad_tabletop_arguments_are_refused_by_name(
    args: list[str], stdin: str | None, message: str
) -> None:
    code, _, error = _invoke("volume_drop", *args, stdin=stdin)
    assert code != 0
    assert isinstance(error, InputError)
    assert message in str(error)


def test_an_answers_file_is_yaml_or_json_and_checked_before_the_drill(tmp_path: Path) -> None:
    mapping = tmp_path / "answers.yaml"
    mapping.write_text("first_check: 2\nblast_radius: most\ncause: data_quality\nmitigation: 4\n")
    source = answer_source(mapping, io.StringIO(""))
    assert isinstance(source, Scripted)
    console = Console(file=io.StringIO(), width=120)
    assert source.ask(console, QUESTIONS[0]).key == "pipelines"
    assert "> 2  (from --answers answers.yaml)" in console.file.getvalue()  # type: ignore[attr-defined]
    broken = tmp_path / "broken.yaml"
    broken.write_text("[1, 2\n")
    with pytest.raises(TabletopAnswerError, match="is not YAML or JSON"):
        answer_source(broken)
    short = tmp_path / "short.json"
    short.write_text(json.dumps(["1", "2"]))
    with pytest.raises(TabletopAnswerError, match="hold 2 answers; give 4"):
        answer_source(short)


def test_piped_lines_skip_blank_ones() -> None:
    source = answer_source(None, io.StringIO("\n2\n\n  most \n5\n4\n"))
    console = Console(file=io.StringIO())
    assert [source.ask(console, q).key for q in QUESTIONS] == [
        "pipelines",
        "most",
        "data_quality",
        "escalate",
    ]


def test_the_prompt_asks_again_until_the_answer_is_a_choice() -> None:
    console = Console(file=io.StringIO(), width=120)
    prompt = Interactive(stream=io.StringIO("42\n\n8\n"))
    answer = prompt.ask(console, CAUSE)
    assert answer.key == "model_regression"
    shown = console.file.getvalue()  # type: ignore[attr-defined]
    assert "answer '42' to 'What do you think the cause is?' is not a choice: use 1 to 14" in shown
    assert "no answer to 'What do you think the cause is?'" in shown
    with pytest.raises(TabletopAnswerError, match="no usable answer to 'What do you think"):
        Interactive(stream=io.StringIO("")).ask(console, CAUSE)  # end of input: gives up


@pytest.mark.slow
def test_a_tabletop_walk_through_a_real_server(tmp_path: Path) -> None:
    # volume_drop: 90% of the traffic lost upstream (truth: data_quality, fix at the source).
    code, out, error = _invoke(
        "volume_drop", "--seed", "1", "--tabletop", stdin="2\nmost\n5\nescalate\n"
    )
    assert code == 0, (out, error)
    for step in range(1, 6):
        assert f"Step {step} of 5" in out
    assert "> 5  (from standard input)" in out
    assert "-volume " in out  # the alert of the volume monitor
    assert "Timeline" in out
    assert "│ onset " in out
    assert "(revealed at step 3)" in out  # the diagnosis is not given away at step 1
    assert "predictions since the onset affected (100%)" in out
    assert "Error budget:" in out
    assert "Smokejumper's ranked hypotheses" in out or "has no diagnosis" in out
    assert "The truth: Volume drop upstream." in out
    assert "fix it at the source" in out
    assert "Post-mortem INC-" in out
    assert out.count(": right.") >= 4
    assert "4 of 4 judged answers right" in out

    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(["the serving layer", "5%", "concept drift", "wait"]))
    code, out, error = _invoke(
        "volume_drop", "--seed", "1", "--tabletop", "--answers", str(answers)
    )
    assert code == 0, (out, error)
    assert "> concept drift  (from --answers answers.json)" in out
    assert "Expected: Data quality / pipeline failure." in out
    assert "Expected: most or all traffic: over 50%." in out
    assert "0 of 4 judged answers right" in out
