"""The blameless check: wording that blames people, with a systemic rephrasing to suggest.

A post-mortem asks what in the system let a failure through, not who failed. This check flags
the usual tells: "human error", counterfactuals ("should have"), judgements of a person
("careless", "negligent", "sloppy"), "forgot", talk of fault and blame, and a person (a
pronoun, a role such as "the engineer", or a name) as the subject of a failure verb. It never
rewrites anything; each :class:`Finding` says where, why, and what to write instead.

>>> [f.rule for f in check("Bob forgot to update the schema; human error.")]
['person-subject', 'human-error']
>>> check("The release checklist had no step that updated the schema.")
()
>>> lint_markdown("ok\\n```\\nshould have\\n```\\nThe on-call engineer was careless.\\n")[0].line
5
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_FAILURE_VERBS = (
    r"forgot|forgets|ignored|ignores|neglected|overlooked|messed up|screwed up|botched|"
    r"didn'?t bother|did not bother|broke|fat-fingered|"
    r"failed to (?:check|notice|test|review|verify|follow|read|update|tell|communicate|"
    r"escalate|monitor|run|validate|look)|"
    r"(?:didn'?t|did not|never) (?:check|notice|test|review|verify|follow|read|update|tell|"
    r"escalate|look|validate)"
)
_ROLES = (
    r"engineer|developer|dev|on-?call(?: engineer| person)?|analyst|data scientist|"
    r"data engineer|intern|operator|reviewer|author|admin|sre|team member|new hire|contractor"
)
#: Capitalised words that start sentences without naming a person.
_NOT_PEOPLE = frozenset(
    [
        "It",
        "This",
        "That",
        "There",
        "These",
        "Those",
        "The",
        "A",
        "An",
        "We",
        "Our",
        "Nobody",
        "Someone",
        "Everyone",
        "Monitoring",
        "Alerting",
        "Nothing",
        "Each",
        "Every",
        "No",
        "One",
        "Airflow",
        "Spark",
        "MLflow",
        "Kafka",
    ]
)


@dataclass(frozen=True)
class Rule:
    """One kind of blaming wording: its ``id``, the ``pattern`` that finds it, why it blames
    (``reason``) and the systemic rephrasing to suggest (``suggestion``)."""

    id: str
    pattern: re.Pattern[str]
    reason: str
    suggestion: str


RULES: tuple[Rule, ...] = (
    Rule(
        "person-subject",
        re.compile(
            rf"\b(?:(?:he|she|they|i|you)|(?:the|our|an?|one|that) (?:{_ROLES})|"
            rf"(?P<name>[A-Z][a-z]+))\s+(?:{_FAILURE_VERBS})\b",
            re.IGNORECASE,
        ),
        "a person is the subject of the failure",
        "make the system the subject: say which check, guard or step was missing, e.g. "
        "'the deploy pipeline had no check that ...'",
    ),
    Rule(
        "human-error",
        re.compile(r"\bhuman[- ]errors?\b|\buser errors?\b|\boperator errors?\b", re.I),
        "'human error' ends the analysis where it should start",
        "name the condition that made the error possible or likely (a missing validation, "
        "an unclear runbook step, a confusing default)",
    ),
    Rule(
        "counterfactual",
        re.compile(r"\b(?:should|could|would|ought to)(?: have|'ve)\b", re.I),
        "a counterfactual judges with hindsight what someone did not know then",
        "say what the process or tooling did not provide at the time, and make the fix an "
        "action item",
    ),
    Rule(
        "judgement",
        re.compile(
            r"\b(?:careless(?:ly|ness)?|negligen(?:t|tly|ce)|sloppy|sloppiness|incompeten(?:t|ce)"
            r"|lazy|laziness|reckless(?:ly|ness)?|stupid(?:ly|ity)?|inattentive|"
            r"irresponsible|clueless)\b",
            re.I,
        ),
        "a judgement of a person, not a fact about the system",
        "describe the conditions instead (time pressure, missing tooling, an unclear "
        "interface) and what would make the right thing the easy thing",
    ),
    Rule(
        "forgot",
        re.compile(r"\b(?:forgot|forgotten|forgetting|forgets)\b", re.I),
        "remembering was the safeguard, so the safeguard was missing",
        "say which step relied on memory and what would do it instead (a checklist item, "
        "an automated check, a reminder)",
    ),
    Rule(
        "blame",
        re.compile(
            r"\b(?:blame[ds]?|blaming|to blame|at fault|fault of|(?:his|her|their|'s) fault|"
            r"culprit|responsible for (?:the )?(?:outage|incident|failure|breakage))\b",
            re.I,
        ),
        "it assigns fault",
        "describe what happened and which parts of the system allowed it",
    ),
)


@dataclass(frozen=True)
class Finding:
    """Blaming wording found at ``line`` and ``column`` (1-based) of a text: the ``phrase``,
    the :class:`Rule` ``rule`` id, ``reason`` and ``suggestion``; ``section`` names where in a
    post-mortem it was found, when it was."""

    rule: str
    phrase: str
    line: int
    column: int
    reason: str
    suggestion: str
    section: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The finding as JSON data."""
        return {
            "rule": self.rule,
            "phrase": self.phrase,
            "line": self.line,
            "column": self.column,
            "reason": self.reason,
            "suggestion": self.suggestion,
            "section": self.section,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        """The finding of :meth:`to_dict`'s data."""
        return cls(**data)

    def __str__(self) -> str:
        where = f"{self.section}: " if self.section else ""
        return (
            f"{where}line {self.line}, column {self.column}: {self.phrase!r}: {self.reason}; "
            f"suggestion: {self.suggestion}"
        )


def check(text: str, section: str | None = None) -> tuple[Finding, ...]:
    """The blaming wording in ``text``, in reading order (see the module docstring)."""
    found: list[Finding] = []
    for number, line in enumerate(text.splitlines() or [text], start=1):
        taken: list[tuple[int, int]] = []  # wording an earlier rule already flagged
        for rule in RULES:
            for match in rule.pattern.finditer(line):
                start, end = match.span()
                if _names_nobody(match) or any(s < end and start < e for s, e in taken):
                    continue
                taken.append((start, end))
                found.append(
                    Finding(
                        rule.id,
                        match.group(0),
                        number,
                        start + 1,
                        rule.reason,
                        rule.suggestion,
                        section,
                    )
                )
    return tuple(sorted(found, key=lambda f: (f.line, f.column)))


def _names_nobody(match: re.Match[str]) -> bool:
    """Whether a capitalised word taken for a name is a word that names no person."""
    name = match.groupdict().get("name")
    return name is not None and (name in _NOT_PEOPLE or not name[0].isupper())


_FENCE = re.compile(r"^\s*(```|~~~)")
_INLINE_CODE = re.compile(r"`[^`]*`")


def lint_markdown(text: str) -> tuple[Finding, ...]:
    """:func:`check` over a Markdown document, skipping fenced code blocks and inline code
    (quoted logs and commands are evidence, not wording); line numbers are the file's."""
    found: list[Finding] = []
    fenced = False
    for number, line in enumerate(text.splitlines(), start=1):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        prose = _INLINE_CODE.sub(lambda m: " " * len(m.group(0)), line)
        found.extend(
            Finding(f.rule, f.phrase, number, f.column, f.reason, f.suggestion)
            for f in check(prose)
        )
    return tuple(found)
