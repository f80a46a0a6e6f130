"""Lineage traversal: from the datasets the incident's models read (their schemas'
``inputs:``) upstream through jobs and dataset versions to the first anomalous run before the
onset: a failed run, a row count far from usual, a failed assertion, a slow run (the flags of
:func:`smokejumper.changes.runs.judge_run`). Without declared inputs, the first anomalous run
of the lookback stands in, as a weaker candidate (leaving out the runs the lineage places in
another model's pipeline: upstream only of datasets other models declare they read).

Worth :data:`WEIGHT` at full strength; strength is the worst flag's (:data:`SEVERITY`) times
the relatedness (:data:`~smokejumper.rca.changes_map.DECAY` per hop upstream,
:data:`~smokejumper.rca.changes_map.UNKNOWN` without declared inputs). The cause is the same
as change correlation's for that run (``run:<run id>``), so both add up.
"""

from __future__ import annotations

from smokejumper.rca.changes_map import DECAY, UNKNOWN, foreign_runs, upstream_hops
from smokejumper.rca.collectors.base import register
from smokejumper.rca.collectors.changes import run_cause
from smokejumper.rca.evidence import Evidence, Ref
from smokejumper.rca.inputs import DiagnosisInputs

WEIGHT = 2.0
#: How telling each flag is.
SEVERITY = {
    "run_failed": 1.0,
    "failed_assertions": 0.9,
    "row_count_low": 0.9,
    "row_count_high": 0.6,
    "slow": 0.3,
}


@register
class LineageTraversal:
    """The first anomalous pipeline run upstream of the models."""

    name = "lineage"

    def collect(self, inputs: DiagnosisInputs) -> list[Evidence]:
        """At most one candidate: the first anomalous run upstream (or of the lookback)."""
        runs = [r for r, _ in inputs.runs]
        declared = inputs.model_inputs
        hops = upstream_hops(runs, declared) if declared else {}
        foreign = foreign_runs(runs, inputs.claimed, declared)
        limit = inputs.onset + inputs.window
        flagged = [
            (run, flags)
            for run, flags in inputs.runs
            if flags
            and run.at < limit
            and run.run_id not in foreign
            and (not declared or run.run_id in hops)
        ]
        if not flagged:
            return []
        run, flags = min(flagged, key=lambda rf: rf[0].at)
        related = DECAY ** hops[run.run_id] if declared else UNKNOWN
        worst = max(SEVERITY.get(f.kind, 0.3) for f in flags)
        path = (
            f"{hops[run.run_id]} hop(s) upstream of the datasets the model reads"
            if declared
            else "the models declare no inputs, so its relation to them is not known"
        )
        refs = [Ref("run", run.run_id, run.job)]
        refs += [Ref("dataset", f"{d.namespace}/{d.name}", d.version) for d in run.outputs[:3]]
        return [
            Evidence(
                self.name,
                "first_anomalous_run",
                f"first anomalous run: {run.job} at {run.at:%Y-%m-%d %H:%M} "
                f"({'; '.join(f.message for f in flags)}); {path}",
                round(worst * related, 6),
                WEIGHT,
                cause=run_cause(run, [f.message for f in flags]),
                refs=tuple(refs),
                at=run.at,
                details={
                    "flags": [f.to_dict() for f in flags],
                    "hops": hops.get(run.run_id),
                    "relatedness": related,
                    "upstream_runs": len(hops),
                },
            )
        ]
