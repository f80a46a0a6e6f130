"""Tabletop mode, its pure part: the questions put to a responder, reading their answers, and
judging them against the drill's truth (and against what the product measured).

A tabletop walk asks four questions, each answered by a choice's number, its key, a few words
or free text, and judged where a truth exists (:func:`judge`):

>>> cause = QUESTIONS[2]
>>> read_answer(cause, "5").key, read_answer(cause, "a pipeline broke upstream").key
('data_quality', 'data_quality')
>>> read_answer(cause, "cosmic rays").key is None
True
>>> from smokejumper.drills.registry import get_scenario
>>> from smokejumper.drills.tabletop_truth import truth_of
>>> truth = truth_of(get_scenario("bad_version"), share=0.5)
>>> truth.first_check, truth.cause, truth.mitigation
(('deploys',), ('model_regression',), ('rollback',))
>>> judge(QUESTIONS[3], read_answer(QUESTIONS[3], "roll back to v1"), truth)
True
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from smokejumper.drills.tabletop_truth import TabletopTruth, share_bucket
from smokejumper.errors import TabletopAnswerError
from smokejumper.incidents.taxonomy import TAXONOMY


@dataclass(frozen=True)
class Choice:
    """One choice of a question: its ``key`` (what is judged), its ``text`` and the ``words``
    that name it in a free-text answer.

    >>> QUESTIONS[3].choices[0].key, QUESTIONS[3].choices[0].words
    ('rollback', ('roll back', 'rollback', 'revert'))
    """

    key: str
    text: str
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    """A question of the walk: its ``key``, the ``prompt`` and the numbered ``choices``.

    >>> QUESTIONS[0].key, len(QUESTIONS[0].choices)
    ('first_check', 5)
    """

    key: str
    prompt: str
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class Answer:
    """What the responder said (``text``) and the choice it names (``key``; None when the
    free text names none, so it is shown but not judged).

    >>> read_answer(QUESTIONS[1], "half of it, 50%")
    Answer(text='half of it, 50%', key='part')
    """

    text: str
    key: str | None


_CAUSE_WORDS: dict[str, tuple[str, ...]] = {
    "data_drift": ("drift", "covariate", "distribution", "shift in the inputs"),
    "label_shift": ("prior", "label shift", "more defaults", "base rate"),
    "concept_drift": ("concept", "world changed", "relationship"),
    "data_quality": ("pipeline", "null", "missing", "quality", "volume", "stale", "etl"),
    "schema_change": ("schema", "unit", "cents", "renamed", "rescaled"),
    "model_regression": ("deploy", "version", "alias", "regression", "bad model"),
    "serving_infrastructure": ("latency", "timeout", "serving", "5xx", "errors"),
    "fairness_bias": ("bias", "fairness", "unfair"),
}

QUESTIONS: tuple[Question, ...] = (
    Question(
        "first_check",
        "An alert fired: what do you check first?",
        (
            Choice("inputs", "the model's inputs (features, drift, nulls)", ("input", "feature")),
            Choice("pipelines", "the upstream pipelines and their runs", ("pipeline", "etl")),
            Choice("deploys", "recent deploys and alias moves", ("deploy", "alias", "version")),
            Choice("serving", "the serving layer (latency, errors)", ("serving", "latency")),
            Choice("outcomes", "the outcomes: labels and accuracy", ("label", "accuracy")),
        ),
    ),
    Question(
        "blast_radius",
        "How bad is it: what is the blast radius?",
        (
            Choice("none", "nothing is affected", ("nothing", "none", "no impact")),
            Choice("small", "a small slice: under 10% of predictions", ("small", "slice")),
            Choice("part", "a good part: 10% to 50%", ("part", "some")),
            Choice("most", "most or all traffic: over 50%", ("most", "all", "everything")),
        ),
    ),
    Question(
        "cause",
        "What do you think the cause is?",
        (
            Choice("none", "nothing is broken: an expected pattern", ("nothing", "false alarm")),
            *(Choice(t.slug, t.name, _CAUSE_WORDS.get(t.slug, ())) for t in TAXONOMY),
        ),
    ),
    Question(
        "mitigation",
        "Roll back, quarantine, retrain or wait?",
        (
            Choice("rollback", "roll back the model version", ("roll back", "rollback", "revert")),
            Choice("quarantine", "quarantine the bad data", ("quarantine", "contain")),
            Choice("retrain", "retrain (or recalibrate) on recent data", ("retrain", "recalib")),
            Choice(
                "escalate",
                "fix it at the source: page the upstream or serving owners",
                ("escalate", "fix", "page", "owner", "scale"),
            ),
            Choice("wait", "wait and watch: no action", ("wait", "watch", "nothing")),
        ),
    ),
)


def read_answer(question: Question, text: str) -> Answer:
    """The choice ``text`` names: its number, its key or text, a percentage (the blast
    radius), or the choice whose longest word it holds (the most specific). Free text naming
    nothing keeps ``key`` None.

    >>> read_answer(QUESTIONS[1], "about 30% of them").key
    'part'
    >>> read_answer(QUESTIONS[3], "9")
    Traceback (most recent call last):
    ...
    smokejumper.errors.TabletopAnswerError: answer '9' to 'Roll back, quarantine, retrain or \
wait?' is not a choice: use 1 to 5 or words
    """
    said = " ".join(str(text).split())
    if not said:
        raise TabletopAnswerError(f"no answer to {question.prompt!r}: give a number or words")
    lowered = said.lower()
    if said.rstrip(".)").isdigit():
        number = int(said.rstrip(".)"))
        if not 1 <= number <= len(question.choices):
            raise TabletopAnswerError(
                f"answer {said!r} to {question.prompt!r} is not a choice: "
                f"use 1 to {len(question.choices)} or words"
            )
        return Answer(said, question.choices[number - 1].key)
    for choice in question.choices:
        if lowered in (choice.key, choice.key.replace("_", " "), choice.text.lower()):
            return Answer(said, choice.key)
    percent = re.search(r"(\d+(?:\.\d+)?)\s*%", lowered)
    if question.key == "blast_radius" and percent:
        return Answer(said, share_bucket(float(percent.group(1)) / 100))
    return Answer(said, _named(question, lowered))


def _named(question: Question, lowered: str) -> str | None:
    """The choice whose longest word (or key, or text) starts a word of ``lowered``."""
    best: tuple[int, str] | None = None
    for choice in question.choices:
        words = (*choice.words, choice.key.replace("_", " "), choice.text.lower())
        for word in words:
            found = re.search(rf"\b{re.escape(word)}", lowered)
            if found and (best is None or len(word) > best[0]):
                best = (len(word), choice.key)
    return None if best is None else best[1]


def judge(question: Question, answer: Answer, truth: TabletopTruth) -> bool | None:
    """Whether ``answer`` is right (None: nothing to judge, no truth or free text)."""
    accepted = truth.accepted(question.key)
    if not accepted or answer.key is None:
        return None
    return answer.key in accepted


def tally(verdicts: Sequence[bool | None]) -> str:
    """The score line of a walk's verdicts.

    >>> tally([True, False, True, None])
    '2 of 3 judged answers right (1 not judged: free text or no truth to judge by)'
    >>> tally([True, True, True, True])
    '4 of 4 judged answers right'
    """
    judged = [v for v in verdicts if v is not None]
    line = f"{sum(judged)} of {len(judged)} judged answers right"
    skipped = len(verdicts) - len(judged)
    if skipped:
        line += f" ({skipped} not judged: free text or no truth to judge by)"
    return line


def mitigation_key(text: str) -> str | None:
    """The mitigation choice a suggested mitigation (a hypothesis's text) amounts to.

    >>> mitigation_key("roll back to the last known good model version (smokejumper rollback)")
    'rollback'
    >>> mitigation_key("quarantine the affected batches and fall back to the last good data")
    'quarantine'
    """
    return read_answer(QUESTIONS[3], text).key if text.strip() else None


def scripted_answers(data: Any) -> list[str]:
    """The answers of an answers file: a list in question order, or a mapping by question key.

    >>> scripted_answers({"first_check": 2, "blast_radius": "most", "cause": "data_quality",
    ...                   "mitigation": "quarantine"})
    ['2', 'most', 'data_quality', 'quarantine']
    >>> scripted_answers(["1", "2"])
    Traceback (most recent call last):
    ...
    smokejumper.errors.TabletopAnswerError: the answers hold 2 answers; give 4, one per \
question: first_check, blast_radius, cause, mitigation
    """
    keys = [q.key for q in QUESTIONS]
    if isinstance(data, Mapping):
        missing = [k for k in keys if k not in data]
        unknown = sorted(str(k) for k in data if k not in keys)
        if missing or unknown:
            raise TabletopAnswerError(
                f"the answers miss {', '.join(missing) or 'nothing'} and hold unknown keys "
                f"{', '.join(unknown) or 'none'}; use the keys: {', '.join(keys)}"
            )
        data = [data[k] for k in keys]
    if not isinstance(data, Sequence) or isinstance(data, str | bytes):
        raise TabletopAnswerError(
            f"the answers must be a list (one per question) or a mapping of {', '.join(keys)}"
        )
    if len(data) != len(keys):
        raise TabletopAnswerError(
            f"the answers hold {len(data)} answers; give {len(keys)}, one per question: "
            f"{', '.join(keys)}"
        )
    bad = [i + 1 for i, a in enumerate(data) if not isinstance(a, str | int) or isinstance(a, bool)]
    if bad:
        raise TabletopAnswerError(f"answers {bad} are not text or numbers")
    return [str(a) for a in data]
