"""What kind of cause each kind of change is, and how related a change or a pipeline run is
to the incident's models.

>>> CHANGE_CAUSES["alias_move"]
('model_regression', 'model')
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from smokejumper.changes.runs import PipelineRun

#: Change kind -> (taxonomy label, fishbone category) of the cause it would be.
CHANGE_CAUSES = {
    "deploy": ("model_regression", "model"),
    "model_version": ("model_regression", "model"),
    "alias_move": ("model_regression", "model"),
    "config": ("misconfigured_threshold", "process"),
    "flag": ("misconfigured_threshold", "process"),
    "data": ("data_quality", "data"),
    "pipeline": ("data_quality", "data"),
    "feature_store": ("data_quality", "data"),
    "other": ("misconfigured_threshold", "process"),
}
#: The mitigation suggested for a cause of each label.
MITIGATIONS = {
    "model_regression": "roll back to the last known good model version (smokejumper rollback)",
    "misconfigured_threshold": "revert the change, then compare the config before and after",
    "data_quality": "quarantine the affected data version and fall back to the last good one",
}
#: How related a run upstream of the models' inputs is, per hop (``DECAY ** hops``).
DECAY = 0.7
#: How related a run or service change is when nothing says (models declare no inputs).
UNKNOWN = 0.4
#: How many hops upstream lineage is followed.
HOPS = 5


def upstream_hops(
    runs: Sequence[PipelineRun], inputs: Collection[tuple[str, str]]
) -> dict[str, int]:
    """For each run of ``runs`` that wrote one of ``inputs`` (0 hops) or, up to :data:`HOPS`,
    a dataset read by such a run: its distance, by run id.

    >>> from datetime import UTC, datetime
    >>> from smokejumper.changes.runs import RunDataset
    >>> t = datetime(2026, 11, 1, tzinfo=UTC)
    >>> raw = PipelineRun("a", "etl", "ingest", "COMPLETE", t,
    ...                   outputs=(RunDataset("wh", "raw", "output"),))
    >>> feat = PipelineRun("b", "etl", "features", "COMPLETE", t,
    ...                    inputs=(RunDataset("wh", "raw", "input"),),
    ...                    outputs=(RunDataset("wh", "features", "output"),))
    >>> upstream_hops([raw, feat], {("wh", "features")})
    {'b': 0, 'a': 1}
    """
    found: dict[str, int] = {}
    frontier = set(inputs)
    for hop in range(HOPS + 1):
        reached: set[tuple[str, str]] = set()
        for run in runs:
            if run.run_id in found:
                continue
            if any((d.namespace, d.name) in frontier for d in run.outputs):
                found[run.run_id] = hop
                reached |= {(d.namespace, d.name) for d in run.inputs}
        frontier = reached
        if not frontier:
            break
    return found


def foreign_runs(
    runs: Sequence[PipelineRun],
    claimed: Collection[tuple[str, str]],
    own: Collection[tuple[str, str]],
) -> frozenset[str]:
    """The runs the lineage places in another model's pipeline: upstream of a dataset other
    models declare they read (``claimed``) and not upstream of the incident's models' own
    declared inputs (``own``). A model that declares no inputs cannot say which runs feed it,
    but it can be told which runs are known to feed someone else.

    >>> from datetime import UTC, datetime
    >>> from smokejumper.changes.runs import RunDataset
    >>> t = datetime(2026, 11, 1, tzinfo=UTC)
    >>> theirs = PipelineRun("a", "etl", "loans", "COMPLETE", t,
    ...                      outputs=(RunDataset("wh", "loans", "output"),))
    >>> unknown = PipelineRun("b", "etl", "misc", "COMPLETE", t,
    ...                       outputs=(RunDataset("wh", "misc", "output"),))
    >>> sorted(foreign_runs([theirs, unknown], {("wh", "loans")}, set()))
    ['a']
    >>> sorted(foreign_runs([theirs, unknown], {("wh", "loans")}, {("wh", "loans")}))
    []
    """
    if not claimed:
        return frozenset()
    theirs = upstream_hops(runs, set(claimed) - set(own))
    mine = upstream_hops(runs, own) if own else {}
    return frozenset(theirs) - frozenset(mine)
