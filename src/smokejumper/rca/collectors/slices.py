"""Slices: which segments degrade most since the onset, from group-bys over the raw rows
around it (:mod:`smokejumper.rca.slicing`), telling "all traffic" from "one segment".

Weights: degradation confined to some versions is a symptom worth :data:`VERSION_WEIGHT`
(supporting a model regression); confined to some values of a segment column, a symptom worth
:data:`SEGMENT_WEIGHT` (supporting a data-quality cause: one source of that segment, and
fairness); spread over all traffic, context worth nothing (it says where, not why).
"""

from __future__ import annotations

from smokejumper.rca.collectors.base import register
from smokejumper.rca.evidence import Evidence, Ref
from smokejumper.rca.inputs import DiagnosisInputs
from smokejumper.rca.slicing import segment_shifts

VERSION_WEIGHT = 1.0
SEGMENT_WEIGHT = 0.6
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
            if model.rows is None or model.rows.num_rows == 0:
                continue
            columns = ("version", *model.segments)
            shifts = segment_shifts(model.rows, columns, inputs.onset)
            for column in columns:
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


def _said(s: dict[str, object]) -> str:
    before, after, shift = s["bad_before"], s["bad_after"], s["prediction_shift"]
    if isinstance(before, float) and isinstance(after, float) and after > before:
        return f"bad rows {before:.0%} -> {after:.0%}"
    if isinstance(shift, float):
        return f"mean prediction moved {shift:+.2f} sd"
    return "significant change"
