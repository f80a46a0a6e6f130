"""Calibration: the model's scores squeezed (confidence collapsing) while nothing upstream of
the scores moved: the inputs held steady, no model version or alias changed, and the
decisions held (a quality metric stayed healthy: squeezing scores towards the middle keeps
most of them on their side of the threshold). What is left between the model and its answer
is the serving path's score post-processing: a calibration layer loaded wrong, a rebuilt
image, a changed temperature or scaler.

Weights: a candidate (``calibration:<model>``, label model regression) worth :data:`WEIGHT`
times its strength: 1 when the inputs held and quality held, :data:`QUALITY_UNKNOWN` when no
quality metric says, :data:`QUALITY_FELL` when quality fell too (the model itself may be
worse), times :data:`DRIFTED` when inputs drifted (out-of-range inputs lower confidence too).
No candidate when a model change came right before the onset: that change is the candidate.
"""

from __future__ import annotations

from datetime import datetime

from smokejumper.rca.collectors.base import register
from smokejumper.rca.collectors.drift import drifted_columns
from smokejumper.rca.collectors.model import MODEL_KINDS, TAU
from smokejumper.rca.evidence import Cause, Evidence, Ref, proximity
from smokejumper.rca.inputs import DiagnosisInputs, ModelFacts
from smokejumper.rca.series import own_onset

WEIGHT = 1.5
QUALITY_UNKNOWN = 0.8
QUALITY_FELL = 0.5
DRIFTED = 0.4


def _quality(model: ModelFacts, start: datetime) -> tuple[float, str]:
    """How much the quality metrics clear the scores' ranking, and what they say."""
    performance = model.monitors_of("performance")
    judged = [o for rows in performance.values() for o in rows if o.healthy is not None]
    after = [o for o in judged if o.window_start >= start]
    if not after:
        return QUALITY_UNKNOWN, "no quality metric judged since the onset"
    fell = [o for o in after if o.healthy is False]
    if len(fell) * 2 > len(after):
        return QUALITY_FELL, f"quality fell too ({fell[0].monitor})"
    kept = len(after) - len(fell)
    return 1.0, f"quality held ({after[0].monitor} healthy in {kept} of {len(after)} windows)"


@register
class Calibration:
    """Confidence collapsing with the inputs, the model and its quality unchanged."""

    name = "calibration"

    def collect(self, inputs: DiagnosisInputs) -> list[Evidence]:
        """At most one candidate per model."""
        out: list[Evidence] = []
        for model in inputs.models.values():
            start = inputs.onset - model.window
            collapsed = []
            for _monitor, rows in model.monitors_of("confidence").items():
                began = own_onset([(o.window_start, o.healthy is False) for o in rows], start)
                if began is not None:
                    collapsed.append(next(o for o in rows if o.window_start == began))
            if not collapsed:
                continue
            moved = any(
                c.model == model.name
                and c.kind in MODEL_KINDS
                and inputs.since <= c.at
                and proximity(c.at, inputs.onset, TAU, model.window) > 0.05
                for c in inputs.changes
            )
            if moved:
                continue
            drifted = [c["column"] for c in drifted_columns(model, start)]
            held, said = _quality(model, start)
            strength = held * (DRIFTED if drifted else 1.0)
            first = min(collapsed, key=lambda o: o.window_start)
            inputs_said = (
                f"inputs drifted ({', '.join(drifted[:3])})" if drifted else "inputs steady"
            )
            value = f"{first.value:.3g}" if first.value is not None else "out of bounds"
            out.append(
                Evidence(
                    self.name,
                    "scores_squeezed",
                    f"{model.name}: confidence ({first.monitor}) at {value} from "
                    f"{first.window_start:%Y-%m-%d %H:%M} with no model change, {inputs_said}, "
                    f"{said}",
                    round(strength, 6),
                    WEIGHT,
                    cause=Cause(
                        f"calibration:{model.name}",
                        "model_regression",
                        "model",
                        f"a broken calibration layer (score post-processing) in the serving "
                        f"path of {model.name}: its scores collapsed towards the middle "
                        f"(confidence {value}) with no model change, {inputs_said}, {said}",
                        next_step="compare the raw model outputs with the served scores for a "
                        "few requests; check the calibration artefact, scaler or temperature "
                        "the serving image loads and when it was last rebuilt",
                        mitigation="redeploy the last known good serving image or calibration "
                        "artefact; until then, re-derive decision thresholds from the squeezed "
                        "scores or route decisions to a fallback",
                        subject={
                            "model": model.name,
                            "component": "calibration layer",
                            "monitor": first.monitor,
                        },
                    ),
                    refs=tuple(Ref("observation", o.id, o.monitor) for o in collapsed[:3]),
                    at=first.window_start,
                    details={
                        "model": model.name,
                        "value": first.value,
                        "drifted": drifted,
                        "quality": said,
                    },
                )
            )
        return out
