"""Evaluate one monitor on one window: a pure function of the window's data.

>>> import pyarrow as pa
>>> from datetime import UTC, datetime
>>> from smokejumper.monitoring.monitors import parse_monitor
>>> rows = pa.table({"latency_ms": [10.0, 20.0, 30.0, 400.0]})
>>> window = WindowData(datetime(2026, 1, 1, tzinfo=UTC), rows)
>>> obs = evaluate(parse_monitor({"name": "p50", "model": "m", "type": "latency",
...                               "quantile": 0.5, "max": 100}), window)
>>> obs.value, obs.healthy
(25.0, True)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from smokejumper.errors import SmokejumperError
from smokejumper.monitoring import monitors as m
from smokejumper.monitoring.classification import METRICS, Confusion, roc_auc
from smokejumper.monitoring.drift_share import subset
from smokejumper.stats.categorical import CategoricalProfile
from smokejumper.stats.compare import compare
from smokejumper.stats.dataset import DatasetProfile
from smokejumper.stats.numeric import NumericProfile
from smokejumper.stats.report import DriftReport


@dataclass(frozen=True)
class WindowData:
    """Everything known about one window of one model."""

    start: datetime
    predictions: pa.Table  # the window's rows, in the model's stored layout
    profile: DatasetProfile | None = None  # merged window profile, on the reference's bins
    reference: DatasetProfile | None = None
    labels: pa.Table | None = None  # columns ``id`` and ``label`` (text), one row per id
    baseline: pa.Table | None = None  # prediction and confidence of the first window with rows
    custom: dict[str, float] = field(default_factory=dict)
    rejected_batches: int = 0  # batches refused while the window was open
    #: Results shared by the monitors of one window (a drift report, the label join, a
    #: confusion count, missing values per column), so that several monitors on the same
    #: window compute them once.
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def shared(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per window and key."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]


@dataclass(frozen=True)
class Observation:
    """A monitor's value for a window, whether it is healthy, and how it was reached."""

    value: float | None
    healthy: bool | None
    details: dict[str, Any] = field(default_factory=dict)


#: Why a monitor that reads the window's rows or profile has no value on a window without rows.
NO_ROWS = "no rows in the window"


def _none(reason: str) -> tuple[float | None, dict[str, Any]]:
    return None, {"reason": reason}


def _share(count: int, total: int) -> float | None:
    return count / total if total else None


def _missing(w: WindowData, name: str) -> int:
    """Null and NaN values of a column of the window's rows."""

    def count() -> int:
        column = w.predictions.column(name)
        nulls = column.null_count
        if pa.types.is_floating(column.type):
            nulls += pc.sum(pc.is_nan(column.fill_null(0.0))).as_py() or 0
        return int(nulls)

    missing: int = w.shared(("missing", name), count)
    return missing


#: Memo key of the columns one shared drift report covers (``None``: all of them).
_DRIFT_PLAN = "drift plan"


def _plan_drift(specs: Sequence[m.MonitorSpec], w: WindowData) -> None:
    """Let the window's feature-drift monitors share one report: over every column when one
    of them takes every column, else over the columns they name between them."""
    wanted = [s.columns for s in specs if isinstance(s, m.FeatureDrift)]
    if len(wanted) < 2:
        return
    if not all(wanted):
        w.memo[_DRIFT_PLAN] = None
    else:
        w.memo[_DRIFT_PLAN] = tuple(dict.fromkeys(c for cols in wanted if cols for c in cols))


def _drift_report(w: WindowData, columns: tuple[str, ...] | None) -> DriftReport:
    reference, current = w.reference, w.profile
    if columns is not None and _DRIFT_PLAN in w.memo:
        plan = w.memo[_DRIFT_PLAN]
        try:
            shared: DriftReport = w.shared(
                ("drift", plan), lambda: compare(reference, current, columns=plan)
            )
        except SmokejumperError:
            pass  # e.g. a column one monitor names is unknown: each monitor meets its own error
        else:
            report = subset(shared, columns, named=plan is not None)
            if report is not None:
                return report
    own: DriftReport = w.shared(
        ("drift", columns), lambda: compare(reference, current, columns=columns)
    )
    return own


def _feature_drift(spec: m.FeatureDrift, w: WindowData) -> tuple[float | None, dict[str, Any]]:
    if w.reference is None:
        return _none("the model has no reference yet")
    if w.profile is None:
        return _none(NO_ROWS)
    report = _drift_report(w, tuple(spec.columns) if spec.columns else None)
    details = {
        "dataset_drift": report.dataset_drift,
        "columns": {
            c.name: {"effect_size": c.effect_size, "drift": c.drift, "method": c.method}
            for c in report.columns
        },
    }
    return report.share_drifted, details


