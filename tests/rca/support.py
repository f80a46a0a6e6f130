"""Builders of diagnosis inputs for the RCA tests: a model with hourly windows around an onset,
its monitors' observations, traffic, profiles and raw rows, and the changes, runs and alerts
of each scenario the collectors must recognise."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa

from smokejumper.alerting import Alert
from smokejumper.changes import Flag, make_change
from smokejumper.changes.runs import PipelineRun, RunDataset
from smokejumper.rca import DiagnosisInputs, ModelFacts, Observed
from smokejumper.stats.dataset import profile

HOUR = timedelta(hours=1)
ONSET = datetime(2026, 11, 1, 12, tzinfo=UTC)
NOW = ONSET + 4 * HOUR
FEATURES = ("age", "income", "plan", "tenure", "score")
INPUTS = frozenset({("wh", "features.churn")})


def hours(first: int, last: int) -> list[datetime]:
    """Window starts from ``ONSET + first h`` to ``ONSET + last h`` (inclusive)."""
    return [ONSET + k * HOUR for k in range(first, last + 1)]


def obs(
    monitor: str,
    kind: str,
    at: datetime,
    value: float | None,
    healthy: bool | None,
    details: dict[str, Any] | None = None,
    column: str | None = None,
) -> Observed:
    """One observation with an id made of its monitor and hour."""
    return Observed(
        "churn", monitor, kind, at, value, healthy, details or {}, f"{monitor}@{at:%d%H}", column
    )


def drift_obs(drifted: Sequence[str], from_hour: int = 0) -> list[Observed]:
    """A feature-drift monitor: ``drifted`` features drift from ``ONSET + from_hour``."""
    out = []
    for at in hours(-12, 3):
        on = at >= ONSET + from_hour * HOUR
        cols = {
            c: {
                "effect_size": 0.4 if on and c in drifted else 0.02,
                "drift": bool(on and c in drifted),
                "method": "psi",
            }
            for c in FEATURES
        }
        share = sum(1 for c in cols.values() if c["drift"]) / len(FEATURES)
        out.append(obs("drift", "feature_drift", at, share, share == 0, {"columns": cols}))
    return out


def null_obs(column: str = "age", rate: float = 0.5) -> list[Observed]:
    """A null-rate monitor of ``column``: 0 before the onset, ``rate`` from it."""
    return [
        obs(
            "nulls",
            "null_rate",
            at,
            rate if at >= ONSET else 0.0,
            at < ONSET,
            {"column": column, "rates": {column: rate if at >= ONSET else 0.0}},
            column,
        )
        for at in hours(-12, 3)
    ]


def perf_obs() -> list[Observed]:
    """An accuracy monitor: 0.9 before the onset, 0.6 from it."""
    return [
        obs(
            "accuracy",
            "performance",
            at,
            0.6 if at >= ONSET else 0.9,
            at < ONSET,
            {"labelled": 100, "rows": 100, "metric": "accuracy"},
        )
        for at in hours(-12, 3)
    ]


def confidence_obs(collapse_to: float = 0.05) -> list[Observed]:
    """A mean-confidence monitor (healthy from 0.2): 0.5 before the onset, ``collapse_to``
    from it."""
    return [
        obs(
            "confidence",
            "confidence",
            at,
            collapse_to if at >= ONSET else 0.5,
            at < ONSET or collapse_to >= 0.2,
            {"n": 1000},
        )
        for at in hours(-12, 3)
    ]


def steady_perf_obs() -> list[Observed]:
    """An accuracy monitor at 0.9 throughout."""
    return [
        obs("accuracy", "performance", at, 0.9, True, {"labelled": 100, "rows": 100})
        for at in hours(-12, 3)
    ]


def traffic(versions: tuple[str, str] = ("v1", "v1")) -> tuple[tuple[datetime, str, str, int], ...]:
    """1,000 rows a window, ``versions[0]`` before the onset and ``versions[1]`` from it."""
    return tuple((at, versions[at >= ONSET], "", 1000) for at in hours(-12, 3))


def rows(nulls_in: str | None = None) -> pa.Table:
    """Raw rows of 6 windows each side of the onset: plans alternate; from the onset, the
    ``nulls_in`` plan's age is null."""
    rng = np.random.default_rng(3)
    stamps, plans, ages = [], [], []
    for at in hours(-6, 3):
        for i in range(200):
            plan = ("basic", "pro")[i % 2]
            stamps.append(at + timedelta(minutes=i % 60))
            plans.append(plan)
            ages.append(None if at >= ONSET and plan == nulls_in else float(rng.normal(40, 10)))
    n = len(stamps)
    return pa.table(
        {
            "timestamp": pa.array(stamps, pa.timestamp("us", tz="UTC")),
            "version": ["v1"] * n,
            "plan": plans,
            "age": pa.array(ages, pa.float64()),
            "error": [False] * n,
            "prediction": rng.random(n),
        }
    )


