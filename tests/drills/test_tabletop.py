"""Tabletop mode's pure part: the questions, reading answers and judging them against every
scenario's truth."""

from __future__ import annotations

import pytest

from smokejumper.drills.registry import available_scenarios, get_scenario
from smokejumper.drills.scenario import FAULT_KINDS, Scenario
from smokejumper.drills.tabletop import (
    QUESTIONS,
    Answer,
    Question,
    judge,
    mitigation_key,
    read_answer,
    scripted_answers,
    tally,
)
from smokejumper.drills.tabletop_truth import MITIGATIONS, share_bucket, truth_of
from smokejumper.errors import TabletopAnswerError
from smokejumper.incidents.taxonomy import TAXONOMY

FIRST, BLAST, CAUSE, MITIGATION = QUESTIONS


def test_the_questions_come_in_order_with_unique_choices() -> None:
    assert [q.key for q in QUESTIONS] == ["first_check", "blast_radius", "cause", "mitigation"]
    for question in QUESTIONS:
        keys = [c.key for c in question.choices]
        assert len(keys) == len(set(keys)), question.key
    assert {c.key for c in CAUSE.choices} == {"none"} | {t.slug for t in TAXONOMY}


def test_every_fault_kind_has_a_mitigation_that_is_a_choice() -> None:
    choices = {c.key for c in MITIGATION.choices}
    assert set(MITIGATIONS) == set(FAULT_KINDS)
    for kind, (accepted, why) in MITIGATIONS.items():
        assert accepted, kind
        assert set(accepted) <= choices, kind
        assert why, kind


@pytest.mark.parametrize("scenario", available_scenarios(), ids=lambda s: s.name)
def test_every_scenario_has_a_truth_for_every_question(scenario: Scenario) -> None:
    s = scenario
    truth = truth_of(s, share=0.4 if s.truth.incident else None)
    for question in QUESTIONS:
        accepted = truth.accepted(question.key)
        assert set(accepted) <= {c.key for c in question.choices}, question.key
    if s.truth.incident:
        assert truth.first_check, s.name
        assert truth.cause == (s.truth.label,)
        assert truth.blast_radius == ("part",)
        assert "wait" not in truth.mitigation
    else:  # seasonal, drift without harm: nothing to find, nothing to do
        assert truth.first_check == ()
        assert truth.cause == ("none",)
        assert truth.blast_radius == ("none",)
        assert truth.mitigation == ("wait",)


@pytest.mark.parametrize(
    ("name", "first", "cause", "mitigation"),
    [
        ("bad_version", "deploys", "model_regression", "rollback"),
        ("pipeline_failure", "pipelines", "data_quality", "quarantine"),
        ("serving_spike", "serving", "serving_infrastructure", "escalate"),
        ("concept_drift", "outcomes", "concept_drift", "retrain"),
        ("unit_change", "inputs", "schema_change", "quarantine"),
        ("segment_bias", "outcomes", "fairness_bias", "retrain"),
    ],
)
def test_the_best_answers_per_scenario(name: str, first: str, cause: str, mitigation: str) -> None:
    truth = truth_of(get_scenario(name), share=1.0)
    assert truth.first_check[0] == first
    assert truth.cause == (cause,)
    assert truth.mitigation[0] == mitigation
    assert truth.blast_radius == ("most",)


def test_a_number_picks_the_choice_and_a_key_or_its_text_names_it() -> None:
    for question in QUESTIONS:
        for number, choice in enumerate(question.choices, start=1):
            assert read_answer(question, str(number)).key == choice.key
            assert read_answer(question, f" {number}. ").key == choice.key
            assert read_answer(question, choice.key).key == choice.key
            assert read_answer(question, choice.text.upper()).key == choice.key


@pytest.mark.parametrize(
    ("question", "text", "key"),
    [
        (CAUSE, "I think it is concept drift", "concept_drift"),
        (CAUSE, "the inputs drifted: a distribution shift", "data_drift"),
        (CAUSE, "somebody deployed a bad version", "model_regression"),
        (CAUSE, "loan amounts now in cents", "schema_change"),
        (CAUSE, "nulls from the ETL", "data_quality"),
        (CAUSE, "Prior / label shift", "label_shift"),
        (CAUSE, "just a false alarm", "none"),
        (BLAST, "a small slice", "small"),
        (BLAST, "all of it", "most"),
        (BLAST, "about 7 %", "small"),
        (BLAST, "maybe 45% of the predictions", "part"),
        (BLAST, "80%", "most"),
        (FIRST, "I'd look at the feature nulls", "inputs"),
        (FIRST, "the last deploy", "deploys"),
        (FIRST, "p99 latency of the serving pods", "serving"),
        (MITIGATION, "revert to v1", "rollback"),
        (MITIGATION, "recalibrate the scores", "retrain"),
        (MITIGATION, "page the gateway owners", "escalate"),
    ],
)
def test_free_text_names_the_most_specific_choice(question: Question, text: str, key: str) -> None:
    assert read_answer(question, text).key == key