def _shift(w: WindowData, column: str) -> tuple[float | None, dict[str, Any]]:
    """Drift of one logged column against the model's first window with rows."""
    if w.baseline is None or w.baseline.num_rows == 0:
        return _none("no earlier window to compare with")
    if w.predictions.column(column).null_count == w.predictions.num_rows:
        return _none(f"no {column} logged")
    report = compare(w.baseline.select([column]), w.predictions.select([column]))
    result = report.column(column)
    if result.status != "tested":
        return _none(result.note or f"{column} could not be compared")
    return result.effect_size, {"method": result.method, "drift": result.drift}


def _prediction_drift(
    spec: m.PredictionDrift, w: WindowData
) -> tuple[float | None, dict[str, Any]]:
    return _shift(w, "prediction")


def _null_rate(spec: m.NullRate, w: WindowData) -> tuple[float | None, dict[str, Any]]:
    rows = w.predictions.num_rows
    names = (
        [spec.column]
        if spec.column
        else [
            n
            for n in w.predictions.column_names
            if n
            not in ("id", "timestamp", "version", "prediction", "confidence", "latency_ms", "error")
        ]
    )
    rates = {n: _share(_missing(w, n), rows) for n in names}
    known = {n: r for n, r in rates.items() if r is not None}
    if not known:
        return _none("no rows")
    worst = max(known, key=lambda n: known[n])
    return known[worst], {"column": worst, "rates": known}


def _out_of_range(spec: m.OutOfRange, w: WindowData) -> tuple[float | None, dict[str, Any]]:
    ref = w.reference.columns.get(spec.column) if w.reference else None
    if not isinstance(ref, NumericProfile) or ref.n == 0:
        return _none(f"no numeric reference for {spec.column!r}")
    values = w.predictions.column(spec.column).drop_null().to_numpy(zero_copy_only=False)
    values = values[~np.isnan(values)]
    outside = int(np.count_nonzero((values < ref.min) | (values > ref.max)))
    return _share(outside, values.size), {"reference_min": ref.min, "reference_max": ref.max}


def _unseen(spec: m.UnseenCategories, w: WindowData) -> tuple[float | None, dict[str, Any]]:
    ref = w.reference.columns.get(spec.column) if w.reference else None
    if not isinstance(ref, CategoricalProfile):
        return _none(f"no categorical reference for {spec.column!r}")
    known = pa.array(list(ref.frequencies()), pa.string())
    values = w.predictions.column(spec.column).drop_null().cast(pa.string())
    new = pc.invert(pc.is_in(values, value_set=known))
    unseen = sorted(set(pc.filter(values, new).to_pylist()))[:20]
    return _share(int(pc.sum(new).as_py() or 0), len(values)), {"examples": unseen}


def _confidence(spec: m.Confidence, w: WindowData) -> tuple[float | None, dict[str, Any]]:
    if spec.statistic == "drift":
        return _shift(w, "confidence")
    values = w.predictions.column("confidence").drop_null().to_numpy(zero_copy_only=False)
    if values.size == 0:
        return _none("no confidence logged")
    if spec.statistic == "mean":
        return float(values.mean()), {"n": int(values.size)}
    return float(np.mean(values < spec.below)), {"n": int(values.size), "below": spec.below}


def _latency(spec: m.Latency, w: WindowData) -> tuple[float | None, dict[str, Any]]:
    values = w.predictions.column("latency_ms").drop_null().to_numpy(zero_copy_only=False)
    if values.size == 0:
        return _none("no latency logged")
    return float(np.quantile(values, spec.quantile)), {"n": int(values.size)}


def _error_rate(spec: m.ErrorRate, w: WindowData) -> tuple[float | None, dict[str, Any]]:
    errors = w.predictions.column("error").fill_null(False)
    return _share(int(pc.sum(errors).as_py() or 0), len(errors)), {}


def _join(predictions: pa.Table, labels: pa.Table) -> pa.Table:
    """The labelled rows with their ``label``, in the order of the rows (an inner join)."""
    at = pc.index_in(predictions.column("id"), value_set=labels.column("id"))
    rows = predictions.filter(pc.is_valid(at))
    return rows.append_column("label", labels.column("label").take(pc.drop_null(at)))


def _joined(w: WindowData) -> pa.Table | None:
    labels = w.labels
    if labels is None or labels.num_rows == 0:
        return None
    joined: pa.Table = w.shared("joined", lambda: _join(w.predictions, labels))
    return joined if joined.num_rows else None


