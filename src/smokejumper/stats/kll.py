"""Quantile sketches (Apache DataSketches KLL) built deterministically, with a proven error.

A profile sorts each numeric column anyway, and a sorted batch needs no random compaction: cut
the sorted values into consecutive blocks of ``2**h`` values and keep each block's middle value
at level ``h`` of a KLL sketch, where it weighs ``2**h``. :func:`build` uses as few levels as
the sketch's capacities allow (``L``, the smallest with room for ``n`` values: about
``600 * 2**(L-1)`` for ``k = 400``) and fills them from the top (as many blocks of the top
weight as fit, then each lower level in turn, down to single values). A query point splits at
most one block, and a block of ``w`` values counted by its middle value is off by at most
``w / 2``: the sketch's rank error is at most ``2**(L-2)`` values. That is none up to ``k`` =
400 values (all kept), one value up to 1,067 values, and from there on at most ``n / 534``
(``n / 600`` from 38,402 values: between 0.08 % and 0.19 % of the values). The bound is
certain, not a 99 % one, and the same values always give the same bytes (DataSketches' own
update, which the older construction used beyond 8,191 values, flips unseeded coins). The
sketch holds at most ``3 k`` values, about 400 in practice.

Merges (:func:`merged_all`) pool the sketches' levels and compact them as KLL does, with coins
seeded by the inputs' sizes, and measure what the compaction moved: the merged sketch's error
is at most the parts' errors added up plus that measured shift (the triangle inequality over
ranks), again certain. :class:`Bounded` carries a sketch with that bound; :func:`rank_error`
turns it into a normalised one. A sketch of unknown history (read from a profile written
before the bound was stored) falls back to DataSketches' own a-priori bound for ``k`` (about
1.3 %, 99 % confidence) plus :data:`PRESAMPLE_ERROR`, which covered the older construction.

>>> import numpy as np
>>> values = np.sort(np.random.default_rng(0).normal(size=100_000))
>>> sketch, error = build(values)
>>> sketch.n, (sketch.get_min_value(), sketch.get_max_value()) == (values[0], values[-1])
(100000, True)
>>> error, rank_error(sketch, error), build(values).sketch.serialize() == sketch.serialize()
(128, 0.00128, True)
>>> truth = np.searchsorted(values, 0.5, side="right") / values.size
>>> bool(abs(sketch.get_rank(0.5, True) - truth) <= rank_error(sketch, error))
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import datasketches
import numpy as np
import numpy.typing as npt

from smokejumper.stats.binning import Floats
from smokejumper.stats.kll_format import capacities, write
from smokejumper.stats.kll_format import levels as _levels

#: KLL accuracy parameter (DataSketches' a-priori normalised rank error about 0.7 % at 99 %;
#: a profile's own sketch states a certain one, below 0.19 %: see the module docstring).
KLL_K = 400
#: Smallest level capacity (DataSketches' default ``m``).
KLL_M = 8
#: Extra normalised rank error of the older construction (one value per 1/4096 of a batch),
#: added to the a-priori bound of a sketch whose own bound was not stored.
PRESAMPLE_ERROR = 1.0 / 4096


class Bounded(NamedTuple):
    """A sketch and the largest error of any rank it gives, in values (``None``: unknown)."""

    sketch: datasketches.kll_doubles_sketch
    error: int | None


def empty() -> datasketches.kll_doubles_sketch:
    """A sketch that has seen nothing."""
    return datasketches.kll_doubles_sketch(KLL_K)


def rank_error(sketch: datasketches.kll_doubles_sketch, error: int | None = None) -> float:
    """Bound on the normalised rank error of any query: ``error / n`` when the sketch's error
    in values is known (certain), otherwise DataSketches' a-priori bound for ``k`` plus
    :data:`PRESAMPLE_ERROR` (99 % confidence); 0 while every value is kept."""
    if not sketch.is_estimation_mode():
        return 0.0
    if error is not None:
        return error / int(sketch.n)
    return float(sketch.normalized_rank_error(False)) + PRESAMPLE_ERROR


def _weight_capacity(num_levels: int) -> int:
    """How many values ``num_levels`` levels stand for when every level is full."""
    each, _ = capacities(KLL_K, KLL_M, num_levels)
    return sum(cap << h for h, cap in enumerate(each))


def layout(n: int) -> list[int]:
    """Blocks per level for ``n`` values: the fewest levels that hold them, filled from the
    top (``sum(b << h) == n`` and each level within its capacity).

    >>> layout(150), layout(401), sum(b << h for h, b in enumerate(layout(100_000)))
    ([150], [1, 200], 100000)
    """
    num_levels = 1
    while _weight_capacity(num_levels) < n:
        num_levels += 1
    each, _ = capacities(KLL_K, KLL_M, num_levels)
    blocks = [0] * num_levels
    rest = n
    for h in reversed(range(num_levels)):
        blocks[h] = min(each[h], rest >> h)
        rest -= blocks[h] << h
    assert rest == 0, (n, blocks)
    return blocks


def build(values: Floats) -> Bounded:
    """A KLL sketch of sorted, finite values and its largest rank error in values (see the
    module docstring for the construction and the bound)."""
    n = int(values.size)
    if n == 0:
        return Bounded(empty(), 0)
    blocks = layout(n)  # up to ``k`` values: one level, every value kept
    levels: list[Floats] = [np.empty(0)] * len(blocks)
    start = 0
    for h in reversed(range(len(blocks))):  # heaviest blocks first, along the sorted values
        width, count = 1 << h, blocks[h]
        levels[h] = np.asarray(values[start + width // 2 : start + width * count : width])
        start += width * count
    error = max(((1 << h) // 2 for h, b in enumerate(blocks) if b), default=0)
    low, high = float(values[0]), float(values[-1])
    sketch = write(levels, k=KLL_K, m=KLL_M, min_k=KLL_K, n=n, low=low, high=high)
    return Bounded(sketch, error)


def from_sorted(values: Floats) -> datasketches.kll_doubles_sketch:
    """A KLL sketch of sorted, finite values (:func:`build` without its bound)."""
    return build(values).sketch


def merged(
    a: datasketches.kll_doubles_sketch, b: datasketches.kll_doubles_sketch
) -> datasketches.kll_doubles_sketch:
    """A new sketch of both streams (neither input changes), the same bytes every time.

    >>> x = from_sorted(np.arange(5000.0)); y = from_sorted(np.arange(5000.0, 9000.0))
    >>> merged(x, y).serialize() == merged(x, y).serialize()
    True
    >>> merged(x, y).n, merged(x, y).get_max_value()
    (9000, 8999.0)
    """
    return merged_all([a, b])


def merged_all(
    sketches: Sequence[datasketches.kll_doubles_sketch],
) -> datasketches.kll_doubles_sketch:
    """One sketch of every stream, in one compaction pass (see :func:`merged_bounded`).

    >>> parts = [from_sorted(np.arange(i * 3000.0, (i + 1) * 3000.0)) for i in range(4)]
    >>> merged_all(parts).serialize() == merged_all(parts[::-1]).serialize()
    True
    >>> merged_all(parts).n, merged_all(parts).get_min_value(), merged_all([]).n
    (12000, 0.0, 0)
    """
    return merged_bounded([Bounded(s, None) for s in sketches]).sketch


def merged_bounded(parts: Sequence[Bounded]) -> Bounded:
    """One sketch of every stream and its error bound; the same sketches give the same bytes
    every time, in any order.

    DataSketches' own ``merge`` flips its compaction coins from an unseeded process-wide
    generator, so merging the same sketches twice gave different sketches, and a window's
    statistics differed between two evaluations of the same window. Here each sketch is read
    once, its levels are pooled height by height, and the pool is compacted as KLL compacts (the
    lowest level over its capacity is halved, every other value moving up with twice the
    weight, an odd one out staying), with coins seeded by the inputs' sizes in ascending order
    (pooled levels are sorted, so the order of the inputs does not matter). The error is the
    parts' errors added up plus the largest shift of any rank that the compaction caused
    (measured exactly on the pool); ``None`` when a part's error is unknown.
    """
    full = [p for p in parts if not p.sketch.is_empty()]
    if not full:
        return Bounded(empty(), 0)
    known = all(p.error is not None for p in full)
    if len(full) == 1:  # a copy
        copy = datasketches.kll_doubles_sketch.deserialize(full[0].sketch.serialize())
        return Bounded(copy, full[0].error)
    read = [_levels(p.sketch) for p in full]
    k, m = max(r[0] for r in read), max(r[1] for r in read)  # older sketches have k = 200
    pooled = _pooled(
        [level for *_, levels in read for level in levels],
        [h for *_, levels in read for h in range(len(levels))],
    )
    levels = _compacted(pooled, k, m, _coins(sorted(p.sketch.n for p in full)))
    sketch = write(
        levels,
        k=k,
        m=m,
        min_k=min(min_k for _, _, min_k, _ in read),
        n=sum(p.sketch.n for p in full),
        low=min(p.sketch.get_min_value() for p in full),
        high=max(p.sketch.get_max_value() for p in full),
    )
    if not known:
        return Bounded(sketch, None)
    moved = _shift(pooled, levels)
    return Bounded(sketch, sum(p.error or 0 for p in full) + moved)


def _coins(sizes: list[int]) -> np.random.Generator:
    """Compaction coins seeded by the sizes: the same inputs flip the same coins."""
    return np.random.default_rng(sizes)


def _pooled(parts: list[Floats], heights: list[int]) -> list[Floats]:
    """Values at their heights pooled level by level, each level sorted."""
    return [
        np.sort(np.concatenate([p for p, at in zip(parts, heights, strict=True) if at == h]))
        for h in range(max(heights) + 1)
    ]


def _compacted(pooled: list[Floats], k: int, m: int, coins: np.random.Generator) -> list[Floats]:
    """Sorted levels compacted until they fit their capacities."""
    levels = list(pooled)
    sizes = [level.size for level in levels]
    retained = sum(sizes)
    each, total = capacities(k, m, len(levels))
    while retained > total:
        h = next(h for h, size in enumerate(sizes) if size >= each[h])
        if h == len(levels) - 1:
            levels.append(np.empty(0))
            sizes.append(0)
            each, total = capacities(k, m, len(levels))
        level = levels[h]
        odd = level.size % 2
        up = level[odd + int(coins.integers(2)) :: 2]
        levels[h] = level[:odd]
        levels[h + 1] = np.sort(np.concatenate([levels[h + 1], up]))
        sizes[h], sizes[h + 1] = odd, sizes[h + 1] + up.size
        retained -= up.size
    return levels


def _shift(before: list[Floats], after: list[Floats]) -> int:
    """The largest change, in values, of the weight at or below any point (and so of the weight
    strictly below any point) between two sets of sorted weighted levels: both step functions
    change only at values of ``before``, which holds every value of ``after``."""
    points = np.unique(np.concatenate(before))
    return int(np.abs(_at_or_below(after, points) - _at_or_below(before, points)).max())


def _at_or_below(levels: list[Floats], points: Floats) -> npt.NDArray[np.int64]:
    """The weight at or below each point (each level sorted, level ``h`` weighing ``2**h``)."""
    total = np.zeros(points.size, dtype=np.int64)
    for h, level in enumerate(levels):
        if level.size:
            total += np.searchsorted(level, points, side="right").astype(np.int64) << h
    return total
