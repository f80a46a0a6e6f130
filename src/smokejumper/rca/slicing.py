"""Which segments degrade: group-bys over the raw rows around the onset (pyarrow), each value
of a segment column (and of ``version``) compared before and after the onset, with a test of
significance and a minimum support.

A row is *bad* when one of the suspect columns (the columns the service read beside the
segments: those whose nulls spiked or that monitors named) is null or NaN, or when it was
logged with ``error: true``. Per value: the bad share before and after (a one-sided
two-proportion z-test) and, for numeric predictions, the mean prediction before and after
(Welch's z, two-sided, and a standardised shift of at least :data:`MIN_SHIFT`). p-values are
Bonferroni-corrected over the values tested in a column; values with fewer than
:data:`MIN_SUPPORT` rows on either side are not tested.

When the rows carry their ``label`` (joined by the service: :func:`with_labels`), each value
is also judged on the model's **errors** among its labelled rows (a numeric prediction is
read as positive at :data:`THRESHOLD`, against the label :data:`POSITIVE`; any other
prediction is right when it equals its label): the error share before and after (one-sided
two-proportion z-test) and whether it rose more than in the rest of the column's values (a
difference in differences: one-sided z with unpooled variances). Errors that rose in one
value *and* significantly more than in the rest are confined to it (``errors_alone``): one
segment, not all traffic. Both tests are Bonferroni-corrected and need
:data:`MIN_SUPPORT` labelled rows each side, and the rise must be at least
:data:`MIN_ERROR_RISE`.

>>> import pyarrow as pa
>>> from datetime import UTC, datetime
>>> t0, t1 = datetime(2026, 11, 1, 1, tzinfo=UTC), datetime(2026, 11, 1, 3, tzinfo=UTC)
>>> n = 400
>>> rows = pa.table({
...     "timestamp": pa.array([t0] * n + [t1] * n, pa.timestamp("us", tz="UTC")),
...     "plan": ["basic", "pro"] * n,
...     "age": [40.0] * n + [None if i % 2 == 0 else 40.0 for i in range(n)]})
>>> [s for s in segment_shifts(rows, ("plan",), t1) if s["significant"]][0]["value"]
'basic'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

#: Columns of a logged prediction that are never suspects.
RECORD = (
    "id",
    "timestamp",
    "version",
    "prediction",
    "confidence",
    "latency_ms",
    "error",
    "label",
)
MIN_SUPPORT = 30
ALPHA = 0.01
MIN_RISE = 0.02
MIN_SHIFT = 0.2
#: The least rise of a value's error share (and of its excess over the rest's) that counts.
MIN_ERROR_RISE = 0.05
#: How a numeric prediction becomes a class to compare with its label.
THRESHOLD = 0.5
POSITIVE = "1"


def with_labels(rows: pa.Table, labels: Mapping[str, str]) -> pa.Table:
    """``rows`` with a ``label`` column: each row's label by its ``id`` (null when none came).

    >>> rows = pa.table({"id": ["a", "b"], "prediction": [0.9, 0.1]})
    >>> with_labels(rows, {"b": "0"}).column("label").to_pylist()
    [None, '0']
    """
    return rows.append_column("label", labels_by_id(rows.column("id"), labels))


def labels_by_id(ids: pa.Array | pa.ChunkedArray, labels: Mapping[str, str]) -> pa.Array:
    """Each id's label (null when it has none), matched in Arrow, not row by row in Python.

    >>> labels_by_id(pa.array(["a", None, "b"]), {"b": "0"}).to_pylist()
    [None, None, '0']
    """
    keys = pa.array(list(labels), pa.string())
    values = pa.array(list(labels.values()), pa.string())
    where = pc.index_in(pc.cast(ids, pa.string()), value_set=keys)
    found = values.take(where)
    return found.combine_chunks() if isinstance(found, pa.ChunkedArray) else found


def wrong_rows(rows: pa.Table) -> tuple[pa.Array, pa.Array] | None:
    """Per row, whether it is labelled and whether the model got it wrong (``None`` without a
    ``label`` or ``prediction`` column).

    >>> rows = pa.table({"prediction": [0.9, 0.2, 0.7], "label": ["1", "1", None]})
    >>> labelled, wrong = wrong_rows(rows)
    >>> labelled.to_pylist(), wrong.to_pylist()
    ([True, True, False], [False, True, False])
    """
    if "label" not in rows.column_names or "prediction" not in rows.column_names:
        return None
    label = pc.cast(rows.column("label"), pa.string())
    labelled = pc.is_valid(label)
    prediction = rows.column("prediction")
    if pa.types.is_floating(prediction.type) or pa.types.is_integer(prediction.type):
        said = pc.greater_equal(pc.cast(prediction, pa.float64()), THRESHOLD)
        truth = pc.equal(label, POSITIVE)
        wrong = pc.not_equal(said, truth)
    else:
        wrong = pc.not_equal(pc.cast(prediction, pa.string()), label)
    wrong = pc.and_(labelled, pc.fill_null(wrong, False))
    return pc.fill_null(labelled, False).combine_chunks(), wrong.combine_chunks()


def bad_rows(rows: pa.Table, segments: Sequence[str]) -> pa.ChunkedArray | None:
    """Per row, whether it is bad (``None`` when nothing marks a row bad)."""
    marks = []
    for name in rows.column_names:
        if name in RECORD or name in segments:
            continue
        column = rows.column(name)
        missing = pc.is_null(column, nan_is_null=pa.types.is_floating(column.type))
        marks.append(missing)
    if "error" in rows.column_names:
        marks.append(pc.fill_null(rows.column("error"), False))
    if not marks:
        return None
    out = marks[0]
    for mark in marks[1:]:
        out = pc.or_(out, mark)
    return out


def _p_one_sided(z: float) -> float:
    return 0.5 * math.erfc(z / math.sqrt(2))


def _rate_test(n0: int, x0: int, n1: int, x1: int) -> float:
    p = (x0 + x1) / (n0 + n1)
    se = math.sqrt(p * (1 - p) * (1 / n0 + 1 / n1))
    if se == 0:
        return 1.0 if x1 / n1 <= x0 / n0 else 0.0
    return _p_one_sided((x1 / n1 - x0 / n0) / se)


def segment_shifts(rows: pa.Table, columns: Sequence[str], onset: datetime) -> list[dict[str, Any]]:
    """For each value of each of ``columns`` in ``rows``: rows and bad share before and after
    ``onset``, the mean prediction's standardised shift, the corrected p-value and whether
    it degraded significantly."""
    ts = rows.column("timestamp")
    after = pc.greater_equal(ts, pa.scalar(onset, ts.type))
    bad = bad_rows(rows, [c for c in columns if c != "version"])
    data: dict[str, Any] = {"after": after}
    if bad is not None:
        data["bad"] = pc.cast(bad, pa.int64())
    numeric = "prediction" in rows.column_names and pa.types.is_floating(
        rows.schema.field("prediction").type
    )
    if numeric:
        data["prediction"] = rows.column("prediction")
    marked = wrong_rows(rows)
    if marked is not None:
        data["labelled"] = pc.cast(marked[0], pa.int64())
        data["wrong"] = pc.cast(marked[1], pa.int64())
    out: list[dict[str, Any]] = []
    for column in columns:
        if column not in rows.column_names:
            continue
        table = pa.table({**data, "key": pc.cast(rows.column(column), pa.string())})
        aggs: list[tuple[str, str]] = [("after", "count")]
        if bad is not None:
            aggs.append(("bad", "sum"))
        if numeric:
            aggs += [("prediction", "mean"), ("prediction", "stddev"), ("prediction", "count")]
        if marked is not None:
            aggs += [("labelled", "sum"), ("wrong", "sum")]
        grouped = table.group_by(["key", "after"]).aggregate(aggs).to_pylist()
        sides: dict[str, dict[bool, dict[str, Any]]] = {}
        for g in grouped:
            sides.setdefault(g["key"] if g["key"] is not None else "(null)", {})[g["after"]] = g
        tested = [
            v
            for v, s in sides.items()
            if all(s.get(k, {}).get("after_count", 0) >= MIN_SUPPORT for k in (False, True))
        ]
        labelled = [v for v, s in sides.items() if all(_count(s, k) >= MIN_SUPPORT for k in _SIDES)]
        totals = {k: _errors(sides.values(), k) for k in _SIDES}
        for value in sorted(sides):
            judged = _judge(column, value, sides[value], value in tested, len(tested))
            if marked is not None:
                judged |= _judge_errors(
                    sides[value], totals, value in labelled and len(labelled) >= 2, len(labelled)
                )
            out.append(judged)
    return out


_SIDES = (False, True)


def _count(side: dict[bool, dict[str, Any]], after: bool) -> int:
    return int(side.get(after, {}).get("labelled_sum") or 0)


def _errors(sides: Any, after: bool) -> tuple[int, int]:
    """Labelled rows and wrong ones on one side of the onset, over every value."""
    n = sum(int(s.get(after, {}).get("labelled_sum") or 0) for s in sides)
    x = sum(int(s.get(after, {}).get("wrong_sum") or 0) for s in sides)
    return n, x


def _judge_errors(
    side: dict[bool, dict[str, Any]],
    totals: dict[bool, tuple[int, int]],
    tested: bool,
    tests: int,
) -> dict[str, Any]:
    """The value's error shares before and after, the rest's, and the two tests."""
    n0, n1 = _count(side, False), _count(side, True)
    x0 = int(side.get(False, {}).get("wrong_sum") or 0)
    x1 = int(side.get(True, {}).get("wrong_sum") or 0)
    m0, y0 = totals[False][0] - n0, totals[False][1] - x0
    m1, y1 = totals[True][0] - n1, totals[True][1] - x1
    share = [x / n if n else None for n, x in ((n0, x0), (n1, x1), (m0, y0), (m1, y1))]
    p_rise = p_alone = 1.0
    rise = excess = None
    tested = tested and min(m0, m1) >= MIN_SUPPORT
    if tested:
        e0, e1, r0, r1 = (float(v or 0.0) for v in share)
        rise, excess = e1 - e0, (e1 - e0) - (r1 - r0)
        p_rise = min(1.0, _rate_test(n0, x0, n1, x1) * tests)
        variance = sum(p * (1 - p) / n for p, n in ((e0, n0), (e1, n1), (r0, m0), (r1, m1)))
        if variance > 0:
            p_alone = min(1.0, _p_one_sided(excess / math.sqrt(variance)) * tests)
        else:
            p_alone = 0.0 if excess > 0 else 1.0
    rose = rise is not None and rise >= MIN_ERROR_RISE and p_rise < ALPHA
    alone = rose and excess is not None and excess >= MIN_ERROR_RISE and p_alone < ALPHA
    return {
        "labelled_before": n0,
        "labelled_after": n1,
        "errors_before": share[0],
        "errors_after": share[1],
        "rest_errors_before": share[2],
        "rest_errors_after": share[3],
        "errors_tested": tested,
        "p_errors": p_rise,
        "p_errors_alone": p_alone,
        "errors_rose": rose,
        "errors_alone": alone,
    }


def _judge(
    column: str, value: str, side: dict[bool, dict[str, Any]], tested: bool, tests: int
) -> dict[str, Any]:
    b, a = side.get(False, {}), side.get(True, {})
    n0, n1 = int(b.get("after_count", 0)), int(a.get("after_count", 0))
    x0, x1 = int(b.get("bad_sum") or 0), int(a.get("bad_sum") or 0)
    rate0 = x0 / n0 if n0 else None
    rate1 = x1 / n1 if n1 else None
    p_rate = p_mean = 1.0
    shift = None
    if tested and "bad_sum" in a:
        p_rate = min(1.0, _rate_test(n0, x0, n1, x1) * tests)
    if tested and a.get("prediction_count", 0) > 1 and b.get("prediction_count", 0) > 1:
        m0, m1 = b["prediction_mean"], a["prediction_mean"]
        s0, s1 = b["prediction_stddev"] or 0.0, a["prediction_stddev"] or 0.0
        pooled = math.sqrt((s0**2 + s1**2) / 2)
        se = math.sqrt(s0**2 / b["prediction_count"] + s1**2 / a["prediction_count"])
        if pooled > 0 and se > 0:
            shift = (m1 - m0) / pooled
            p_mean = min(1.0, 2 * _p_one_sided(abs(m1 - m0) / se) * tests)
    rose = rate0 is not None and rate1 is not None and rate1 - rate0 >= MIN_RISE
    moved = shift is not None and abs(shift) >= MIN_SHIFT
    significant = (rose and p_rate < ALPHA) or (moved and p_mean < ALPHA)
    return {
        "column": column,
        "value": value,
        "rows_before": n0,
        "rows_after": n1,
        "bad_before": rate0,
        "bad_after": rate1,
        "prediction_shift": None if shift is None else round(shift, 4),
        "p_value": min(p_rate, p_mean),
        "tested": tested,
        "significant": significant,
    }


def group_errors(
    windows: Sequence[tuple[datetime, bool | None, Mapping[str, Any]]], column: str
) -> list[dict[str, Any]]:
    """The same judgement of errors as :func:`segment_shifts`, from a fairness monitor's
    accuracy-gap observations instead of raw rows: ``(window start, healthy, details)`` with
    per-group ``counts`` and ``right`` (labelled rows, right ones) and the window's
    ``labelled`` and ``labelled_right``. The split is the monitor's own onset, its first
    unhealthy window (so a flapping monitor whose latest episode started late still has its
    clean windows before); ``[]`` when it was never unhealthy or saw no clean window first.

    >>> from datetime import UTC, datetime
    >>> t = [datetime(2026, 11, 1, h, tzinfo=UTC) for h in range(4)]
    >>> def w(h, ok, south):
    ...     return (t[h], ok, {"counts": {"north": 100, "south": 100},
    ...                        "right": {"north": 80, "south": south},
    ...                        "labelled": 200, "labelled_right": 80 + south})
    >>> found = group_errors([w(0, True, 80), w(1, True, 81), w(2, False, 45), w(3, False, 50)],
    ...                      "region")
    >>> [(g["value"], g["errors_alone"]) for g in found]
    [('north', False), ('south', True)]
    """
    usable = sorted(
        ((t, ok, d) for t, ok, d in windows if d.get("counts") and d.get("right")),
        key=lambda w: w[0],
    )
    onset = next((t for t, ok, _ in usable if ok is False), None)
    if onset is None or not any(t < onset for t, _, _ in usable):
        return []
    sides: dict[str, dict[bool, dict[str, Any]]] = {}
    totals = {False: (0, 0), True: (0, 0)}
    for start, _, details in usable:
        after = start >= onset
        n, x = totals[after]
        labelled = int(details.get("labelled") or 0)
        totals[after] = (n + labelled, x + labelled - int(details.get("labelled_right") or 0))
        for group, count in details["counts"].items():
            right = int(details["right"].get(group) or 0)
            side = sides.setdefault(str(group), {}).setdefault(after, {})
            side["labelled_sum"] = side.get("labelled_sum", 0) + int(count)
            side["wrong_sum"] = side.get("wrong_sum", 0) + int(count) - right
    tested = [g for g, s in sides.items() if all(_count(s, k) >= MIN_SUPPORT for k in _SIDES)]
    return [
        {"column": column, "value": group, "onset": onset.isoformat()}
        | _judge_errors(sides[group], totals, group in tested and len(tested) >= 2, len(tested))
        for group in sorted(sides)
    ]


def suspect_columns(
    null_rates: Sequence[tuple[datetime, bool | None, dict[str, Any]]],
    profile_nulls: Sequence[str],
    onset: datetime,
    limit: int = 10,
) -> list[str]:
    """The columns whose nulls mark a row bad: those a null-rate monitor found over its limit
    from ``onset`` on (``(window start, healthy, details)`` of its observations: the column
    with the largest rate, and every column at least half as bad) and those whose null share
    spiked in the window profiles (``profile_nulls``), at most ``limit``.

    >>> from datetime import UTC, datetime
    >>> t = datetime(2026, 11, 1, 3, tzinfo=UTC)
    >>> suspect_columns([(t, False, {"column": "age", "rates": {"age": 0.5, "plan": 0.0}})],
    ...                 ["income"], t)
    ['age', 'income']
    """
    found: list[str] = []
    for start, healthy, details in null_rates:
        if start < onset or healthy is not False:
            continue
        rates = {k: float(v) for k, v in (details.get("rates") or {}).items() if v is not None}
        top = max(rates.values(), default=0.0)
        found += [k for k, v in sorted(rates.items(), key=lambda kv: -kv[1]) if v >= top / 2]
        if details.get("column"):
            found.append(str(details["column"]))
    found += list(profile_nulls)
    return list(dict.fromkeys(c for c in found if c not in RECORD))[:limit]
