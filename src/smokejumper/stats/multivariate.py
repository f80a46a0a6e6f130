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
from smokejumper.report.model import MultivariateDrift
from smokejumper.stats.columns import numeric_values, value_counts

AUC_THRESHOLD = 0.55
MAX_ROWS_PER_SIDE = 5000
FOLDS = 5


def _features(
    table: pa.Table, columns: Sequence[str], kinds: Mapping[str, ColumnKind],
    categories: dict[str, list[str]],
) -> np.ndarray:
    out = np.empty((table.num_rows, len(columns)))
    for j, name in enumerate(columns):
        column = table.column(name)
        if kinds[name] in (ColumnKind.NUMERIC, ColumnKind.DATETIME):
            values = column.cast(pa.float64()) if kinds[name] is ColumnKind.NUMERIC else column
            present, _ = numeric_values(values.fill_null(np.nan) if kinds[name] is ColumnKind.NUMERIC else values.drop_null(), kinds[name])
            if present.size == table.num_rows:
                out[:, j] = present
                continue
            out[:, j] = np.nan
            continue
        labels = [None if v is None else str(v).lower() if isinstance(v, bool) else str(v) for v in column.to_pylist()]
        index = {v: i for i, v in enumerate(categories[name])}
        out[:, j] = [index.get(v, np.nan) if v is not None else np.nan for v in labels]  # type: ignore[arg-type]
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
        if kinds[name] not in (ColumnKind.NUMERIC, ColumnKind.DATETIME):
            counts, _ = value_counts(pa.chunked_array(ref.column(name).chunks + cur.column(name).chunks))
            categories[name] = sorted(counts, key=lambda v: -counts[v])[:250]
    x = np.vstack([_features(ref, columns, kinds, categories), _features(cur, columns, kinds, categories)])
    y = np.r_[np.zeros(ref.num_rows), np.ones(cur.num_rows)]
    model = HistGradientBoostingClassifier(
        max_iter=100,
        categorical_features=[kinds[c] not in (ColumnKind.NUMERIC, ColumnKind.DATETIME) for c in columns],
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
