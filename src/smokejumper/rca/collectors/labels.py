"""Labels: the ground truth logged for the windows around the onset, read for a prior (label)
shift (:mod:`smokejumper.rca.labelling`): the outcomes' mix moved while each class's
predictions held and the predictions moved as the new mix implies.

Weights: the labels' class shares moving (chi-squared, p under :data:`ALPHA` and a class's
share moving by :data:`MIN_MOVE` or more) is a symptom worth :data:`MOVED_WEIGHT` (strength:
Cramér's V over :data:`FULL_V`), supporting a prior shift and concept drift (the two causes
that move the outcomes themselves). When each class's predictions also held, a prior shift is
a candidate (``label_shift:<model>``) worth :data:`CAUSE_WEIGHT` times how clearly they held
and how much of the predictions' move the new mix explains; the same strength makes a
symptom worth :data:`EXPLAINED_WEIGHT` that refutes data drift, training-serving skew and an
unspecified external change: the inputs moved only as far as the outcomes' mix carried them,
so they need no cause of their own.
"""

from __future__ import annotations

import math

from smokejumper.rca.collectors.base import register
from smokejumper.rca.evidence import Cause, Evidence, Ref, clamp
from smokejumper.rca.inputs import DiagnosisInputs, ModelFacts
from smokejumper.rca.labelling import LabelComparison, compare_labels

MOVED_WEIGHT = 1.0
CAUSE_WEIGHT = 2.5
EXPLAINED_WEIGHT = 1.0
ALPHA = 0.001
MIN_MOVE = 0.05
FULL_V = 0.2
#: The ratio of the predictions' move to the implied one counts fully within ``1/EXPLAINED``
#: to ``EXPLAINED`` and not at all beyond ``1/UNEXPLAINED`` to ``UNEXPLAINED``.
EXPLAINED = 1.25
UNEXPLAINED = 1.6


def explained_strength(ratio: float | None) -> float:
    """How well the predictions' move matches the one the new mix implies (see the module
    docstring); 0.5 when it cannot say (class predictions, or a mix that implies no move).

    >>> [round(explained_strength(r), 2) for r in (1.0, 1.2, 1.4, 0.5, -1.0)]
    [1.0, 1.0, 0.54, 0.0, 0.0]
    >>> explained_strength(None)
    0.5
    """
    if ratio is None:
        return 0.5
    if ratio <= 0:
        return 0.0
    off = abs(math.log(ratio))
    full, none = math.log(EXPLAINED), math.log(UNEXPLAINED)
    return clamp((none - off) / (none - full))


@register
class LabelShift:
    """The labels' class mix around the onset, and whether each class held."""

    name = "labels"

    def collect(self, inputs: DiagnosisInputs) -> list[Evidence]:
        """Per model with labels each side of the onset: their move, and a prior shift."""
        out: list[Evidence] = []
        for model in inputs.models.values():
            if model.labelled is None:
                continue
            found = compare_labels(model.labelled, inputs.onset)
            if found is None or found.p_value >= ALPHA:
                continue
            if abs(found.share_after - found.share_before) < MIN_MOVE:
                continue
            out += self._evidence(model, inputs, found)
        return out

    def _evidence(
        self, model: ModelFacts, inputs: DiagnosisInputs, found: LabelComparison
    ) -> list[Evidence]:
        onset = inputs.onset
        refs = (
            Ref("window", (onset - model.window).isoformat(), "labels before the onset"),
            Ref("window", onset.isoformat(), "labels from the onset"),
        )
        mix = (
            f"label {found.moved} in {found.share_before:.0%} of the labelled predictions "
            f"before the onset, {found.share_after:.0%} since"
        )
        details = {
            "model": model.name,
            "classes": list(found.classes),
            "before": list(found.counts_before),
            "after": list(found.counts_after),
            "chi2": round(found.statistic, 4),
            "p_value": found.p_value,
            "cramers_v": round(found.cramers_v, 4),
            "per_class": {c.label: round(c.shift, 4) for c in found.per_class},
            "mean_prediction": [
                None if x is None else round(x, 4)
                for x in (found.mean_before, found.mean_after, found.mean_implied)
            ],
            "explained": None if found.explained is None else round(found.explained, 4),
        }
        out = [
            Evidence(
                self.name,
                "labels_moved",
                f"{model.name}: {mix} (chi-squared {found.statistic:.1f}, "
                f"p={found.p_value:.2g}, Cramér's V {found.cramers_v:.2f})",
                clamp(found.cramers_v / FULL_V),
                MOVED_WEIGHT,
                supports=("label_shift", "concept_drift"),
                refs=refs,
                at=onset,
                details=details,
            )
        ]
        strength = round(found.held * explained_strength(found.explained), 6)
        if strength <= 0:
            return out
        held = f"each class's predictions held (largest standardised shift {found.worst_shift:.2f})"
        moved = ""
        if found.explained is not None and found.mean_before is not None:
            moved = (
                f"; the mean prediction went from {found.mean_before:.3f} to "
                f"{found.mean_after:.3f}, {found.explained:.0%} of the move the new mix implies"
            )
        out.append(
            Evidence(
                self.name,
                "prior_shift",
                f"{model.name}: {mix}; {held}{moved}",
                strength,
                CAUSE_WEIGHT,
                cause=Cause(
                    f"label_shift:{model.name}",
                    "label_shift",
                    "external",
                    f"prior (label) shift: {mix}; within each class the predictions moved "
                    f"by at most {found.worst_shift:.2f} standard deviations",
                    next_step="check why the outcomes' mix moved (season, market, a change in "
                    "who is referred); compare the labels by segment; confirm the inputs moved "
                    "only as the outcomes' mix implies",
                    mitigation="recalibrate the scores or adjust the decision threshold to the "
                    "new base rate; retrain with recent labels if it lasts",
                    subject={
                        "model": model.name,
                        "label": found.moved,
                        "share_before": round(found.share_before, 4),
                        "share_after": round(found.share_after, 4),
                    },
                ),
                refs=refs,
                at=onset,
                details=details,
            )
        )
        out.append(
            Evidence(
                self.name,
                "drift_explained_by_labels",
                f"{model.name}: the inputs and predictions moved as the new outcome mix "
                f"implies ({held})",
                strength,
                EXPLAINED_WEIGHT,
                refutes=("data_drift", "training_serving_skew", "external_change"),
                refs=refs,
                at=onset,
                details={"model": model.name, "strength": strength},
            )
        )
        return out
