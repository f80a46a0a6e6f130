"""``smokejumper drill run NAME --tabletop``: the drill runs as usual through a real server,
then the responder is walked through the incident, question by question, each answer followed
by what Smokejumper gathered (:mod:`smokejumper.cli.tabletop_reveal`), then the post-mortem
draft and a score. The questions and the judging are pure (:mod:`smokejumper.drills.tabletop`);
this module asks, reads answers and fetches the evidence.

Answers come from the terminal (Rich prompts), from ``--answers FILE`` (a YAML or JSON list in
question order, or a mapping by question key), or, when standard input is not a terminal, from
its lines, one answer a line. With none of these the command stops before the drill starts.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol, TextIO

import yaml
from rich.console import Console
from rich.prompt import Prompt

from smokejumper.cli.console import make_console
from smokejumper.cli.tabletop_reveal import (
    Gathered,
    blast_share,
    reveal,
    reveal_postmortem,
    show_score,
)
from smokejumper.drills.registry import get_scenario
from smokejumper.drills.scenario import Size
from smokejumper.drills.tabletop import (
    QUESTIONS,
    Answer,
    Question,
    judge,
    read_answer,
    scripted_answers,
)
from smokejumper.drills.tabletop_truth import truth_of
from smokejumper.errors import InputError, TabletopAnswerError

if TYPE_CHECKING:
    # The drill runner (scikit-learn) and the server harness (httpx) are imported where a
    # drill runs, so that `smokejumper --help` and `drill list` do not load them.
    from smokejumper.drills.runner import DrillResult
    from smokejumper.harness import ServerHarness

#: How many times the prompt asks one question before it gives up.
TRIES = 5
NO_ANSWERS = (
    "tabletop mode needs answers: run it in a terminal, pass --answers FILE (a YAML or JSON "
    f"list of {len(QUESTIONS)} answers), or pipe the answers on standard input, one a line"
)


class AnswerSource(Protocol):
    """Where the responder's answers come from."""

    def ask(self, console: Console, question: Question) -> Answer:
        """The answer to ``question`` (the question and its choices are already shown)."""
        ...


class Scripted:
    """Answers given in advance (an answers file or piped lines), echoed as they are used.

    >>> from io import StringIO
    >>> Scripted(["3", "most", "8", "rollback"], "a test").ask(Console(file=StringIO()),
    ...                                                        QUESTIONS[0]).key
    'deploys'
    """

    def __init__(self, answers: list[str], origin: str) -> None:
        if len(answers) < len(QUESTIONS):
            raise TabletopAnswerError(
                f"{origin} holds {len(answers)} answer(s); give {len(QUESTIONS)}, one per "
                f"question: {', '.join(q.key for q in QUESTIONS)}"
            )
        self._answers = list(answers)
        self._origin = origin

    def ask(self, console: Console, question: Question) -> Answer:
        text = self._answers.pop(0)
        console.print(f"[bold]> {text}[/]  [dim](from {self._origin})[/]")
        return read_answer(question, text)


class Interactive:
    """Answers typed at a Rich prompt; an answer that is not a choice is asked again, up to
    :data:`TRIES` times. ``stream`` replaces the terminal (tests).

    >>> from io import StringIO
    >>> Interactive(StringIO("9\\n2\\n")).ask(Console(file=StringIO()), QUESTIONS[1]).key
    'small'
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    def ask(self, console: Console, question: Question) -> Answer:
        hint = f"Your answer (1-{len(question.choices)} or your own words)"
        for _ in range(TRIES):
            try:
                text = Prompt.ask(hint, console=console, stream=self._stream)
            except EOFError:
                break
            try:
                return read_answer(question, text)
            except TabletopAnswerError as err:
                console.print(f"[red]{err}[/]")
        raise TabletopAnswerError(
            f"no usable answer to {question.prompt!r}; answer with a number or words, or pass "
            "--answers FILE"
        )


def answer_source(answers: Path | None, stdin: IO[str] | None = None) -> AnswerSource:
    """The answers' source: ``answers`` if given, else the terminal, else the piped lines
    of ``stdin``; a clear error when there is none (before the drill starts)."""
    stdin = sys.stdin if stdin is None else stdin
    if answers is not None:
        return Scripted(scripted_answers(_load(answers)), f"--answers {answers.name}")
    if stdin.isatty():
        return Interactive()
    lines = [line.strip() for line in stdin.read().splitlines() if line.strip()]
    if not lines:
        raise TabletopAnswerError(NO_ANSWERS)
    return Scripted(lines, "standard input")


def _load(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise InputError(f"--answers {path}: cannot read it ({err.strerror or err})") from err
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise TabletopAnswerError(f"--answers {path} is not YAML or JSON: {err}") from err


def gather(server: ServerHarness, result: DrillResult) -> Gathered:
    """What the responder will be shown, read while the drill's server runs: the model's
    alerts, and for its incident the hypotheses (None on a server without diagnosis) and the
    post-mortem draft in Markdown."""
    from smokejumper.drills import reads

    hypotheses = postmortem = None
    with server.admin() as admin:
        alerts = admin.alerts(model=result.score.model)
        if result.incident is not None:
            incident_id = str(result.incident["id"])
            hypotheses = reads.hypotheses(server.url, server.token, incident_id)
            postmortem = admin.postmortem(incident_id, "markdown").decode("utf-8")
    return Gathered(result, alerts, hypotheses, postmortem)


def run_tabletop(name: str, seed: int, size: Size, answers: Path | None) -> None:
    """Run the drill ``name`` and walk the responder through it (see the module docstring)."""
    from smokejumper.drills.runner import DrillServer

    scenario = get_scenario(name)
    source = answer_source(answers)
    console = make_console()
    status = f"Running drill {name} (seed {seed}) through a real server..."
    with console.status(status), DrillServer() as drills:
        result = drills.run(scenario, seed, size, notify_timeout=5.0)
        gathered = gather(drills.server, result)
    console.print(
        f"[bold]Tabletop drill[/] (seed {seed}): you are on call for model "
        f"[bold]{result.score.model}[/]; {result.windows} hours of its traffic just replayed. "
        "Answer each question, then see what Smokejumper gathered.\n"
    )
    truth = truth_of(scenario, blast_share(gathered.incident))
    judged: list[tuple[Question, Answer, bool | None]] = []
    for step, question in enumerate(QUESTIONS, start=1):
        console.rule(f"Step {step} of {len(QUESTIONS) + 1}")
        console.print(f"[bold]{question.prompt}[/]")
        for number, choice in enumerate(question.choices, start=1):
            console.print(f"  {number}. {choice.text}")
        answer = source.ask(console, question)
        verdict = judge(question, answer, truth)
        judged.append((question, answer, verdict))
        reveal(console, question, gathered, scenario, truth, answer, verdict)
    console.rule(f"Step {len(QUESTIONS) + 1} of {len(QUESTIONS) + 1}")
    reveal_postmortem(console, gathered)
    console.rule("Score")
    show_score(console, judged, truth)
