"""External: broad, simultaneous drift with no related change before it: the world (or the
season) moved, not the system.

Broad: at least :data:`BROAD` of the model's features (and at least two) drifted;
simultaneous: most of them (:data:`TOGETHER`) began within one window of each other; no
related change: no change to the model or a service, and no flagged pipeline run, within
:data:`QUIET` before the onset. Then a candidate (``external:<model>``) worth :data:`WEIGHT`
times the breadth; any related change halves it.
"""

from __future__ import annotations

from datetime import timedelta

from smokejumper.rca.collectors.base import register
from smokejumper.rca.collectors.drift import drifted_columns
from smokejumper.rca.evidence import Cause, Evidence, clamp
from smokejumper.rca.inputs import DiagnosisInputs
from smokejumper.rca.series import median, short_list

WEIGHT = 1.5
BROAD = 0.3
TOGETHER = 0.7
QUIET = timedelta(hours=24)


@register
class External:
    """Broad simultaneous drift with no related change."""

    name = "external"

    def collect(self, inputs: DiagnosisInputs) -> list[Evidence]:
        """At most one candidate per model."""
        out: list[Evidence] = []
        start = max(inputs.since, inputs.onset - QUIET)
        end = inputs.onset + inputs.window
        changes = [
            c
            for c in inputs.changes
            if start <= c.at < end and (c.model is None or c.model in inputs.models)
        ]
        flagged = [r for r, flags in inputs.runs if flags and start <= r.at < end]
        for model in inputs.models.values():
            columns = drifted_columns(model, inputs.onset - model.window)
            total = max(len(model.features), len(columns), 1)
            share = len(columns) / total
            if len(columns) < 2 or share < BROAD:
                continue
            middle = median(c["onset"].timestamp() for c in columns) or 0.0
            together = sum(
                1
                for c in columns
                if abs(c["onset"].timestamp() - middle) <= model.window.total_seconds()
            ) / len(columns)
            if together < TOGETHER:
                continue
            quiet = not changes and not flagged
            strength = clamp(min(1.0, share / 0.5) * together * (1.0 if quiet else 0.5))
            names = [c["column"] for c in columns]
            out.append(
                Evidence(
                    self.name,
                    "broad_drift_no_change",
                    f"{model.name}: {len(columns)} of {total} features drifted together "
                    + (
                        "with no change, deploy or flagged pipeline run before"
                        if quiet
                        else f"({len(changes) + len(flagged)} change(s) before, none "
                        "clearly related)"
                    ),
                    strength,
                    WEIGHT,
                    cause=Cause(
                        f"external:{model.name}",
                        "external_change",
                        "external",
                        f"an external change: the world {model.name} sees moved "
                        f"({short_list(names, 4)} drifted together)",
                        next_step="check the calendar (holiday, season, campaign), the market "
                        "and the upstream data providers for the onset; compare with the same "
                        "hour a week earlier",
                        mitigation="wait and watch if the predictions hold; retrain on recent "
                        "data if the shift lasts and quality drops",
                        subject={"model": model.name, "columns": names},
                    ),
                    refs=tuple(c["refs"][0] for c in columns[:3]),
                    at=min(c["onset"] for c in columns),
                    details={
                        "model": model.name,
                        "drifted": len(columns),
                        "features": total,
                        "together": round(together, 4),
                        "changes_before": len(changes),
                        "flagged_runs_before": len(flagged),
                    },
                )
            )
        return out
