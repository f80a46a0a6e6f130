"""What the label-reading monitors share: the rows joined to their labels, and the classes.

>>> import pyarrow as pa
>>> rows = pa.table({"id": ["a", "b", "c"], "prediction": [0.9, 0.2, 0.7]})
>>> labels = pa.table({"id": ["c", "a"], "label": ["0", "1"]})
>>> joined = join(rows, labels)
>>> joined.column("label").to_pylist()
['1', '0']
>>> truth, predicted, scores = classes(joined, threshold=0.5, positive="1")
>>> truth.tolist(), predicted.tolist()
([True, False], [True, True])
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from smokejumper.monitoring.monitors.window import WindowData

#: True classes, predicted classes, and the scores (when predictions are numbers).
Classes = tuple[np.ndarray, np.ndarray, np.ndarray | None]


def join(predictions: pa.Table, labels: pa.Table) -> pa.Table:
    """The labelled rows with their ``label``, in the order of the rows (an inner join)."""
    at = pc.index_in(predictions.column("id"), value_set=labels.column("id"))
    rows = predictions.filter(pc.is_valid(at))
    return rows.append_column("label", labels.column("label").take(pc.drop_null(at)))


def joined(window: WindowData) -> pa.Table | None:
    """The window's labelled rows (joined once per window), or ``None`` when there are none."""
    labels = window.labels
    if labels is None or labels.num_rows == 0:
        return None
    table: pa.Table = window.shared("joined", lambda: join(window.predictions, labels))
    return table if table.num_rows else None


def classes(table: pa.Table, threshold: float, positive: str) -> Classes:
    """True classes, predicted classes and scores (when predictions are numbers)."""
    label = table.column("label").cast(pa.string())
    truth = pc.equal(label, positive).fill_null(False).to_numpy(zero_copy_only=False)
    prediction = table.column("prediction")
    if pa.types.is_floating(prediction.type):
        scores = prediction.fill_null(np.nan).to_numpy(zero_copy_only=False)
        return truth, scores >= threshold, scores
    labels = [str(v).lower() if isinstance(v, bool) else str(v) for v in prediction.to_pylist()]
    return truth, np.asarray(labels) == positive, None


def labelled_classes(
    window: WindowData, table: pa.Table, threshold: float, positive: str
) -> Classes:
    """:func:`classes` of the window's joined rows, computed once per window and cut-off."""
    found: Classes = window.shared(
        ("classes", threshold, positive), lambda: classes(table, threshold, positive)
    )
    return found
