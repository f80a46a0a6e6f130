"""The blameless check: blaming sentences are flagged with a suggestion, their systemic
rephrasings pass, and ordinary incident prose (systems failing, people acting) is left alone."""

from __future__ import annotations

import pytest

from smokejumper.postmortems.blameless import RULES, check, lint_markdown

BLAMING = [
    ("The on-call engineer ignored the first alert.", "person-subject"),
    ("She failed to check the row count before the deploy.", "person-subject"),
    ("Bob forgot to bump the feature-store snapshot.", "person-subject"),
    ("This was caused by human error.", "human-error"),
    ("We should have caught the schema change in review.", "counterfactual"),
    ("The rollout could've waited for the canary.", "counterfactual"),
    ("A careless config edit disabled the monitor.", "judgement"),
    ("The negligent handling of the backfill broke training.", "judgement"),
    ("The threshold was forgotten after the migration.", "forgot"),
    ("It was the data team's fault.", "blame"),
    ("Nobody wants to blame anyone, but the intern broke prod.", "blame"),
]

SYSTEMIC = [
    "The deploy pipeline had no check of the snapshot's row count.",
    "Airflow failed to start the task after the scheduler restart.",
    "The job broke because the upstream table was empty.",
    "It broke at 03:00 when the partition rolled over.",
    "Ana deployed v7 at 14:02 and rolled it back at 14:20.",
    "The alert fired 4 minutes after the onset and was acknowledged 2 minutes later.",
    "The release checklist has no step for re-registering the reference.",
    "Spark failed to read the partition written by the new writer.",
]


@pytest.mark.parametrize(("sentence", "rule"), BLAMING)
def test_a_blaming_sentence_is_flagged_with_a_suggestion(sentence: str, rule: str) -> None:
    found = check(sentence)
    assert rule in [f.rule for f in found]
    for finding in found:
        assert finding.phrase.lower() in sentence.lower()
        assert sentence[finding.column - 1 :].startswith(finding.phrase)
        assert finding.suggestion


@pytest.mark.parametrize("sentence", SYSTEMIC)
def test_systemic_wording_passes(sentence: str) -> None:
    assert check(sentence) == ()


def test_one_phrase_is_one_finding_and_lines_are_counted() -> None:
    found = check("Fine.\nThe engineer forgot the flag.")
    assert [(f.rule, f.line, f.column) for f in found] == [("person-subject", 2, 1)]


def test_every_rule_has_a_reason_and_a_suggestion() -> None:
    assert len({r.id for r in RULES}) == len(RULES)
    for rule in RULES:
        assert rule.reason
        assert rule.suggestion


def test_lint_skips_code_and_counts_file_lines() -> None:
    document = "\n".join(
        [
            "# Post-mortem",
            "```",
            "ERROR human error in operator log",
            "```",
            "The log line `should have` is quoted.",
            "We should have paged earlier.",
        ]
    )
    found = lint_markdown(document)
    assert [(f.rule, f.line) for f in found] == [("counterfactual", 6)]
    assert str(found[0]).startswith("line 6, column 4: 'should have'")
