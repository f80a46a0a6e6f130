"""Signs of a broken pipeline, judged apart from drift: they fail a report on their own.

Two shares are tested per column, each with the two-proportion z-test and Cohen's h, under the
same rule as drift (a corrected p-value below alpha, an effect size at its threshold and above
its noise floor):

- the share of rows that are missing (null, NaN or infinite): a feature an upstream job stops
  filling. Threshold h = 0.3: 0 % -> 50 % (h = 1.57) or 0 % -> 3 % (h = 0.35) is found, while
  1 % -> 1.2 % at a million rows and a trickle of 0 % -> 1 % (h = 0.2) are not (a null_rate
  monitor watches trickles with a limit of its owner's choosing);
- the share of the one value that gained most: a broken join's default (0, -1, an empty
  string) or a frozen feed. Threshold h = 0.6: one category moving from 20 % to 40 % (h = 0.44)
  stays drift, while 2 % -> 40 % (h = 1.09) or a column frozen on its usual value is breakage.

>>> change = share_change(0, 1000, 500, 1000, MISSING_SHARE_EFFECT)
>>> change.reference, change.current, round(change.effect_size, 3)
(0.0, 0.5, 1.571)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from smokejumper.frames.kinds import ColumnKind
from smokejumper.stats.binning import Floats, edge_label
from smokejumper.stats.categorical import CategoricalProfile
from smokejumper.stats.corrections import adjust
from smokejumper.stats.methods.base import ColumnPair
from smokejumper.stats.methods.ztest import two_proportion_z
from smokejumper.stats.noise import h_floor
from smokejumper.stats.report import ColumnDrift, QualityFinding, ShareChange

#: Cohen's h at which a change in the share of missing values is material.
MISSING_SHARE_EFFECT = 0.3
#: Cohen's h at which one value's gain in share is material.
VALUE_SPIKE_EFFECT = 0.6


def share_change(
    x1: float, n1: float, x2: float, n2: float, threshold: float, value: str | None = None
) -> ShareChange:
    """The test of x1/n1 against x2/n2 (not yet judged: see :func:`judge`)."""
    _, p, h = two_proportion_z(x1, n1, x2, n2)
    return ShareChange(
        reference=x1 / n1,
        current=x2 / n2,
        effect_size=h,
        threshold=threshold,
        p_value=p,
        noise_floor=h_floor(n1, n2),
        value=value,
    )


def missing_share(pair: ColumnPair) -> ShareChange | None:
    """The change in the share of rows a statistic cannot use (null, NaN, infinite)."""
    ref, cur = pair.reference, pair.current
    if ref.count == 0 or cur.count == 0:
        return None
    return share_change(
        ref.count - ref.usable, ref.count, cur.count - cur.usable, cur.count, MISSING_SHARE_EFFECT
    )


def _most_common(sorted_values: Floats) -> tuple[float, int]:
    """The most common value of a sorted, non-empty sample and its count."""
    starts = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    lengths = np.diff(np.r_[starts, sorted_values.size])
    best = int(np.argmax(lengths))
    return float(sorted_values[starts[best]]), int(lengths[best])


def _count_of(sorted_values: Floats, value: float) -> int:
    return int(
        np.searchsorted(sorted_values, value, side="right")
        - np.searchsorted(sorted_values, value, side="left")
    )


def top_value(pair: ColumnPair) -> ShareChange | None:
    """The value whose share of rows rose most, with its test; ``None`` when not knowable.

    Numbers on raw data: the current data's most common value. Numbers from profiles on the
    reference's bins (the service's windows): the fine bin (2 % of the reference's values)
    whose share rose most, named as an interval, or as the value itself when every current
    value in it equals its upper edge. Booleans have no single value to single out (their one
    share is what the drift test judges).
    """
    if pair.kind is ColumnKind.BOOLEAN:
        return None
    n1, n2 = pair.reference.count, pair.current.count
    if n1 == 0 or n2 == 0 or pair.current.usable == 0:
        return None
    if isinstance(pair.current, CategoricalProfile):
        assert isinstance(pair.reference, CategoricalProfile)
        ref_f, cur_f = pair.reference.frequencies(), pair.current.frequencies()
        if not cur_f:
            return None

        def gain(v: str) -> float:
            a, b = ref_f.get(v, 0) / n1, cur_f[v] / n2
            return 2 * math.asin(math.sqrt(b)) - 2 * math.asin(math.sqrt(a))

        value = max(sorted(cur_f), key=gain)
        return share_change(ref_f.get(value, 0), n1, cur_f[value], n2, VALUE_SPIKE_EFFECT, value)
    if not pair.has_raw:
        return _top_bin(pair)
    ref_values, cur_values = pair.raw()
    number, count = _most_common(cur_values)
    shown = str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)
    return share_change(
        _count_of(ref_values, number), n1, count, n2, VALUE_SPIKE_EFFECT, value=shown
    )


def _top_bin(pair: ColumnPair) -> ShareChange | None:
    """The fine bin whose share rose most, when both profiles have the reference's bins."""
    ref, cur = pair.numeric()
    binning = ref.binning
    if not binning.same_as(cur.binning) or binning.edges.size == 0:
        return None
    n1, n2 = ref.count, cur.count
    gains = 2 * np.arcsin(np.sqrt(cur.counts / n2)) - 2 * np.arcsin(np.sqrt(ref.counts / n1))
    k = int(np.argmax(gains))
    edges = binning.edges
    if k < edges.size and cur.counts[k] == cur.at_edges[k] > 0:
        shown, interval = edge_label(float(edges[k])), False  # every value sits on the edge
    elif k == 0:
        shown, interval = f"<= {edge_label(float(edges[0]))}", True
    elif k == edges.size:
        shown, interval = f"> {edge_label(float(edges[-1]))}", True
    else:
        shown = f"({edge_label(float(edges[k - 1]))}, {edge_label(float(edges[k]))}]"
        interval = True
    change = share_change(
        int(ref.counts[k]), n1, int(cur.counts[k]), n2, VALUE_SPIKE_EFFECT, value=shown
    )
    return replace(change, interval=interval)


def _material(change: ShareChange, p_adjusted: float, alpha: float) -> ShareChange:
    floor = change.noise_floor or 0.0
    big = change.effect_size >= max(change.threshold, floor)
    return replace(change, p_value_adjusted=p_adjusted, material=p_adjusted < alpha and big)


#: Findings made when a column is read, not from a test (kept when verdicts are redone).
STRUCTURAL = frozenset({"no_values", "type_changed"})


def _findings(column: ColumnDrift) -> list[QualityFinding]:
    found = [f for f in column.quality if f.check in STRUCTURAL]
    m = column.missing_share
    if m is not None and m.material and not found:
        found.append(
            QualityFinding(
                column.name,
                "missing_share",
                f"missing values moved from {m.reference:.1%} to {m.current:.1%} of rows",
            )
        )
    t = column.top_value
    if t is not None and t.material and t.current > t.reference:
        found.append(
            QualityFinding(
                column.name,
                "value_spike",
                f"{f'values in {t.value}' if t.interval else f'the value {t.value!r}'} went "
                f"from {t.reference:.1%} to {t.current:.1%} of rows",
            )
        )
    return found


def judge(columns: Sequence[ColumnDrift], alpha: float, correction: str) -> list[ColumnDrift]:
    """Correct the share tests for the number of columns, then record what is breakage.

    The missing-share tests form one family and the single-value tests another, each corrected
    with ``correction`` (as the drift tests are).
    """
    out = list(columns)
    missing = {i: c.missing_share for i, c in enumerate(out) if c.missing_share is not None}
    adjusted = adjust([t.p_value for t in missing.values()], correction)
    for (i, test), p_adj in zip(missing.items(), adjusted, strict=True):
        out[i] = replace(out[i], missing_share=_material(test, p_adj, alpha))
    tops = {i: c.top_value for i, c in enumerate(out) if c.top_value is not None}
    adjusted = adjust([t.p_value for t in tops.values()], correction)
    for (i, test), p_adj in zip(tops.items(), adjusted, strict=True):
        out[i] = replace(out[i], top_value=_material(test, p_adj, alpha))
    return [replace(c, quality=tuple(_findings(c))) for c in out]
