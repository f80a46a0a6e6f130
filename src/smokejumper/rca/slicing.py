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
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

#: Columns of a logged prediction that are never suspects.
RECORD = ("id", "timestamp", "version", "prediction", "confidence", "latency_ms", "error")
MIN_SUPPORT = 30
ALPHA = 0.01
MIN_RISE = 0.02
MIN_SHIFT = 0.2


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
        grouped = table.group_by(["key", "after"]).aggregate(aggs).to_pylist()
        sides: dict[str, dict[bool, dict[str, Any]]] = {}
        for g in grouped:
            sides.setdefault(g["key"] if g["key"] is not None else "(null)", {})[g["after"]] = g
        tested = [
            v
            for v, s in sides.items()
            if all(s.get(k, {}).get("after_count", 0) >= MIN_SUPPORT for k in (False, True))
        ]
        for value in sorted(sides):
            out.append(_judge(column, value, sides[value], value in tested, len(tested)))
    return out


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
