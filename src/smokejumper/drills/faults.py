"""The faults: pure functions that bend one window of traffic, given how much of the fault is
present (``strength``, 0 to 1; see :meth:`~smokejumper.drills.scenario.Fault.strength`).

A fault acts at one of four points of the path a prediction takes, and each function here is
one of them:

* :func:`sampling_weights`: who arrives (covariate shift, prior shift, seasonality);
* :func:`volume_factor`: how many arrive (a volume drop upstream);
* :func:`corrupt_features`: what the model is given (nulls from a broken pipeline, a unit
  change, a renamed or new category, values frozen by a feature-store outage);
* :func:`bend_scores` and :func:`serving`: what the model answers and how (a bad version,
  confidence collapse, latency and errors).

The world's own change (concept drift, everywhere or in one segment: :func:`concept`) is
applied where outcomes are drawn (:mod:`smokejumper.drills.traffic`).

>>> import pyarrow as pa
>>> table = pa.table({"loan_amount": [100.0, 250.0]})
>>> fault = Fault("rescale", 100.0, ("loan_amount",))
>>> corrupt_features(fault, 1.0, table, np.random.default_rng(0)).column("loan_amount").to_pylist()
[10000.0, 25000.0]
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from smokejumper.drills.scenario import Fault

#: The category a ``new_category`` fault brings, per column (any other column gets ``new``).
NEW_CATEGORY = {"employment": "gig-platform", "region": "central"}


def _z(table: pa.Table, column: str) -> np.ndarray:
    values = pc.cast(table.column(column), pa.float64()).to_numpy(zero_copy_only=False)
    values = np.asarray(values, dtype=np.float64)
    finite = values[np.isfinite(values)]
    z = (values - finite.mean()) / (finite.std() or 1.0)
    return np.where(np.isfinite(z), z, 0.0)


def sampling_weights(
    fault: Fault | None, strength: float, pool: pa.Table, outcomes: np.ndarray
) -> np.ndarray:
    """How likely each pool row is to arrive in the window (not normalised). A covariate shift
    tilts towards large values of its column (``magnitude`` > 0) or small ones (< 0); a prior
    shift makes ``magnitude`` the share of positive outcomes, keeping each outcome's inputs as
    they were (``outcomes`` are the pool's drawn outcomes for this window)."""
    weights = np.ones(pool.num_rows)
    if fault is None or strength == 0.0:
        return weights
    if fault.kind == "covariate_shift":
        for column in fault.columns:
            weights *= np.exp(strength * fault.magnitude * _z(pool, column))
    elif fault.kind == "label_shift":
        base = float(outcomes.mean())
        target = base + strength * (fault.magnitude - base)
        weights = np.where(outcomes == 1, target / base, (1 - target) / (1 - base))
    return weights


def volume_factor(fault: Fault | None, strength: float) -> float:
    """The share of the usual traffic that arrives (a volume drop loses ``magnitude`` of it)."""
    if fault is not None and fault.kind == "volume_drop":
        return max(0.0, 1.0 - strength * fault.magnitude)
    return 1.0


def corrupt_features(
    fault: Fault | None, strength: float, table: pa.Table, rng: np.random.Generator
) -> pa.Table:
    """The features as the model receives them (the outcome was drawn from the true ones)."""
    if fault is None or strength == 0.0:
        return table
    for column in fault.columns:
        index = table.schema.get_field_index(column)
        values = table.column(column)
        hit = rng.random(table.num_rows) < strength * fault.magnitude
        if fault.kind == "pipeline_nulls":
            replaced = pc.if_else(pa.array(hit), pa.nulls(table.num_rows, values.type), values)
        elif fault.kind == "rescale":
            scaled = pc.multiply(
                pc.cast(values, pa.float64()), 1.0 + strength * (fault.magnitude - 1)
            )
            replaced = pc.cast(scaled, values.type, safe=False)
        elif fault.kind == "new_category":
            new = pa.array([NEW_CATEGORY.get(column, "new")] * table.num_rows, values.type)
            replaced = pc.if_else(pa.array(hit), new, values)
        elif fault.kind == "frozen":
            frozen = (
                pc.approximate_median(values).as_py() if pa.types.is_floating(values.type) else None
            )
            stale = frozen if frozen is not None else values[0].as_py()
            constant = pa.array([stale] * table.num_rows, values.type)
            replaced = pc.if_else(pa.array(hit), constant, values)
        else:
            continue
        table = table.set_column(index, column, replaced)
    return table


def concept(fault: Fault | None, strength: float, table: pa.Table) -> float | np.ndarray:
    """How far the world has moved for each row of ``table`` (the ``concept`` of
    :func:`~smokejumper.drills.base_data.default_probability`): ``strength * magnitude`` for
    every row under concept drift, for the rows of the fault's segment only under a
    ``segment_concept`` fault (0 elsewhere), 0 for any other fault.

    >>> table = pa.table({"region": ["north", "south", None]})
    >>> concept(Fault("segment_concept", 1.0, ("region",), value="south"), 0.5, table).tolist()
    [0.0, 0.5, 0.0]
    >>> concept(Fault("concept_drift", 1.0), 1.0, table)
    1.0
    """
    if fault is None or strength == 0.0:
        return 0.0
    if fault.kind == "concept_drift":
        return strength * fault.magnitude
    if fault.kind == "segment_concept":
        hit = pc.fill_null(pc.equal(table.column(fault.columns[0]), fault.value), False)
        mask = np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool)
        return np.where(mask, strength * fault.magnitude, 0.0)
    return 0.0


def bend_scores(fault: Fault | None, strength: float, scores: np.ndarray) -> np.ndarray:
    """The scores as served: a confidence collapse squeezes them towards 0.5 by ``magnitude``."""
    if fault is not None and fault.kind == "confidence_collapse" and strength > 0:
        return np.asarray(0.5 + (scores - 0.5) * (1.0 - strength * fault.magnitude))
    return scores


def serving(
    fault: Fault | None, strength: float, rows: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Latencies (ms) and error flags of ``rows`` predictions: about 35 ms and no errors, or
    for a serving spike ``magnitude`` times slower with 10% of the requests failing."""
    latency = rng.lognormal(np.log(35.0), 0.35, rows)
    errors = np.zeros(rows, dtype=bool)
    if fault is not None and fault.kind == "serving_spike" and strength > 0:
        latency *= 1.0 + strength * (fault.magnitude - 1.0)
        errors = rng.random(rows) < 0.1 * strength
    return latency, errors
