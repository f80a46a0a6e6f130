"""Tabletop mode: what a responder should answer in a scenario, from its truth (the root-cause
component, the taxonomy label, the fault kind) and from the blast radius the product measured.
Pure; the questions and the judging are in :mod:`smokejumper.drills.tabletop`.

>>> from smokejumper.drills.registry import get_scenario
>>> truth = truth_of(get_scenario("pipeline_failure"), share=1.0)
>>> truth.first_check, truth.blast_radius, truth.cause, truth.mitigation
(('pipelines', 'inputs'), ('most',), ('data_quality',), ('quarantine', 'escalate'))
"""

from __future__ import annotations

from dataclasses import dataclass

from smokejumper.drills.scenario import Scenario

#: Where the root cause of each kind of component is found first.
_AREAS: dict[str, tuple[str, ...]] = {
    "feature": ("inputs", "pipelines"),
    "pipeline": ("pipelines", "inputs"),
    "version": ("deploys",),
    "serving": ("serving",),
    "world": ("outcomes",),
    "segment": ("outcomes",),
    "none": (),
}

#: What a team should do for each kind of fault, and why (the first key is the best answer).
MITIGATIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "covariate_shift": (("retrain",), "the inputs moved for good: retrain on recent data"),
    "pipeline_nulls": (
        ("quarantine", "escalate"),
        "quarantine the broken data version and have the pipeline fixed and replayed",
    ),
    "rescale": (("quarantine", "escalate"), "quarantine the rows in the wrong unit; fix upstream"),
    "new_category": (("retrain",), "the model never saw the new region: retrain with it"),
    "frozen": (("quarantine", "escalate"), "contain the frozen values; fix the feature store"),
    "volume_drop": (("escalate",), "the model is fine: the gateway that lost traffic is not"),
    "concept_drift": (("retrain",), "the world changed: retrain on recent labelled data"),
    "label_shift": (("retrain",), "the base rate moved: retrain or recalibrate"),
    "segment_concept": (
        ("retrain",),
        "the world changed for one group: retrain with its recent labelled data (review its "
        "decisions by hand until then)",
    ),
    "bad_version": (("rollback",), "roll the alias back to the last known good version"),
    "serving_spike": (("escalate",), "the model server is failing: its owners must fix it"),
    "confidence_collapse": (
        ("rollback", "escalate"),
        "roll back the serving change that broke the calibration layer",
    ),
}
_NO_ACTION = (("wait",), "nothing harmful happened: watch, do not act")


@dataclass(frozen=True)
class TabletopTruth:
    """The accepted answer keys of each question (empty: not judged), and why the mitigation.

    >>> from smokejumper.drills.registry import get_scenario
    >>> truth = truth_of(get_scenario("seasonal"), share=None)
    >>> truth.accepted("cause"), truth.accepted("first_check"), truth.mitigation_why
    (('none',), (), 'nothing harmful happened: watch, do not act')
    """

    first_check: tuple[str, ...]
    blast_radius: tuple[str, ...]
    cause: tuple[str, ...]
    mitigation: tuple[str, ...]
    mitigation_why: str

    def accepted(self, question: str) -> tuple[str, ...]:
        """The answer keys judged right for the question of that key."""
        return tuple(getattr(self, question))


def share_bucket(share: float | None) -> str:
    """The blast-radius choice a share of affected predictions falls in.

    >>> [share_bucket(s) for s in (None, 0.0, 0.04, 0.3, 1.0)]
    ['none', 'none', 'small', 'part', 'most']
    """
    if share is None or share <= 0:
        return "none"
    return "small" if share < 0.1 else "part" if share <= 0.5 else "most"


def truth_of(scenario: Scenario, share: float | None) -> TabletopTruth:
    """What the responder should answer in ``scenario``, where ``share`` is the share of
    predictions the incident's blast radius measured (None: no incident opened)."""
    harmful = scenario.fault is not None and scenario.truth.incident
    if harmful and scenario.fault is not None:
        mitigation, why = MITIGATIONS[scenario.fault.kind]
    else:
        mitigation, why = _NO_ACTION
    label = scenario.truth.label
    return TabletopTruth(
        first_check=_AREAS[scenario.truth.component.kind] if harmful else (),
        blast_radius=(share_bucket(share),),
        cause=(label,) if harmful and label else ("none",),
        mitigation=mitigation,
        mitigation_why=why,
    )
