"""The model itself: a new version or an alias move right before the onset, a version that
began serving at the onset, quality down while the inputs held steady (a regression, or
concept drift when nothing about the model changed), and confidence collapsing.

Weights: a model change before the onset is a candidate worth :data:`MOVE_WEIGHT` times its
proximity (``tau`` :data:`TAU`); a version serving since the onset and not before adds
:data:`VERSION_WEIGHT` to the change that brought it (or is a symptom of a regression);
quality down with steady inputs is a symptom worth :data:`QUALITY_WEIGHT` (supporting a
regression and concept drift, refuting drift and data causes), and concept drift a candidate
(:data:`CONCEPT_WEIGHT`) when no model change came before; a confidence collapse is a symptom
worth :data:`CONFIDENCE_WEIGHT`. A quality metric that is a share (in [0, 1], with its
labelled count in the observations) counts as down only when the windows since its fall,
pooled, are below the windows before by more than :data:`NOISE_Z` binomial standard errors:
a handful of labels per window (a volume drop) makes single windows unhealthy by chance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from smokejumper.changes import Change
from smokejumper.rca.collectors.base import register
from smokejumper.rca.collectors.changes import change_cause
from smokejumper.rca.collectors.drift import drifted_columns
from smokejumper.rca.evidence import Cause, Evidence, Ref, proximity
from smokejumper.rca.inputs import DiagnosisInputs, ModelFacts, Observed
from smokejumper.rca.series import own_onset

MOVE_WEIGHT = 2.0
VERSION_WEIGHT = 1.0
QUALITY_WEIGHT = 1.5
CONCEPT_WEIGHT = 1.0
CONFIDENCE_WEIGHT = 0.8
TAU = timedelta(hours=2)
NOISE_Z = 2.0
MODEL_KINDS = ("alias_move", "model_version", "deploy")


@register
class ModelChanges:
    """Model versions, alias moves, quality and confidence around the onset."""

    name = "model"

    def collect(self, inputs: DiagnosisInputs) -> list[Evidence]:
        """Per model: its changes before the onset, new versions serving, quality, confidence."""
        out: list[Evidence] = []
        for model in inputs.models.values():
            moves = [
                (c, near)
                for c in inputs.changes
                if c.model == model.name
                and c.kind in MODEL_KINDS
                and c.at >= inputs.since
                and (near := proximity(c.at, inputs.onset, TAU, model.window)) > 0.05
            ]
            for change, near in moves:
                out.append(
                    Evidence(
                        self.name,
                        change.kind,
                        f"{change.kind.replace('_', ' ')} of {model.name} "
                        f"{(inputs.onset - change.at) / timedelta(minutes=1):.0f} min before the "
                        f"onset: {change.summary}",
                        round(near, 6),
                        MOVE_WEIGHT,
                        cause=change_cause(change),
                        refs=(Ref("change", change.key, change.kind),),
                        at=change.at,
                        details={"model": model.name, "proximity": round(near, 4)},
                    )
                )
            out += self._versions(model, inputs, [c for c, _ in moves])
            out += self._quality(model, inputs, bool(moves))
        return out

    def _versions(
        self, model: ModelFacts, inputs: DiagnosisInputs, moves: list[Change]
    ) -> list[Evidence]:
        before: dict[str, int] = {}
        after: dict[str, int] = {}
        for start, version, _, rows in model.traffic:
            side = after if start >= inputs.onset else before
            side[version] = side.get(version, 0) + rows
        total = sum(after.values())
        out = []
        for version, rows in sorted(after.items()):
            if not version or before.get(version) or not total:
                continue
            share = rows / total
            brought = next((c for c in moves if _names_version(c, version)), None)
            out.append(
                Evidence(
                    self.name,
                    "new_version_serving",
                    f"{model.name} version {version} serves {share:.0%} of predictions since the "
                    "onset and served none before",
                    min(1.0, 0.5 + share / 2),
                    VERSION_WEIGHT,
                    cause=None if brought is None else change_cause(brought),
                    supports=() if brought else ("model_regression",),
                    refs=(Ref("window", inputs.onset.isoformat(), f"version {version}"),),
                    at=inputs.onset,
                    details={"model": model.name, "version": version, "share": round(share, 4)},
                )
            )
        return out

    def _quality(self, model: ModelFacts, inputs: DiagnosisInputs, moved: bool) -> list[Evidence]:
        out = []
        start = inputs.onset - model.window
        drift_watched = bool(model.monitors_of("feature_drift"))
        steady = drift_watched and not drifted_columns(model, start)
        for monitor, rows in model.monitors_of("performance").items():
            began = own_onset([(o.window_start, o.healthy is False) for o in rows], start)
            if began is None:
                continue
            first = next(o for o in rows if o.window_start == began)
            if within_noise(rows, began, start):
                continue
            metric = first.details.get("metric") or "quality"
            refs = (Ref("observation", first.id, monitor),)
            if steady:
                out.append(
                    Evidence(
                        self.name,
                        "quality_down_inputs_steady",
                        f"{model.name}: {monitor} unhealthy from {began:%Y-%m-%d %H:%M} while no "
                        "input feature drifted",
                        1.0,
                        QUALITY_WEIGHT,
                        supports=("model_regression", "concept_drift"),
                        refutes=("data_drift", "external_change"),
                        refs=refs,
                        at=began,
                        details={"model": model.name, "monitor": monitor, "value": first.value},
                    )
                )
            else:
                out.append(
                    Evidence(
                        self.name,
                        "quality_down",
                        f"{model.name}: {monitor} unhealthy from {began:%Y-%m-%d %H:%M}",
                        0.6,
                        QUALITY_WEIGHT,
                        supports=(
                            "model_regression",
                            "concept_drift",
                            "data_drift",
                            "data_quality",
                            "schema_change",
                            "label_shift",
                        ),
                        refs=refs,
                        at=began,
                        details={"model": model.name, "monitor": monitor},
                    )
                )
            if steady and not moved:
                out.append(
                    Evidence(
                        self.name,
                        "concept_drift",
                        f"{model.name}: {metric} fell with steady inputs and no model change",
                        1.0,
                        CONCEPT_WEIGHT,
                        cause=Cause(
                            f"concept:{model.name}",
                            "concept_drift",
                            "external",
                            f"concept drift: what {model.name} predicts changed in the world while "
                            "its inputs did not",
                            next_step="check the labels that arrived since the onset against the "
                            "predictions by segment; look for a change in the business or world",
                            mitigation="retrain on recent labelled data; lower the model's weight "
                            "in decisions until then",
                            subject={"model": model.name},
                        ),
                        refs=refs,
                        at=began,
                        details={"model": model.name},
                    )
                )
        for monitor, rows in model.monitors_of("confidence").items():
            began = own_onset([(o.window_start, o.healthy is False) for o in rows], start)
            if began is None:
                continue
            first = next(o for o in rows if o.window_start == began)
            out.append(
                Evidence(
                    self.name,
                    "confidence_collapse",
                    f"{model.name}: confidence ({monitor}) out of bounds from "
                    f"{began:%Y-%m-%d %H:%M}",
                    1.0,
                    CONFIDENCE_WEIGHT,
                    supports=("model_regression", "data_drift", "data_quality"),
                    refs=(Ref("observation", first.id, monitor),),
                    at=began,
                    details={"model": model.name, "monitor": monitor, "value": first.value},
                )
            )
        return out


def within_noise(rows: Sequence[Observed], began: datetime, onset: datetime) -> bool:
    """Whether a share metric's fall from ``began`` on is within sampling noise: its windows
    from ``began`` and those before ``onset``, pooled by their labelled counts, differ by less
    than :data:`NOISE_Z` binomial standard errors. False when it cannot say (no counts, not a
    share, no windows before).

    >>> from datetime import UTC, datetime
    >>> t = [datetime(2026, 11, 1, h, tzinfo=UTC) for h in range(6)]
    >>> def obs(h, v, n):
    ...     return Observed("m", "acc", "performance", t[h], v, None, {"labelled": n})
    >>> few = [obs(0, 0.8, 20), obs(1, 0.8, 20), obs(2, 0.7, 20), obs(3, 0.75, 20)]
    >>> many = [obs(0, 0.8, 200), obs(1, 0.8, 200), obs(2, 0.7, 200), obs(3, 0.7, 200)]
    >>> within_noise(few, t[2], t[2]), within_noise(many, t[2], t[2])
    (True, False)
    """

    def pooled(part: list[Observed]) -> tuple[float, float]:
        n = sum(float(o.details.get("labelled") or 0) for o in part)
        hits = sum(float(o.value or 0.0) * float(o.details.get("labelled") or 0) for o in part)
        return (hits / n if n else math.nan), n

    judged = [o for o in rows if o.value is not None]
    if not judged or any(not 0.0 <= float(o.value or 0.0) <= 1.0 for o in judged):
        return False
    (was, n0), (now, n1) = (
        pooled([o for o in judged if o.window_start < min(began, onset)]),
        pooled([o for o in judged if o.window_start >= began]),
    )
    if not n0 or not n1 or math.isnan(was) or math.isnan(now):
        return False
    spread = math.sqrt(max(was * (1 - was), 1e-9) * (1 / n0 + 1 / n1))
    return abs(was - now) < NOISE_Z * spread


def _names_version(change: Change, version: str) -> bool:
    """Whether ``change`` brought ``version`` (its details or its summary name it)."""
    details = change.details
    named = {str(details.get(k)) for k in ("new_version", "version") if details.get(k)}
    if version in named or version.lstrip("v") in {n.lstrip("v") for n in named}:
        return True
    words = change.summary.replace(",", " ").replace(">", " ").split()
    return version in words
