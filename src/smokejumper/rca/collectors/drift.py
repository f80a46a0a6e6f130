"""Drift attribution: which features moved, by how much, and each feature's own onset window,
from the feature-drift monitors' observations (their per-column details).

Weights: each drifted feature is a symptom worth :data:`FEATURE_WEIGHT` at full strength
(strength: the share of windows since its own onset that stayed drifted, at least a half),
supporting data drift, an external change and training-serving skew; a drifted prediction
column (prediction-drift monitors) is worth :data:`PREDICTION_WEIGHT`. The model's drift as a
whole is a candidate cause (``drift:<model>``) worth :data:`CAUSE_WEIGHT`, stronger as more
of the features moved; it names the feature with the largest effect first (its ``subject``'s
``feature``), since that is where an on-call person looks first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from smokejumper.rca.collectors.base import register
from smokejumper.rca.evidence import Cause, Evidence, Ref, clamp
from smokejumper.rca.inputs import DiagnosisInputs, ModelFacts, Observed
from smokejumper.rca.series import own_onset, short_list

FEATURE_WEIGHT = 0.5
PREDICTION_WEIGHT = 0.4
CAUSE_WEIGHT = 1.0
#: Drifted features listed as evidence of their own (the strongest first); the rest are
#: counted in the cause's details.
LISTED = 10
SUPPORTS = ("data_drift", "external_change", "training_serving_skew")


def drifted_columns(model: ModelFacts, onset: datetime) -> list[dict[str, Any]]:
    """Each feature drifted from ``onset`` on: ``{column, onset, effect_size, method,
    persistence, refs}``, the largest effect first."""
    per_column: dict[str, list[tuple[Observed, dict[str, Any]]]] = {}
    for observed in model.monitors_of("feature_drift").values():
        for o in observed:
            for name, facts in (o.details.get("columns") or {}).items():
                if isinstance(facts, dict):
                    per_column.setdefault(name, []).append((o, facts))
    found = []
    for name, rows in per_column.items():
        flags = [(o.window_start, bool(f.get("drift"))) for o, f in rows]
        start = own_onset(flags, onset)
        if start is None:
            continue
        since = [(o, f) for o, f in rows if o.window_start >= start]
        drifted = [(o, f) for o, f in since if f.get("drift")]
        effects = [float(f["effect_size"]) for _, f in drifted if f.get("effect_size") is not None]
        strongest = max(drifted, key=lambda r: float(r[1].get("effect_size") or 0.0))
        found.append(
            {
                "column": name,
                "onset": start,
                "effect_size": max(effects) if effects else None,
                "method": strongest[1].get("method"),
                "persistence": len(drifted) / len(since),
                "refs": (
                    Ref("observation", drifted[0][0].id, f"{drifted[0][0].monitor} {name}"),
                    Ref("observation", strongest[0].id, f"largest effect of {name}"),
                ),
            }
        )
    return sorted(found, key=lambda c: (-(c["effect_size"] or 0.0), c["column"]))


@register
class DriftAttribution:
    """Which features drifted since the onset, by how much, from when."""

    name = "drift"

    def collect(self, inputs: DiagnosisInputs) -> list[Evidence]:
        """Per model: its drifted features, its drifted predictions, its drift as a cause."""
        out: list[Evidence] = []
        for model in inputs.models.values():
            columns = drifted_columns(model, inputs.onset - model.window)
            for c in columns[:LISTED]:
                effect = c["effect_size"]
                out.append(
                    Evidence(
                        self.name,
                        "feature_drift",
                        f"{model.name}: {c['column']} drifted from {c['onset']:%Y-%m-%d %H:%M}"
                        + (f" (effect size {effect:.3g}, {c['method']})" if effect else ""),
                        clamp(0.5 + 0.5 * c["persistence"]),
                        FEATURE_WEIGHT,
                        supports=SUPPORTS,
                        refs=tuple(dict.fromkeys(c["refs"])),
                        at=c["onset"],
                        details={
                            "model": model.name,
                            "column": c["column"],
                            "effect_size": effect,
                            "method": c["method"],
                            "onset": c["onset"].isoformat(),
                        },
                    )
                )
            out += self._predictions(model, inputs)
            if columns:
                out.append(self._cause(model, columns))
        return out

    def _predictions(self, model: ModelFacts, inputs: DiagnosisInputs) -> list[Evidence]:
        out = []
        for monitor, rows in model.monitors_of("prediction_drift").items():
            flags = [(o.window_start, o.healthy is False) for o in rows]
            start = own_onset(flags, inputs.onset - model.window)
            if start is None:
                continue
            first = next(o for o in rows if o.window_start == start)
            out.append(
                Evidence(
                    self.name,
                    "prediction_drift",
                    f"{model.name}: the predictions drifted from {start:%Y-%m-%d %H:%M} "
                    f"({monitor})",
                    1.0,
                    PREDICTION_WEIGHT,
                    supports=("data_drift", "concept_drift", "model_regression"),
                    refs=(Ref("observation", first.id, monitor),),
                    at=start,
                    details={"model": model.name, "monitor": monitor},
                )
            )
        return out

    def _cause(self, model: ModelFacts, columns: list[dict[str, Any]]) -> Evidence:
        names = [c["column"] for c in columns]
        total = max(len(model.features), len(columns))
        share = len(columns) / total
        lead = columns[0]
        effect = lead["effect_size"]
        largest = f" (effect size {effect:.3g})" if effect else ""
        cause = Cause(
            f"drift:{model.name}",
            "data_drift",
            "data",
            f"data drift in {model.name}'s inputs, largest in {lead['column']}{largest}: "
            f"{short_list(names)}",
            next_step=f"compare the drifted features ({short_list(names, 3)}) between the last "
            "known good window and now (smokejumper drift), and ask their upstream sources "
            "what changed",
            mitigation="wait and watch if predictions hold; retrain on recent data if the "
            "drift persists and quality drops",
            subject={
                "model": model.name,
                "feature": lead["column"],
                "effect_size": effect,
                "columns": names,
            },
        )
        return Evidence(
            self.name,
            "drifted_features",
            f"{model.name}: {len(columns)} of {total} features drifted ({share:.0%})",
            clamp(0.6 + 0.4 * min(1.0, share / 0.3)),
            CAUSE_WEIGHT,
            cause=cause,
            refs=tuple(r for c in columns[:3] for r in c["refs"][:1]),
            at=min(c["onset"] for c in columns),
            details={
                "model": model.name,
                "drifted": len(columns),
                "features": total,
                "columns": [
                    {
                        "column": c["column"],
                        "onset": c["onset"].isoformat(),
                        "effect_size": c["effect_size"],
                    }
                    for c in columns
                ],
            },
        )