def test_free_text_naming_no_choice_is_kept_and_not_judged() -> None:
    truth = truth_of(get_scenario("volume_drop"), share=1.0)
    answer = read_answer(CAUSE, "  cosmic   rays ")
    assert answer == Answer("cosmic rays", None)
    assert judge(CAUSE, answer, truth) is None


def test_judging_against_the_truth() -> None:
    truth = truth_of(get_scenario("volume_drop"), share=1.0)
    assert judge(CAUSE, read_answer(CAUSE, "data_quality"), truth) is True
    assert judge(CAUSE, read_answer(CAUSE, "data_drift"), truth) is False
    assert judge(MITIGATION, read_answer(MITIGATION, "escalate"), truth) is True
    assert judge(MITIGATION, read_answer(MITIGATION, "roll back"), truth) is False
    assert judge(FIRST, read_answer(FIRST, "pipelines"), truth) is True
    assert judge(FIRST, read_answer(FIRST, "inputs"), truth) is True  # also where it shows
    assert judge(BLAST, read_answer(BLAST, "5%"), truth) is False
    calm = truth_of(get_scenario("seasonal"), share=None)
    assert judge(FIRST, read_answer(FIRST, "inputs"), calm) is None  # nothing to find first
    assert judge(CAUSE, read_answer(CAUSE, "nothing is broken"), calm) is True
    assert judge(MITIGATION, read_answer(MITIGATION, "wait"), calm) is True


@pytest.mark.parametrize("text", ["", "   ", "0", "6", "99"])
def test_an_empty_or_out_of_range_answer_is_refused_by_name(text: str) -> None:
    with pytest.raises(TabletopAnswerError, match="Roll back, quarantine, retrain or wait"):
        read_answer(MITIGATION, text)


def test_share_buckets_edges() -> None:
    assert [share_bucket(s) for s in (0.099, 0.1, 0.5, 0.51)] == ["small", "part", "part", "most"]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("roll back to the last known good model version (smokejumper rollback)", "rollback"),
        ("revert the change, then compare the config before and after", "rollback"),
        ("quarantine the affected data version and fall back to the last good one", "quarantine"),
        (
            "quarantine the affected batches and fall back to the last good data; fix the "
            "producer, then replay",
            "quarantine",
        ),
        (
            "retrain on recent labelled data; lower the model's weight in decisions until then",
            "retrain",
        ),
        ("", None),
    ],
)
def test_a_suggested_mitigation_amounts_to_a_choice(text: str, key: str | None) -> None:
    assert mitigation_key(text) == key


def test_answers_files_as_a_list_or_a_mapping() -> None:
    assert scripted_answers([2, "most", "data_quality", "escalate"]) == [
        "2",
        "most",
        "data_quality",
        "escalate",
    ]
    by_key = {"mitigation": "wait", "cause": 1, "blast_radius": "none", "first_check": 5}
    assert scripted_answers(by_key) == ["5", "none", "1", "wait"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (["1", "2", "3"], "hold 3 answers; give 4"),
        ({"first_check": 1}, "miss blast_radius, cause, mitigation"),
        (
            {"first_check": 1, "blast_radius": 1, "cause": 1, "mitigation": 1, "why": 2},
            "unknown keys why",
        ),
        ("1 2 3 4", "must be a list"),
        (None, "must be a list"),
        (["1", "2", ["3"], True], r"answers \[3, 4\] are not text or numbers"),
    ],
)
def test_bad_answers_files_are_refused_by_name(data: object, message: str) -> None:
    with pytest.raises(TabletopAnswerError, match=message):
        scripted_answers(data)


def test_tally_counts_only_judged_answers() -> None:
    assert tally([None, None]) == (
        "0 of 0 judged answers right (2 not judged: free text or no truth to judge by)"
    )
    assert tally([True, False, False, True]) == "2 of 4 judged answers right"