def _classes(
    table: pa.Table, threshold: float, positive: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """True classes, predicted classes and scores (when predictions are numbers)."""
    label = table.column("label").cast(pa.string())
    truth = pc.equal(label, positive).fill_null(False).to_numpy(zero_copy_only=False)
    prediction = table.column("prediction")
    if pa.types.is_floating(prediction.type):
        scores = prediction.fill_null(np.nan).to_numpy(zero_copy_only=False)
        return truth, scores >= threshold, scores
    labels = [str(v).lower() if isinstance(v, bool) else str(v) for v in prediction.to_pylist()]
    return truth, np.asarray(labels) == positive, None


def _labelled_classes(
    w: WindowData, joined: pa.Table, threshold: float, positive: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    found: tuple[np.ndarray, np.ndarray, np.ndarray | None] = w.shared(
        ("classes", threshold, positive), lambda: _classes(joined, threshold, positive)
    )
    return found


def _performance(spec: m.Performance, w: WindowData) -> tuple[float | None, dict[str, Any]]:
    joined = _joined(w)
    if joined is None:
        return _none("no labels joined yet")
    details = {"labelled": joined.num_rows, "rows": w.predictions.num_rows}
    if spec.metric in ("rmse", "mae"):
        truth = np.asarray(joined.column("label").to_pylist(), dtype=np.float64)
        pred = joined.column("prediction").to_numpy(zero_copy_only=False).astype(np.float64)
        error = pred - truth
        value = np.sqrt(np.mean(error**2)) if spec.metric == "rmse" else np.mean(np.abs(error))
        return float(value), details
    truth, predicted, scores = _labelled_classes(w, joined, spec.threshold, spec.positive)
    if spec.metric in METRICS:
        key = ("confusion", spec.threshold, spec.positive)
        counts: Confusion = w.shared(key, lambda: Confusion.of(truth, predicted))
        return counts.metric(spec.metric), details
    if scores is not None:
        finite = np.isfinite(scores)
        truth, scores = truth[finite], scores[finite]
        details["scored"] = int(finite.sum())
    if scores is None or len(set(truth.tolist())) < 2:
        return _none("ROC AUC needs numeric scores and both classes among the labels")
    return roc_auc(truth, scores), details


def _fairness(spec: m.Fairness, w: WindowData) -> tuple[float | None, dict[str, Any]]:
    try:
        from fairlearn import metrics as fair
    except ImportError:
        return _none("fairness monitors need fairlearn: pip install 'smokejumper[fairness]'")
    table = w.predictions if spec.metric == "demographic_parity_difference" else _joined(w)
    if table is None or table.num_rows == 0:
        return _none("no labels joined yet" if w.predictions.num_rows else "no rows")
    groups = np.asarray(table.column(spec.segment).cast(pa.string()).fill_null("(null)"))
    if "label" in table.column_names:
        truth, predicted, _ = _classes(table, spec.threshold, spec.positive)
    else:
        _, predicted, _ = _classes(
            table.append_column("label", pa.nulls(table.num_rows, pa.string())),
            spec.threshold,
            spec.positive,
        )
        truth = predicted
    score = getattr(fair, spec.metric)(truth, predicted, sensitive_features=groups)
    return float(score), {"segment": spec.segment, "groups": sorted(set(groups.tolist()))}


def _custom(spec: m.Custom, w: WindowData) -> tuple[float | None, dict[str, Any]]:
    if spec.metric not in w.custom:
        return _none(f"no value of {spec.metric!r} was posted for this window")
    return w.custom[spec.metric], {}


_EVALUATORS: dict[str, Callable[[Any, WindowData], tuple[float | None, dict[str, Any]]]] = {
    "feature_drift": _feature_drift,
    "prediction_drift": _prediction_drift,
    "null_rate": _null_rate,
    "out_of_range": _out_of_range,
    "unseen_categories": _unseen,
    "volume": lambda spec, w: (float(w.predictions.num_rows), {}),
    "rejected_batches": lambda spec, w: (float(w.rejected_batches), {}),
    "confidence": _confidence,
    "latency": _latency,
    "error_rate": _error_rate,
    "performance": _performance,
    "fairness": _fairness,
    "custom": _custom,
}


#: Monitor types whose value comes from the window's rows: a window without rows (a silent
#: one, or one with refused batches only) gives them no value, with :data:`NO_ROWS` as reason.
READ_ROWS = frozenset(_EVALUATORS) - {"feature_drift", "volume", "rejected_batches", "custom"}


def evaluate(spec: m.MonitorSpec, window: WindowData) -> Observation:
    """The monitor's observation for the window."""
    if spec.type in READ_ROWS and window.predictions.num_rows == 0:
        value, details = _none(NO_ROWS)
    else:
        value, details = _EVALUATORS[spec.type](spec, window)
    return Observation(value=value, healthy=spec.healthy(value), details=details)


def evaluate_all(specs: Sequence[m.MonitorSpec], window: WindowData) -> list[Observation]:
    """The observation of each monitor for the window, in order. What several monitors need
    (a drift report, the label join, a confusion count) is computed once; a monitor that fails
    gets an observation holding the error, and the others go on."""
    _plan_drift(specs, window)
    out = []
    for spec in specs:
        try:
            out.append(evaluate(spec, window))
        except Exception as err:  # one broken monitor must not stop the others
            out.append(Observation(None, None, {"error": f"{type(err).__name__}: {err}"}))
    return out
