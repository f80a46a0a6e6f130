"""The sample loan model of ``smokejumper demo``: its schema, monitors and SLO, and hours of
logged predictions and labels made from the shipped September (reference) and October
(drifted) inputs.

>>> from datetime import UTC
>>> [h.strftime("%H:%M") for h in window_starts(datetime(2026, 1, 1, 9, 41, tzinfo=UTC))]
['03:00', '04:00', '05:00', '06:00', '07:00', '08:00']
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa

MODEL = "loans"
VERSION = "loans-v3"
WINDOW_SECONDS = 3600
HOURS_LIKE_REFERENCE = 3
HOURS_DRIFTED = 3
LABELLED_SHARE = 0.6
SEED = 20261127
#: The share of October's applications the broken join matched no bureau record for
#: (demo_pipeline: it wrote 6,630 rows instead of about 10,000).
UNMATCHED_SHARE = 1 - 6_630 / 10_000

NUMERIC = ("age", "income", "credit_score", "loan_amount", "open_accounts")
CATEGORICAL = ("employment", "region")
BOOLEAN = ("has_mortgage",)
FEATURES = (*NUMERIC, *CATEGORICAL, *BOOLEAN)

SCHEMA: dict[str, Any] = {
    "features": [
        *({"name": n, "kind": "numeric"} for n in NUMERIC),
        *({"name": n, "kind": "categorical"} for n in CATEGORICAL),
        *({"name": n, "kind": "boolean"} for n in BOOLEAN),
    ],
    "prediction_kind": "numeric",
    "segments": ["region"],
    # the dataset the credit-bureau join writes (demo_pipeline.DATASET): the diagnosis follows
    # the lineage from the model to the job's runs
    "inputs": [{"namespace": "warehouse", "name": "loans.features"}],
    "columns": {"id": "applicant_id", "timestamp": "applied_at", "prediction": "score"},
}

MONITORS: list[dict[str, Any]] = [
    {"name": "loans-drift", "model": MODEL, "type": "feature_drift", "max": 0},
    {"name": "loans-credit-nulls", "model": MODEL, "type": "null_rate", "column": "credit_score",
     "max": 0.05},
    {"name": "loans-p99", "model": MODEL, "type": "latency", "quantile": 0.99, "max": 250},
    {"name": "loans-volume", "model": MODEL, "type": "volume", "min": 500},
    {"name": "loans-accuracy", "model": MODEL, "type": "performance", "metric": "accuracy",
     "min": 0.7},
]  # fmt: skip
SLO: dict[str, Any] = {
    "name": "loans-data-quality",
    "monitor": "loans-credit-nulls",
    "objective": 0.99,
    "period_days": 30,
}


@dataclass(frozen=True)
class LoggedHour:
    """One hour of the demo's traffic: the predictions as the model logs them (its own column
    names, which the schema's ``columns`` maps), and the labels that arrive for a share."""

    predictions: pa.Table
    label_ids: list[str]
    labels: list[int]


def window_starts(now: datetime) -> list[datetime]:
    """The starts of the hourly windows to fill: the hours before the current one, so all are
    closed and ready to evaluate."""
    this_hour = now.replace(minute=0, second=0, microsecond=0)
    count = HOURS_LIKE_REFERENCE + HOURS_DRIFTED
    return [this_hour - timedelta(hours=count - i) for i in range(count)]


def score(table: pa.Table) -> np.ndarray:
    """A stand-in for the loan model: the probability of default from credit score and the
    loan-to-income ratio (a missing credit score counts as an average one)."""
    credit = table.column("credit_score").to_numpy(zero_copy_only=False)
    credit = np.where(np.isnan(credit), 650.0, credit)
    income = np.maximum(table.column("income").to_numpy(zero_copy_only=False), 1.0)
    ratio = table.column("loan_amount").to_numpy(zero_copy_only=False) / income
    return np.asarray(1.0 / (1.0 + np.exp((credit - 620.0) / 40.0 - 2.0 * (ratio - 0.3))))


def _hour_batch(
    table: pa.Table, hour: datetime, rng: np.random.Generator, *, broken: bool
) -> tuple[pa.Table, np.ndarray]:
    """One hour of logged predictions from ``table`` (its id, features, a score, confidence,
    latency and a timestamp within the hour) and the true outcomes, drawn from the score of the
    full inputs. In ``broken`` hours the credit-bureau join leaves ``credit_score`` null for
    :data:`UNMATCHED_SHARE` of the applications, which the model scores as average ones."""
    truth = score(table)
    if broken:  # the broken join: no bureau score for the applications it did not match
        missing = rng.random(table.num_rows) < UNMATCHED_SHARE
        credit = table.column("credit_score").to_numpy(zero_copy_only=False)
        index = table.schema.get_field_index("credit_score")
        blanked = pa.array(np.where(missing, np.nan, credit), from_pandas=True)
        table = table.set_column(index, "credit_score", blanked)
    scores = score(table)
    seconds = np.sort(rng.uniform(0, 3600, table.num_rows))
    stamps = [hour + timedelta(seconds=float(s)) for s in seconds]
    outcome = (rng.random(table.num_rows) < truth).astype(np.int64)
    logged = table.select(["applicant_id", *FEATURES])
    logged = logged.append_column("applied_at", pa.array(stamps, pa.timestamp("us", tz="UTC")))
    logged = logged.append_column("score", pa.array(scores, pa.float64()))
    logged = logged.append_column("confidence", pa.array(np.abs(scores - 0.5) * 2, pa.float64()))
    latency = rng.lognormal(np.log(35.0), 0.35, table.num_rows)
    logged = logged.append_column("latency_ms", pa.array(latency, pa.float64()))
    return logged, outcome


def _split(table: pa.Table, parts: int, rng: np.random.Generator) -> list[pa.Table]:
    """``table``'s rows shuffled and cut into ``parts`` tables of about the same size."""
    order = rng.permutation(table.num_rows)
    return [table.take(pa.array(chunk)) for chunk in np.array_split(order, parts)]


def logged_hours(
    hours: list[datetime], reference: pa.Table, current: pa.Table
) -> Iterator[LoggedHour]:
    """The traffic of each hour in ``hours``: the first :data:`HOURS_LIKE_REFERENCE` drawn from
    the reference rows, the rest from the drifted current rows after the join broke; the same
    every run."""
    rng = np.random.default_rng(SEED)
    parts = [
        *((t, False) for t in _split(reference, HOURS_LIKE_REFERENCE, rng)),
        *((t, True) for t in _split(current, HOURS_DRIFTED, rng)),
    ]
    for hour, (table, broken) in zip(hours, parts, strict=True):
        logged, outcome = _hour_batch(table, hour, rng, broken=broken)
        labelled = rng.random(table.num_rows) < LABELLED_SHARE
        ids = logged.column("applicant_id").to_pylist()
        yield LoggedHour(
            logged,
            [i for i, keep in zip(ids, labelled, strict=True) if keep],
            [int(o) for o, keep in zip(outcome, labelled, strict=True) if keep],
        )
