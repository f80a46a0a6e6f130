"""Multivariate drift: a domain classifier that tries to tell reference rows from current rows.

A gradient-boosted classifier is trained, with 5-fold cross-validation, to predict which side a
row comes from. If the joint distribution is unchanged its out-of-fold ROC AUC stays near 0.5;
a change that no single column shows (say, a correlation that flips sign) lifts it. The p-value
is that of the Mann-Whitney U statistic behind the AUC under the null (normal approximation);
drift needs both p < alpha and AUC >= the threshold (0.55 by default).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa
from scipy import stats

from smokejumper.frames.kinds import ColumnKind
from smokejumper.stats.columns import label, numeric_values, value_counts
from smokejumper.stats.report import MultivariateDrift

AUC_THRESHOLD = 0.55
MAX_ROWS_PER_SIDE = 5000
FOLDS = 5


def _is_number(kind: ColumnKind) -> bool:
    return kind in (ColumnKind.NUMERIC, ColumnKind.DATETIME)


def _features(
    table: pa.Table,
    columns: Sequence[str],
    kinds: Mapping[str, ColumnKind],
    categories: Mapping[str, list[str]],
) -> np.ndarray:
    """Rows x columns floats: numbers as they are, categories as codes, nulls as NaN."""
    out = np.full((table.num_rows, len(columns)), np.nan)
    for j, name in enumerate(columns):
        column = table.column(name)
        present = np.asarray(column.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        if _is_number(kinds[name]):
            values, _ = numeric_values(column, kinds[name])
            out[present, j] = values
        else:
            index = {v: float(i) for i, v in enumerate(categories[name])}
            labels = [label(v) for v in column.drop_null().to_pylist()]
            out[present, j] = [index.get(v, np.nan) for v in labels]
    return out


def _sample(table: pa.Table, rng: np.random.Generator) -> pa.Table:
    if table.num_rows <= MAX_ROWS_PER_SIDE:
        return table
    return table.take(np.sort(rng.choice(table.num_rows, MAX_ROWS_PER_SIDE, replace=False)))


def domain_classifier(
    reference: pa.Table,
    current: pa.Table,
    columns: Sequence[str],
    kinds: Mapping[str, ColumnKind],
    *,
    alpha: float = 0.05,
    threshold: float = AUC_THRESHOLD,
    seed: int = 0,
) -> MultivariateDrift:
    """Cross-validated AUC of a classifier separating ``reference`` from ``current`` rows."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    rng = np.random.default_rng(seed)
    ref, cur = _sample(reference, rng), _sample(current, rng)
    categories: dict[str, list[str]] = {}
    for name in columns:
        if not _is_number(kinds[name]):
            both = pa.chunked_array(ref.column(name).chunks + cur.column(name).chunks)
            counts, _ = value_counts(both)
            # Gradient boosting takes at most 255 category codes; rarer values become NaN.
            categories[name] = sorted(counts, key=lambda v: -counts[v])[:250]
    x = np.vstack([_features(t, columns, kinds, categories) for t in (ref, cur)])
    y = np.r_[np.zeros(ref.num_rows), np.ones(cur.num_rows)]
    model = HistGradientBoostingClassifier(
        max_iter=100,
        categorical_features=[not _is_number(kinds[c]) for c in columns],
        random_state=seed,
    )
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
    scores = cross_val_predict(model, x, y, cv=folds, method="predict_proba")[:, 1]
    auc = float(roc_auc_score(y, scores))
    n1, n2 = ref.num_rows, cur.num_rows
    sd = math.sqrt((n1 + n2 + 1) / (12 * n1 * n2))
    p_value = float(stats.norm.sf((auc - 0.5) / sd))
    return MultivariateDrift(
        method="domain classifier (gradient boosting, 5-fold CV ROC AUC)",
        auc=auc,
        p_value=p_value,
        threshold=threshold,
        drift=bool(p_value < alpha and auc >= threshold),
        rows_used=n1 + n2,
        columns=list(columns),
    )
