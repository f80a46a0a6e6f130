"""Change correlation: the changes and pipeline runs in the lookback before the onset, each
a candidate cause scored by time proximity (:func:`~smokejumper.rca.evidence.proximity`,
``tau`` :data:`TAU`, within a window of the onset counting in full) and by relatedness: 1
for a change to the incident's model or a run writing a dataset the model reads (its schema's
``inputs:``), :data:`~smokejumper.rca.changes_map.DECAY` per hop upstream of those,
:data:`~smokejumper.rca.changes_map.UNKNOWN` when nothing says (a service change; a run while
the models declare no inputs; a run the lineage places in another model's pipeline, upstream
only of datasets other models declare, is left out). Worth :data:`WEIGHT` at full strength;
a run's flags (failed, row count far from usual...) add :data:`FLAG_BONUS`.
"""

from __future__ import annotations

from datetime import timedelta

from smokejumper.changes import Change
from smokejumper.changes.runs import PipelineRun, change_key
from smokejumper.rca.changes_map import (
    CHANGE_CAUSES,
    MITIGATIONS,
    UNKNOWN,
    foreign_runs,
    upstream_hops,
)
from smokejumper.rca.changes_map import DECAY as HOP_DECAY
from smokejumper.rca.collectors.base import register
from smokejumper.rca.evidence import Cause, Evidence, Ref, clamp, proximity
from smokejumper.rca.inputs import DiagnosisInputs

WEIGHT = 1.5
FLAG_BONUS = 0.25
TAU = timedelta(hours=3)
#: Candidates below this strength are left out.
FLOOR = 0.05


def run_cause(run: PipelineRun, flags: list[str]) -> Cause:
    """The cause a pipeline run would be (the same key whichever collector finds it)."""
    wrote = list(run.outputs)
    first = wrote[0] if wrote else None
    dataset = f"{first.namespace}/{first.name}" if first else None
    version = first.version if first else None
    rows = first.row_count if first else None
    title = f"pipeline job {run.job} ({run.state})"
    if first is not None:
        title += f" wrote {first.name}" + (f" version {version}" if version else "")
        title += f" with {rows:,} rows" if rows is not None else ""
    if flags:
        title += "; " + "; ".join(flags)
    return Cause(
        f"run:{run.run_id}",
        "data_quality",
        "data",
        title,
        next_step=f"compare run {run.run_id} of {run.job} with its previous runs (row counts, "
        "assertions, inputs) and check what the dataset it wrote holds",
        mitigation=(
            f"quarantine {dataset} version {version} and fall back to the previous version; "
            f"re-run {run.job}"
            if version
            else f"quarantine what {run.job} wrote in run {run.run_id} and re-run it"
        ),
        subject={
            "job": run.job,
            "run_id": run.run_id,
            "dataset": dataset,
            "dataset_version": version,
            "row_count": rows,
            "state": run.state,
        },
    )


def change_cause(change: Change) -> Cause:
    """The cause a change would be."""
    label, category = CHANGE_CAUSES.get(change.kind, CHANGE_CAUSES["other"])
    what = change.model or change.service or "the system"
    return Cause(
        f"change:{change.key}",
        label,
        category,
        f"{change.kind.replace('_', ' ')} of {what}: {change.summary}",
        next_step=f"check what change {change.key} did"
        + (f" ({change.link})" if change.link else "")
        + " and compare the model's behaviour right before and after it",
        mitigation=MITIGATIONS.get(label, "revert the change"),
        subject={
            "change": change.key,
            "kind": change.kind,
            "model": change.model,
            **{
                k: v
                for k, v in change.details.items()
                if k in ("alias", "old_version", "new_version", "version")
            },
        },
    )


@register
class ChangeCorrelation:
    """Changes and pipeline runs before the onset, by proximity and relatedness."""

    name = "changes"

    def collect(self, inputs: DiagnosisInputs) -> list[Evidence]:
        """One candidate per change and per run in the lookback."""
        grace = inputs.window
        models = set(inputs.models)
        runs = [r for r, _ in inputs.runs]
        hops = upstream_hops(runs, inputs.model_inputs)
        foreign = foreign_runs(runs, inputs.claimed, inputs.model_inputs)
        out: list[Evidence] = []
        own = {change_key(r.run_id) for r in runs}
        for change in inputs.changes:
            if change.key in own or change.kind == "pipeline":
                continue  # a run is judged as a run
            if change.model is not None and change.model not in models:
                continue
            near = proximity(change.at, inputs.onset, TAU, grace)
            related = 1.0 if change.model in models else UNKNOWN
            if not (inputs.since <= change.at) or near * related < FLOOR:
                continue
            out.append(
                Evidence(
                    self.name,
                    "change_before_onset",
                    f"{change.kind} at {change.at:%Y-%m-%d %H:%M}: {change.summary}",
                    clamp(near * related),
                    WEIGHT,
                    cause=change_cause(change),
                    refs=(Ref("change", change.key, change.kind),),
                    at=change.at,
                    details={
                        "proximity": round(near, 4),
                        "relatedness": related,
                        "minutes_before_onset": round(
                            (inputs.onset - change.at) / timedelta(minutes=1), 1
                        ),
                    },
                )
            )
        for run, flags in inputs.runs:
            near = proximity(run.at, inputs.onset, TAU, grace)
            if run.run_id in foreign:
                continue  # the lineage says it feeds other models, not these
            if not inputs.model_inputs:
                related = UNKNOWN
            elif run.run_id in hops:
                related = HOP_DECAY ** hops[run.run_id]
            else:
                continue  # the models say what they read, and this run is not upstream
            strength = clamp(near * related + (FLAG_BONUS if flags else 0.0))
            if near == 0.0 or strength < FLOOR:
                continue
            out.append(
                Evidence(
                    self.name,
                    "run_before_onset",
                    f"run of {run.job} ({run.state}) at {run.at:%Y-%m-%d %H:%M}"
                    + (f": {'; '.join(f.message for f in flags)}" if flags else ""),
                    strength,
                    WEIGHT,
                    cause=run_cause(run, [f.message for f in flags]),
                    refs=(Ref("run", run.run_id, run.job),),
                    at=run.at,
                    details={
                        "proximity": round(near, 4),
                        "relatedness": related,
                        "hops": hops.get(run.run_id),
                        "flags": [f.kind for f in flags],
                    },
                )
            )
        return out