def labelled(rate_after: float = 0.6, concept: bool = False, seed: int = 4) -> pa.Table:
    """Labelled rows of 6 windows each side of the onset (300 a window): defaults ("1") in 30%
    before the onset and ``rate_after`` from it; scores about 0.25 for "0" and 0.65 for "1".
    ``concept``: from the onset the scores no longer tell the classes apart (both about 0.4),
    as when the same inputs lead to other outcomes."""
    rng = np.random.default_rng(seed)
    stamps, labels, scores = [], [], []
    for at in hours(-6, 5):
        after = at >= ONSET
        y = rng.random(300) < (rate_after if after else 0.3)
        mean = np.where(y, 0.65, 0.25) if not (after and concept) else np.full(300, 0.4)
        stamps += [at + timedelta(seconds=12 * i) for i in range(300)]
        labels += ["1" if v else "0" for v in y]
        scores += list(np.clip(rng.normal(mean, 0.12), 0.0, 1.0))
    return pa.table(
        {
            "timestamp": pa.array(stamps, pa.timestamp("us", tz="UTC")),
            "prediction": pa.array(scores, pa.float64()),
            "label": pa.array(labels, pa.string()),
        }
    )


def model(**kw: Any) -> ModelFacts:
    """The model ``churn`` with hourly windows, the ``FEATURES``, segment ``plan``, reading
    ``INPUTS``, steady traffic on v1, no monitors (give them in ``kw``)."""
    base = ModelFacts("churn", HOUR, FEATURES, ("plan",), INPUTS, traffic=traffic())
    return replace(base, **kw)


def inputs(m: ModelFacts | None = None, **kw: Any) -> DiagnosisInputs:
    """Inputs of incident INC-1 with onset ``ONSET`` and a 24-hour lookback."""
    base = DiagnosisInputs("INC-1", ONSET, NOW, timedelta(hours=24), {"churn": m or model()})
    return replace(base, **kw)


def feature_run(
    run_id: str, at: datetime, rows_written: int, version: str, state: str = "COMPLETE"
) -> PipelineRun:
    """A run of etl/churn_features writing ``features.churn`` at ``version``."""
    out = RunDataset("wh", "features.churn", "output", row_count=rows_written, version=version)
    return PipelineRun(
        run_id,
        "etl",
        "churn_features",
        state,
        at - 10 * timedelta(minutes=1),
        at - 10 * timedelta(minutes=1),
        at,
        outputs=(out,),
    )


LOW = Flag(
    "row_count_low", "features.churn: 950 rows, under half the usual 10,000", "features.churn"
)


def alias_move(at: datetime = ONSET - timedelta(minutes=20)) -> Any:
    """The alias champion moved from v1 to v2."""
    return make_change(
        key="mlflow:move-1",
        at=at,
        kind="alias_move",
        model="churn",
        summary="alias champion moved from v1 to v2",
        source="mlflow",
        details={"alias": "champion", "old_version": "1", "new_version": "2"},
    )


def infra_alert() -> Alert:
    """An Alertmanager alert that started just before the onset."""
    return Alert(
        {"alertname": "NodeMemoryHigh", "source": "alertmanager"},
        {"summary": "node-3 memory at 97%"},
        starts_at=ONSET - timedelta(minutes=10),
    )


def profiles(null_age: bool) -> tuple[tuple[datetime, Any], ...]:
    """Window profiles of 3 windows each side of the onset; ``null_age``: age null from it."""
    rng = np.random.default_rng(5)
    ref = profile(pa.table({"age": rng.normal(40, 10, 2000)}))
    out = []
    for at in hours(-3, 2):
        ages = rng.normal(40, 10, 300)
        col = pa.array(ages, mask=np.arange(300) % 2 == 0) if null_age and at >= ONSET else ages
        out.append((at, profile(pa.table({"age": col}), reference=ref)))
    return tuple(out)


def scenarios() -> dict[str, DiagnosisInputs]:
    """Inputs where each collector has something to find, by collector name."""
    broken = feature_run("r-bad", ONSET - 2 * HOUR, 950, "snap-4")
    return {
        "drift": inputs(model(observations=tuple(drift_obs(["age", "income"])))),
        "data_quality": inputs(model(observations=tuple(null_obs()))),
        "slices": inputs(model(rows=rows(nulls_in="basic"))),
        "changes": inputs(changes=(alias_move(),)),
        "lineage": inputs(runs=((broken, (LOW,)),)),
        "model": inputs(model(traffic=traffic(("v1", "v2"))), changes=(alias_move(),)),
        "labels": inputs(model(labelled=labelled())),
        "calibration": inputs(
            model(observations=(*confidence_obs(), *drift_obs([]), *steady_perf_obs()))
        ),
        "serving": inputs(alerts=(infra_alert(),)),
        "external": inputs(model(observations=tuple(drift_obs(["age", "income", "tenure"])))),
    }
