"""The base data of the drills: the loan applications shipped with the package
(``smokejumper/data/loans_reference.parquet``, 5,000 rows), and the world their outcomes come
from.

Nothing is downloaded: the pool is read from the installed package. The applications carry no
outcome, so the drills draw one from a fixed *world*: the probability of default rises as the
credit score falls and as the loan grows against the income, and jumps for applicants with a
thin income (under 22,000 a year), a threshold that a linear model only half learns. That
threshold is what makes some covariate drift harmful (more thin-income applicants) and some
harmless (older applicants: the world ignores age).

>>> pool = loans_pool()
>>> pool.table.num_rows, pool.numeric, pool.categorical
(5000, ('age', 'income', 'credit_score', 'loan_amount', 'open_accounts'), ('employment', 'region'))
>>> p = default_probability(pool.table)
>>> bool(0.15 < p.mean() < 0.45)
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

#: The income under which the world's risk jumps (a thin file).
THIN_INCOME = 22_000.0


@dataclass(frozen=True)
class BasePool:
    """Rows to draw traffic from, with the kinds of their feature columns."""

    name: str
    table: pa.Table
    id_column: str
    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    boolean: tuple[str, ...]
    segment: str

    @property
    def features(self) -> tuple[str, ...]:
        """Every feature, numeric first."""
        return (*self.numeric, *self.categorical, *self.boolean)

    def schema(self, inputs: list[dict[str, str]] | None = None) -> dict[str, Any]:
        """The model schema the server registers for this pool's features."""
        return {
            "features": [
                *({"name": n, "kind": "numeric"} for n in self.numeric),
                *({"name": n, "kind": "categorical"} for n in self.categorical),
                *({"name": n, "kind": "boolean"} for n in self.boolean),
            ],
            "prediction_kind": "numeric",
            "segments": [self.segment],
            **({"inputs": inputs} if inputs else {}),
        }


@cache
def loans_pool() -> BasePool:
    """The shipped loan applications (read once)."""
    data = resources.files("smokejumper") / "data" / "loans_reference.parquet"
    with resources.as_file(data) as path:
        table = pq.read_table(path)
    return BasePool(
        name="loans",
        table=table,
        id_column="applicant_id",
        numeric=("age", "income", "credit_score", "loan_amount", "open_accounts"),
        categorical=("employment", "region"),
        boolean=("has_mortgage",),
        segment="region",
    )


def _floats(table: pa.Table, name: str, fill: float) -> np.ndarray:
    column = pc.cast(table.column(name), pa.float64())
    values = column.to_numpy(zero_copy_only=False).astype(np.float64)
    return np.where(np.isfinite(values), values, fill)


def default_probability(table: pa.Table, *, concept: float | np.ndarray = 0.0) -> np.ndarray:
    """The world's probability of default for each application of ``table`` (its true
    features, before any fault corrupts what the model sees). ``concept`` in [0, 1] moves
    the world towards another one (concept drift): at 1 the credit score no longer tells
    anything and the loan size tells the opposite of what it used to. An array of one
    ``concept`` per row moves the world for some rows only (one segment)."""
    credit = _floats(table, "credit_score", 680.0)
    income = np.maximum(_floats(table, "income", 44_000.0), 1.0)
    ratio = _floats(table, "loan_amount", 12_000.0) / income
    score_term = -(credit - 680.0) / 40.0 * (1.0 - concept)
    ratio_term = 3.5 * (ratio - 0.3) * (1.0 - 2.0 * concept)
    thin = np.where(income < THIN_INCOME, 2.2, 0.0)
    logit = -1.6 + score_term + ratio_term + thin
    return np.asarray(1.0 / (1.0 + np.exp(-logit)))
