"""Data-quality checks on window profiles against the windows before the onset (or the
reference): null spikes, frozen (stale) values, values piling up in the bin holding zero,
values out of the reference's range, a column rescaled as a whole (a unit change: its mean and
its spread both multiplied by about the same factor, at least :data:`RESCALE_MIN`), and
categories the reference never saw: ``recoded`` when known categories vanished as they came
(values renamed or re-encoded upstream), ``unseen_categories`` when the known ones kept
coming (a new kind of input, such as a new region).

Each finding is ``(column, problem, before, after, message)``; shares are in [0, 1].

>>> import pyarrow as pa
>>> from smokejumper.stats.dataset import profile
>>> ref = profile(pa.table({"age": [float(v) for v in range(100)]}))
>>> now = profile(pa.table({"age": [None] * 60 + [5.0] * 40}), reference=ref)
>>> [(f[0], f[1]) for f in profile_findings([ref], [now], ref)]
[('age', 'null_spike'), ('age', 'frozen')]
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from smokejumper.stats.categorical import CategoricalProfile
from smokejumper.stats.dataset import DatasetProfile, merge_all
from smokejumper.stats.numeric import NumericProfile

Finding = tuple[str, str, float, float, str]

#: A null share counts as a spike when it rose by at least this much and at least doubled.
NULL_RISE = 0.05
#: A bin's share counts as piling up when it rose by this much and at least tripled.
PILE_RISE = 0.2
#: Values beyond the reference's range by this share of its width are far out of range (a
#: unit change, a sentinel value); nearer, a sample's tail is no finding.
FAR = 0.5
#: A window with fewer usable values than this is not judged frozen.
MIN_VALUES = 10
#: The least factor (or its inverse) a column's scale must change by to count as rescaled,
#: and how far apart (as a ratio) the mean's and the spread's factors may be.
RESCALE_MIN = 5.0
RESCALE_AGREE = 1.25
#: Factors between common units (powers of ten, seconds/minutes/hours, bytes, inches,
#: pounds): a rescale near one of them is all but certainly a unit change.
UNIT_FACTORS = (10.0, 100.0, 1000.0, 1e4, 1e5, 1e6, 60.0, 3600.0, 1024.0, 2.54, 2.2046)


def rescale_factor(was: NumericProfile, now: NumericProfile) -> float | None:
    """The factor ``now`` is ``was`` multiplied by, when the whole column moved by one factor
    of at least :data:`RESCALE_MIN` (or at most its inverse): its mean and its standard
    deviation both changed by it, within :data:`RESCALE_AGREE`. None otherwise (a shift that
    moves the mean and not the spread alike is drift, not units).

    >>> import numpy as np
    >>> euros = np.random.default_rng(1).lognormal(9, 0.5, 500)
    >>> before = NumericProfile.from_values(euros)
    >>> round(rescale_factor(before, NumericProfile.from_values(euros * 100)), 1)
    100.0
    >>> rescale_factor(before, NumericProfile.from_values(euros + 20000)) is None
    True
    """
    if was.n < MIN_VALUES or now.n < MIN_VALUES or not was.std > 0 or not now.std > 0:
        return None
    if was.mean == 0 or now.mean == 0 or (was.mean > 0) != (now.mean > 0):
        return None
    by_mean, by_spread = now.mean / was.mean, now.std / was.std
    if max(by_mean / by_spread, by_spread / by_mean) > RESCALE_AGREE:
        return None
    factor = math.sqrt(by_mean * by_spread)
    return factor if max(factor, 1 / factor) >= RESCALE_MIN else None


def unit_like(factor: float, tolerance: float = 0.1) -> bool:
    """Whether ``factor`` (or its inverse) is within ``tolerance`` of a common unit factor.

    >>> unit_like(98.0), unit_like(0.001), unit_like(7.0)
    (True, True, False)
    """
    big = max(factor, 1 / factor)
    return any(abs(big / unit - 1) <= tolerance for unit in UNIT_FACTORS)


def _null_share(p: DatasetProfile, name: str) -> float | None:
    col = p.columns.get(name)
    if col is None or col.count == 0:
        return None
    return (col.count - col.usable) / col.count


def _zero_share(col: NumericProfile, ref: NumericProfile) -> float | None:
    if col.n == 0 or ref.binning.edges.size == 0:
        return None
    counts = col.counts if col.binning.same_as(ref.binning) else col.counts_on(ref.binning)[0]
    index = int(np.searchsorted(ref.binning.edges, 0.0, side="right"))
    if index >= len(counts):
        return None
    return float(counts[index]) / col.n


def profile_findings(
    before: Sequence[DatasetProfile],
    after: Sequence[DatasetProfile],
    reference: DatasetProfile | None,
) -> list[Finding]:
    """What broke in ``after`` (the windows from the onset) against ``before`` (or, without
    windows before, the ``reference``)."""
    if not after:
        return []
    now = merge_all(list(after))
    base = merge_all(list(before)) if before else reference
    if base is None:
        return []
    out: list[Finding] = []
    for name, col in sorted(now.columns.items()):
        was = _null_share(base, name)
        share = _null_share(now, name)
        if was is not None and share is not None and share >= max(was + NULL_RISE, 2 * was):
            out.append(
                (
                    name,
                    "null_spike",
                    was,
                    share,
                    f"{name} null in {share:.0%} of rows (was {was:.0%})",
                )
            )
        ref = (reference or base).columns.get(name)
        old = base.columns.get(name)
        if isinstance(col, NumericProfile) and isinstance(ref, NumericProfile):
            out += _numeric(name, col, ref, old if isinstance(old, NumericProfile) else ref)
        if isinstance(col, CategoricalProfile) and isinstance(ref, CategoricalProfile):
            out += _categorical(name, col, ref)
    return out


def _numeric(
    name: str, col: NumericProfile, ref: NumericProfile, old: NumericProfile
) -> list[Finding]:
    out: list[Finding] = []
    moving = old.n > 1 and old.std > 0
    if col.n >= MIN_VALUES and moving and (col.std == 0 or math.isnan(col.std)):
        out.append(
            (
                name,
                "frozen",
                float(old.std),
                0.0,
                f"{name} stuck at {col.min:g} "
                f"(every value the same; it used to vary, std {old.std:.3g})",
            )
        )
    zero_now, zero_was = _zero_share(col, ref), _zero_share(old, ref)
    if (
        zero_now is not None
        and zero_was is not None
        and zero_now >= max(zero_was + PILE_RISE, 3 * zero_was)
    ):
        out.append(
            (
                name,
                "zero_spike",
                zero_was,
                zero_now,
                f"{name}: {zero_now:.0%} of values in the bin holding 0 (was {zero_was:.0%})",
            )
        )
    factor = rescale_factor(old, col)
    if factor is not None:
        out.append(
            (
                name,
                "rescaled",
                float(old.mean),
                float(col.mean),
                f"{name} about {factor:.3g} times its usual scale (mean {col.mean:.4g}, was "
                f"{old.mean:.4g}; spread scaled alike)"
                + (": a unit change" if unit_like(factor) else ""),
            )
        )
    margin = FAR * (ref.max - ref.min)
    if ref.n and col.n and (col.min < ref.min - margin or col.max > ref.max + margin):
        out.append(
            (
                name,
                "out_of_range",
                0.0,
                1.0,
                f"{name} reached [{col.min:g}, "
                f"{col.max:g}], far outside the reference's [{ref.min:g}, {ref.max:g}]",
            )
        )
    return out


#: A known category counts as vanished when it held at least this share of the reference
#: and keeps under :data:`VANISH_LEFT` of it.
VANISH_SHARE = 0.05
VANISH_LEFT = 0.2


def _categorical(name: str, col: CategoricalProfile, ref: CategoricalProfile) -> list[Finding]:
    """Unseen categories, told apart: recoded (known ones vanished) or new (they did not).

    >>> import pyarrow as pa
    >>> from smokejumper.stats.dataset import profile
    >>> ref = profile(pa.table({"r": ["north"] * 50 + ["south"] * 50}))
    >>> new = profile(pa.table({"r": ["north"] * 35 + ["south"] * 35 + ["central"] * 30}))
    >>> renamed = profile(pa.table({"r": ["NORTH"] * 50 + ["south"] * 50}))
    >>> [f[1] for after in (new, renamed) for f in profile_findings([ref], [after], ref)]
    ['unseen_categories', 'recoded']
    """
    known = ref.frequencies()
    seen = col.frequencies()
    total, was_total = sum(seen.values()), sum(known.values())
    new = {k: v for k, v in seen.items() if k not in known}
    if not total or not new or not was_total:
        return []
    share = sum(new.values()) / total
    examples = ", ".join(sorted(new)[:5])
    vanished = sorted(
        k
        for k, v in known.items()
        if v / was_total >= VANISH_SHARE and seen.get(k, 0) / total < VANISH_LEFT * v / was_total
    )
    if vanished:
        return [
            (
                name,
                "recoded",
                0.0,
                share,
                f"{name}: {share:.0%} of values never seen in the reference ({examples}) while "
                f"{', '.join(vanished[:5])} vanished: values renamed or re-encoded upstream",
            )
        ]
    return [
        (
            name,
            "unseen_categories",
            0.0,
            share,
            f"{name}: {share:.0%} of values never seen in the reference ({examples}); the "
            "known values kept coming",
        )
    ]
