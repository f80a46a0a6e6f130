"""The drill's model: a small scikit-learn logistic regression trained at drill start, with a
fixed seed, on the base pool and outcomes drawn from the world.

The features are encoded here (numbers imputed with the training median and standardised,
categories one-hot with an unseen category as all zeros, booleans as 0/1), so no data frame
library is needed and a corrupted column (nulls, a new category) still scores, as a real
serving stack would.

>>> from smokejumper.drills.base_data import loans_pool
>>> model = train_model(loans_pool(), seed=7)
>>> bool(0.7 < model.holdout_accuracy < 0.95)
True
>>> scores = model.score(loans_pool().table.slice(0, 3))
>>> scores.shape, bool(((scores >= 0) & (scores <= 1)).all())
((3,), True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.linear_model import LogisticRegression

from smokejumper.drills.base_data import BasePool, default_probability

#: The share of the pool held out to measure the model's accuracy.
HOLDOUT = 0.3


@dataclass(frozen=True)
class Encoding:
    """How a table's features become the model's numbers (learned from the training rows)."""

    numeric: tuple[str, ...]
    medians: tuple[float, ...]
    scales: tuple[float, ...]
    categories: tuple[tuple[str, tuple[str, ...]], ...]
    boolean: tuple[str, ...]

    @classmethod
    def fit(cls, pool: BasePool, table: pa.Table) -> Encoding:
        medians, scales = [], []
        for name in pool.numeric:
            values = _numbers(table, name)
            finite = values[np.isfinite(values)]
            medians.append(float(np.median(finite)))
            scales.append(float(np.std(finite)) or 1.0)
        categories = tuple(
            (name, tuple(sorted(str(v) for v in pc.unique(table.column(name)).to_pylist() if v)))
            for name in pool.categorical
        )
        return cls(pool.numeric, tuple(medians), tuple(scales), categories, pool.boolean)

    def encode(self, table: pa.Table) -> np.ndarray:
        """The design matrix of ``table``."""
        parts = []
        for name, median, scale in zip(self.numeric, self.medians, self.scales, strict=True):
            values = _numbers(table, name)
            parts.append(
                ((np.where(np.isfinite(values), values, median) - median) / scale)[:, None]
            )
        for name, known in self.categories:
            values = np.asarray(table.column(name).to_pylist(), dtype=object)
            parts.append(np.stack([values == k for k in known], axis=1).astype(np.float64))
        for name in self.boolean:
            flags = table.column(name).to_pylist()
            parts.append(np.asarray([1.0 if v else 0.0 for v in flags])[:, None])
        return np.hstack(parts)


def _numbers(table: pa.Table, name: str) -> np.ndarray:
    column = pc.cast(table.column(name), pa.float64())
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64)


@dataclass(frozen=True)
class DrillModel:
    """A trained model: its encoding, the fitted estimator and its holdout accuracy."""

    encoding: Encoding
    estimator: LogisticRegression
    holdout_accuracy: float
    version: str = "v1"

    def score(self, table: pa.Table) -> np.ndarray:
        """The probability of default for each row of ``table``."""
        return np.asarray(self.estimator.predict_proba(self.encoding.encode(table))[:, 1])


def train_model(pool: BasePool, seed: int, *, shuffle_labels: bool = False) -> DrillModel:
    """Train on 70% of the pool with outcomes drawn from the world (seeded), measure accuracy on
    the rest. ``shuffle_labels`` trains a broken model (the bad version of a drill)."""
    rng = np.random.default_rng([seed, 1])
    table = pool.table
    outcomes = (rng.random(table.num_rows) < default_probability(table)).astype(np.int64)
    order = rng.permutation(table.num_rows)
    cut = int(table.num_rows * (1 - HOLDOUT))
    train, test = order[:cut], order[cut:]
    train_table, test_table = table.take(pa.array(train)), table.take(pa.array(test))
    encoding = Encoding.fit(pool, train_table)
    labels = outcomes[train]
    if shuffle_labels:
        labels = 1 - labels
    estimator = LogisticRegression(max_iter=500, random_state=seed)
    estimator.fit(encoding.encode(train_table), labels)
    predicted = estimator.predict(encoding.encode(test_table))
    accuracy = float(np.mean(predicted == outcomes[test]))
    return DrillModel(encoding, estimator, accuracy, "v2" if shuffle_labels else "v1")
