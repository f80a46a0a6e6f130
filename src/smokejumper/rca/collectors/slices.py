"""Slices: which segments degrade most since the onset, from group-bys over the raw rows
around it (:mod:`smokejumper.rca.slicing`), telling "all traffic" from "one segment".

Weights: degradation confined to some versions is a symptom worth :data:`VERSION_WEIGHT`
(supporting a model regression); confined to some values of a segment column, a symptom worth
:data:`SEGMENT_WEIGHT` (supporting a data-quality cause: one source of that segment, and
fairness); spread over all traffic, context worth nothing (it says where, not why).

The model's **errors** (the labelled rows) are read apart: errors that rose in one value of a
segment column and significantly more than in its other values (and in fewer than
:data:`ALL` of the values) name a cause, bias emerging in that segment (``fairness_bias``),
worth :data:`BIAS_WEIGHT`, with a symptom worth :data:`CONFINED_WEIGHT` refuting concept
drift (the world changed for everyone) and supporting the bias; errors that rose alike in
every value are context (all traffic), as above.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from smokejumper.rca.collectors.base import register
from smokejumper.rca.evidence import Cause, Evidence, Ref
from smokejumper.rca.inputs import DiagnosisInputs, ModelFacts
from smokejumper.rca.slicing import group_errors, segment_shifts

VERSION_WEIGHT = 1.0
SEGMENT_WEIGHT = 0.6
BIAS_WEIGHT = 2.0
CONFINED_WEIGHT = 1.0
#: At least this share of the values tested degrading is "all traffic".
ALL = 0.7


@register
class Slices:
    """Which segments (and versions) degrade since the onset."""

    name = "slices"

    def collect(self, inputs: DiagnosisInputs) -> list[Evidence]:
        """Per model and slicing column: where the degradation sits."""
        out: list[Evidence] = []
        for model in inputs.models.values():
            shifts: list[dict[str, Any]] = []
            columns = ("version", *model.segments)
            if model.rows is not None and model.rows.num_rows:
                shifts = segment_shifts(model.rows, columns, inputs.onset)
            for column in model.segments:
                found = self._errors(model, column, shifts, inputs.onset, "its raw rows")
                if not any(e.cause for e in found):  # the fairness monitor's own onset
                    judged = _monitored(model, column)
                    if judged:
                        at = datetime.fromisoformat(judged[0]["onset"])
                        found = self._errors(model, column, judged, at, "its fairness monitor")
                out += found
            for column in columns if shifts else ():
                tested = [s for s in shifts if s["column"] == column and s["tested"]]
                worse = [s for s in tested if s["significant"]]
                if not worse or len(tested) < 2:
                    continue  # nothing degraded, or nothing to set it against
                worse.sort(key=lambda s: (s["p_value"], -(s["bad_after"] or 0.0)))
                names = [f"{column}={s['value']}" for s in worse]
                refs = tuple(Ref("segment", n) for n in names[:5])
                facts = {
                    "model": model.name,
                    "column": column,
                    "segments": worse,
                    "tested": len(tested),
                }
                if len(worse) >= ALL * len(tested):
                    out.append(
                        Evidence(
                            self.name,
                            "all_traffic",
                            f"{model.name}: every {column} degraded alike ({len(worse)} of "
                            f"{len(tested)} values): all traffic, not one segment",
                            1.0,
                            0.0,
                            refs=refs,
                            at=inputs.onset,
                            details=facts,
                        )
                    )
                    continue
                top = worse[0]
                what = _said(top)
                weight = VERSION_WEIGHT if column == "version" else SEGMENT_WEIGHT
                supports = (
                    ("model_regression",)
                    if column == "version"
                    else ("data_quality", "fairness_bias")
                )
                out.append(
                    Evidence(
                        self.name,
                        "segment_degraded",
                        f"{model.name}: only {', '.join(names[:3])} degraded ({what}); "
                        f"{len(tested) - len(worse)} of {len(tested)} {column} values held",
                        1.0 - len(worse) / max(len(tested), 1) / 2,
                        weight,
                        supports=supports,
                        refs=refs,
                        at=inputs.onset,
                        details=facts,
                    )
                )
        return out

    def _errors(
        self,
        model: ModelFacts,
        column: str,
        shifts: list[dict[str, Any]],
        onset: datetime,
        source: str,
    ) -> list[Evidence]:
        """Whether the model's errors rose in one value of ``column`` only, or in all alike
        (``shifts`` judged from ``source``, split at ``onset``)."""
        tested = [s for s in shifts if s["column"] == column and s.get("errors_tested")]
        alone = [s for s in tested if s["errors_alone"]]
        rose = [s for s in tested if s["errors_rose"]]
        if not rose or len(tested) < 2:
            return []
        facts = {"model": model.name, "column": column, "tested": len(tested), "from": source}
        if not alone or len(rose) >= ALL * len(tested):
            return [
                Evidence(
                    self.name,
                    "errors_all_traffic",
                    f"{model.name}: errors rose in {len(rose)} of {len(tested)} {column} values "
                    "alike: all traffic, not one segment",
                    1.0,
                    0.0,
                    refs=tuple(Ref("segment", f"{column}={s['value']}") for s in rose[:5]),
                    at=onset,
                    details=facts | {"segments": rose},
                )
            ]
        out = []
        alone.sort(key=lambda s: (s["p_errors_alone"], -(s["errors_after"] or 0.0)))
        for s in alone[:3]:
            segment = f"{column}={s['value']}"
            said = (
                f"errors {s['errors_before']:.0%} -> {s['errors_after']:.0%} of its labelled "
                f"predictions, the other {column} values {s['rest_errors_before']:.0%} -> "
                f"{s['rest_errors_after']:.0%}"
            )
            refs = (Ref("segment", segment),)
            details = facts | {"segment": s}
            cause = Cause(
                f"segment:{model.name}:{segment}",
                "fairness_bias",
                "model",
                f"bias emerging in {segment}: {model.name} errs more there only ({said})",
                next_step=f"compare {segment}'s labelled predictions since the onset with the "
                "other segments': which features and outcomes changed for that group, and who "
                "it affects",
                mitigation=f"review decisions for {segment} by hand or hold them; retrain with "
                "recent labelled data of that group, and check the fix by segment",
                subject={"model": model.name, "segment": segment},
            )
            out.append(
                Evidence(
                    self.name,
                    "segment_errors",
                    f"{model.name}: only {segment} got worse ({said}; from {source})",
                    1.0,
                    BIAS_WEIGHT,
                    cause=cause,
                    refs=refs,
                    at=onset,
                    details=details,
                )
            )
        top = alone[0]
        out.append(
            Evidence(
                self.name,
                "errors_confined",
                f"{model.name}: errors rose in {len(alone)} of {len(tested)} {column} values "
                f"only ({column}={top['value']} first), the others held: not a change for all "
                "traffic",
                1.0,
                CONFINED_WEIGHT,
                supports=("fairness_bias",),
                refutes=("concept_drift",),
                refs=tuple(Ref("segment", f"{column}={s['value']}") for s in alone[:5]),
                at=onset,
                details=facts | {"segments": alone},
            )
        )
        return out


def _monitored(model: ModelFacts, column: str) -> list[dict[str, Any]]:
    """The errors by value of ``column`` as the model's fairness monitors on it saw them (the
    accuracy gap's per-group counts), split at the monitor's own onset: the first monitor
    that finds errors confined to one value, else nothing."""
    for observed in model.monitors_of("fairness").values():
        windows = [
            (o.window_start, o.healthy, o.details)
            for o in observed
            if o.details.get("segment") == column
        ]
        judged = group_errors(windows, column)
        if any(j["errors_alone"] for j in judged):
            return judged
    return []


def _said(s: dict[str, object]) -> str:
    before, after, shift = s["bad_before"], s["bad_after"], s["prediction_shift"]
    if isinstance(before, float) and isinstance(after, float) and after > before:
        return f"bad rows {before:.0%} -> {after:.0%}"
    if isinstance(shift, float):
        return f"mean prediction moved {shift:+.2f} sd"
    return "significant change"
