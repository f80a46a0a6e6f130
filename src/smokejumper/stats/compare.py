"""``compare``: the drift report between a reference and a current data set.

>>> import numpy as np, pyarrow as pa
>>> rng = np.random.default_rng(0)
>>> ref = pa.table({"a": rng.normal(size=2000), "b": rng.normal(size=2000)})
>>> cur = pa.table({"a": rng.normal(size=2000), "b": rng.normal(0.5, 1, size=2000)})
>>> report = compare(ref, cur)
>>> [(c.name, c.drift) for c in report.columns]
[('a', False), ('b', True)]
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import numpy as np

from smokejumper.errors import (
    InputError,
    MethodNotApplicableError,
    UnknownColumnError,
)
from smokejumper.frames.kinds import ColumnKind
from smokejumper.stats.binning import Floats
from smokejumper.stats.categorical import CategoricalProfile
from smokejumper.stats.columns import numeric_values
from smokejumper.stats.corrections import CORRECTIONS, adjust
from smokejumper.stats.dataset import NUMERIC_KINDS, ColumnProfile, profile_column
from smokejumper.stats.defaults import default_method
from smokejumper.stats.inputs import Side, load_side
from smokejumper.stats.methods import ColumnPair, DriftMethod, get_method
from smokejumper.stats.numeric import NumericProfile
from smokejumper.stats.planning import exclude_columns, plan, select_columns
from smokejumper.stats.quality import judge, missing_share, top_value
from smokejumper.stats.report import (
    ColumnDrift,
    ColumnSummary,
    DriftReport,
    Histogram,
    QualityFinding,
)
from smokejumper.stats.screening import as_binary, binary_counts, precision_note

Progress = Callable[[str], None]
#: The note on a verdict from profiles that the bound of the effect size cannot support.
WITHIN_BOUND_NOTE = (
    "from profiles, the threshold lies within the bound of the effect size: the verdict could "
    "differ on the raw data"
)


def _summary(col: ColumnProfile) -> ColumnSummary:
    if isinstance(col, NumericProfile):
        finite = col.n > 0
        return ColumnSummary(
            rows=col.count,
            nulls=col.nulls,
            nans=col.nans,
            infinities=col.pos_inf + col.neg_inf,
            mean=col.mean if finite else None,
            std=col.std if col.n > 1 else None,
            min=col.min if finite else None,
            max=col.max if finite else None,
            distinct=col.distinct_estimate,
        )
    freq = col.frequencies()
    top = dict(sorted(freq.items(), key=lambda kv: -kv[1])[:10])
    return ColumnSummary(rows=col.count, nulls=col.nulls, distinct=col.distinct_estimate, top=top)


def _column(
    side: Side, name: str, kind: ColumnKind, reference: ColumnProfile | None
) -> tuple[ColumnProfile, Floats | None]:
    """One side's profile of a column (on the reference's bins) and its sorted finite values."""
    if side.raw is None:
        assert side.profile is not None
        return side.profile.columns[name], None
    column = side.raw.column(name)
    if kind not in NUMERIC_KINDS:
        made = profile_column(column, kind, sketches=False)
        assert made is not None
        return made, None
    raw, nulls = numeric_values(column, kind)
    ordered = np.sort(raw[np.isfinite(raw)])
    binning = reference.binning if isinstance(reference, NumericProfile) else None
    made = NumericProfile.from_values(
        raw, binning, nulls=nulls, sketches=False, sorted_finite=ordered
    )
    return made, ordered


def _pair(name: str, kind: ColumnKind, ref: Side, cur: Side) -> ColumnPair:
    """Both sides of a column; raw values are kept only when both sides have them."""
    ref_col, ref_values = _column(ref, name, kind, None)
    cur_col, cur_values = _column(cur, name, kind, ref_col)
    if ref_values is None or cur_values is None:
        ref_values = cur_values = None
    return ColumnPair(name, kind, ref_col, cur_col, ref_values, cur_values)


def _empty(pair: ColumnPair) -> ColumnDrift | None:
    """The verdict on a column without usable values on a side: not tested; breakage when the
    other side has values (a feature that arrives entirely null)."""
    empty = [
        r for r, c in (("reference", pair.reference), ("current", pair.current)) if not c.usable
    ]
    if not empty:
        return None
    if len(empty) == 2:
        note = "no usable values on either side (all null, NaN or infinite); not tested"
        quality: tuple[QualityFinding, ...] = ()
    else:
        note = f"no usable values in the {empty[0]} (all null, NaN or infinite); not tested"
        other = "current data" if empty[0] == "reference" else "reference"
        message = f"the column is empty in the {empty[0]} data, not in the {other}"
        quality = (QualityFinding(pair.name, "no_values", message),)
    return ColumnDrift(
        pair.name,
        pair.kind.value,
        "skipped",
        note=note,
        reference=_summary(pair.reference),
        current=_summary(pair.current),
        quality=quality,
    )


def _binary(pair: ColumnPair) -> ColumnPair | None:
    """The pair as a binary column, when both sides hold only 0 and 1."""
    ref, cur = pair.numeric()
    ref_counts = binary_counts(ref, ref.binning)
    cur_counts = binary_counts(cur, ref.binning)
    if ref_counts is None or cur_counts is None:
        return None
    return ColumnPair(
        pair.name, ColumnKind.BOOLEAN, as_binary(ref, ref_counts), as_binary(cur, cur_counts)
    )


def _histogram(pair: ColumnPair) -> Histogram:
    ref, cur, labels, _ = pair.binned()
    return Histogram(
        labels=labels,
        reference=[float(x) for x in ref / max(ref.sum(), 1)],
        current=[float(x) for x in cur / max(cur.sum(), 1)],
    )


def _choose(kind: ColumnKind, wanted: str | None) -> tuple[DriftMethod, str | None]:
    if wanted is None:
        return get_method(default_method(kind)), None
    method = get_method(wanted)
    if kind in method.kinds:
        return method, None
    fallback = get_method(default_method(kind))
    return fallback, f"{wanted!r} does not apply to {kind} columns; used {fallback.name!r}"


def _judge(
    name: str,
    kind: ColumnKind,
    ref: Side,
    cur: Side,
    wanted: str | None,
    threshold: float | None,
    alpha: float,
) -> ColumnDrift:
    pair = _pair(name, kind, ref, cur)
    empty = _empty(pair)
    if empty is not None:
        return empty
    sides: dict[str, Any] = {
        "reference": _summary(pair.reference),
        "current": _summary(pair.current),
        "missing_share": missing_share(pair),
    }
    notes: list[str] = []
    numbers = pair.reference
    if isinstance(numbers, NumericProfile) and isinstance(pair.current, NumericProfile):
        binary = _binary(pair) if kind is ColumnKind.NUMERIC and wanted is None else None
        if binary is not None:
            pair, kind = binary, ColumnKind.BOOLEAN
            notes.append("holds only 0 and 1: judged as a binary column")
        else:
            notes += [n for n in (precision_note(numbers),) if n]
    sides["top_value"] = top_value(pair)
    method, note = _choose(kind, wanted)
    if method.needs_raw and not pair.has_raw and wanted is None:
        method = get_method(default_method(kind))
    try:
        result = method.evaluate(pair)
    except MethodNotApplicableError as err:
        return ColumnDrift(name, kind.value, "error", note=str(err), **sides)
    notes = [n for n in (note, result.note, *notes) if n]
    if isinstance(pair.reference, NumericProfile) and pair.reference.std == 0:
        notes.append("the reference holds a single value")
    return ColumnDrift(
        name=name,
        kind=kind.value,
        status="tested",
        method=method.name,
        statistic=result.statistic,
        p_value=result.p_value,
        effect_size=result.effect_size,
        effect=method.effect,
        threshold=threshold if threshold is not None else method.threshold,
        bound=result.bound,
        basis="exact"
        if pair.has_raw or isinstance(pair.reference, CategoricalProfile)
        else "profile",
        note="; ".join(notes) or None,
        histogram=_histogram(pair),
        noise_floor=method.noise_floor(pair),
        **sides,
    )


def verdicts(judged: list[ColumnDrift], alpha: float, correction: str) -> list[ColumnDrift]:
    """Correct the p-values for multiple testing, then combine them with the effect sizes.

    A column drifts when its adjusted p-value is below ``alpha`` (for methods with one) and
    its effect size reaches both its threshold and its noise floor. The quality checks (missing
    values, one value's share) are judged the same way, each as a family of its own.
    """
    p_values = {i: d.p_value for i, d in enumerate(judged) if d.p_value is not None}
    adjusted = dict(zip(p_values, adjust(list(p_values.values()), correction), strict=True))
    out = []
    for i, d in enumerate(judged):
        if d.status != "tested":
            out.append(d)
            continue
        p_adj = adjusted.get(i)
        significant = p_adj is None or p_adj < alpha
        limit = None if d.threshold is None else max(d.threshold, d.noise_floor or 0.0)
        big = d.effect_size is not None and limit is not None and d.effect_size >= limit
        near = (
            d.basis == "profile"
            and limit is not None
            and d.effect_size is not None
            and d.bound is not None
            and abs(d.effect_size - limit) <= d.bound
        )
        note = d.note
        if near and WITHIN_BOUND_NOTE not in (note or ""):
            note = "; ".join(n for n in (note, WITHIN_BOUND_NOTE) if n)
        out.append(
            replace(
                d,
                p_value_adjusted=p_adj,
                drift=bool(significant and big),
                within_bound=near,
                note=note,
            )
        )
    return judge(out, alpha, correction)


def compare(
    reference: Any,
    current: Any,
    *,
    columns: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    method: str | Mapping[str, str] | None = None,
    kinds: Mapping[str, str | ColumnKind] | None = None,
    thresholds: Mapping[str, float] | None = None,
    alpha: float = 0.05,
    correction: str = "holm",
    drift_share: float = 0.5,
    multivariate: bool = False,
    workers: int | None = None,
    progress: Progress | None = None,
    encoding: str | None = None,
) -> DriftReport:
    """Compare ``current`` with ``reference``, column by column.

    Either side may be a table (pyarrow, pandas, polars), a CSV/Parquet path, a profile, or a
    profile file. ``method`` is one method name for every column or a mapping column -> name
    (columns left out get their kind's default). A column drifts when its effect size reaches
    its threshold (``thresholds`` overrides per column) and, for methods with a p-value, the
    ``correction``-adjusted p-value is below ``alpha``. The data set drifts when at least
    ``drift_share`` of the tested columns drift, or when the ``multivariate`` domain classifier
    (raw data only) tells the two apart.

    Left out of the tests: columns in ``exclude``; unless named in ``columns``, timestamps,
    text and identifiers (integers unique per row and increasing). Besides drift, the report
    records quality findings (a broken pipeline: see ``DriftReport.quality_findings``).
    ``encoding`` is the text encoding of CSV files (UTF-8 when not given).
    """
    if not 0 < alpha < 1:
        raise InputError(f"alpha must be between 0 and 1, got {alpha}")
    if not 0 < drift_share <= 1:
        raise InputError(f"drift_share must be in (0, 1], got {drift_share}")
    if correction not in CORRECTIONS:
        raise InputError(f"unknown correction {correction!r}; use one of {', '.join(CORRECTIONS)}")
    ref = load_side(reference, "reference", columns, encoding=encoding)
    cur = load_side(current, "current", columns, encoding=encoding)
    notes: list[str] = []
    schema: list[QualityFinding] = []
    names = select_columns(ref, cur, columns, notes, schema)
    names = exclude_columns(names, exclude, ref, cur, notes, schema)
    overrides = {c: ColumnKind.parse(k) for c, k in (kinds or {}).items()}
    unknown = [c for c in overrides if c not in names]
    if unknown:
        raise UnknownColumnError(f"kind given for column(s) not compared: {', '.join(unknown)}")
    per_column = dict(method) if isinstance(method, Mapping) else {}
    for name in per_column:
        if name not in names:
            raise UnknownColumnError(f"method given for column {name!r}, which is not compared")
    for wanted in {*per_column.values(), *([method] if isinstance(method, str) else [])}:
        get_method(wanted)  # fail early on an unknown name

    tasks, judged = plan(names, ref, cur, overrides, named=columns is not None)

    def run(task: tuple[str, ColumnKind]) -> ColumnDrift:
        name, kind = task
        wanted = per_column.get(name, method if isinstance(method, str) else None)
        out = _judge(name, kind, ref, cur, wanted, (thresholds or {}).get(name), alpha)
        if progress is not None:
            progress(name)
        return out

    if workers is None:
        # Columns of raw data are worth a thread each (sorting releases the GIL); profiles
        # compare in microseconds per column, less than a thread hand-off costs.
        raw = ref.raw is not None and cur.raw is not None
        workers = min(4, os.cpu_count() or 1, len(tasks)) if raw else 1
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(run, tasks))
    else:
        results = [run(task) for task in tasks]
    for (name, _), result in zip(tasks, results, strict=True):
        judged[name] = result
    ordered = [judged[n] for n in names]
    multi = None
    if multivariate:
        from smokejumper.stats.multivariate import domain_classifier

        if ref.raw is None or cur.raw is None:
            notes.append("multivariate drift needs raw data on both sides; not run")
        else:
            usable = [d.name for d in ordered if d.status == "tested"]
            multi = domain_classifier(
                ref.raw.table(usable), cur.raw.table(usable), usable, dict(tasks), alpha=alpha
            )
    return DriftReport(
        columns=verdicts(ordered, alpha, correction),
        reference_rows=ref.rows,
        current_rows=cur.rows,
        alpha=alpha,
        correction=correction,
        drift_share=drift_share,
        multivariate=multi,
        notes=notes,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        schema_changes=schema,
    )
