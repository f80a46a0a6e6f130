"""DataSketches' KLL byte layout: read a sketch's levels, write levels back as a sketch.

A KLL sketch keeps its values in levels: level ``h`` holds sorted values that each stand for
``2**h`` values of the stream, and has a capacity of about ``k * (2/3) ** depth`` (``depth``
counted down from the top level, at least ``m``). The serialised form (``serial version 1``,
"full") is a header, one offset per level, the minimum and maximum, then the values with the
free space at the start. :func:`write` puts any levels within capacity into that form and
DataSketches reads them back as an ordinary sketch (same queries, same merge).

>>> import numpy as np
>>> sketch = write([np.array([1.0, 2.0]), np.array([5.0])], k=200, m=8, min_k=200, n=4,
...                low=1.0, high=6.0)
>>> sketch.n, sketch.get_rank(2.0, True), sketch.get_rank(5.0, True)
(4, 0.5, 1.0)
>>> [level.tolist() for level in levels(sketch)[3]]
[[1.0, 2.0], [5.0]]
"""

from __future__ import annotations

import functools
import struct

import datasketches
import numpy as np

from smokejumper.stats.binning import Floats

_FAMILY_KLL = 15
_SERIAL_VERSION_FULL = 1
_PREAMBLE_INTS_FULL = 5
_FLAG_LEVEL_ZERO_SORTED = 1 << 1
# preamble ints, serial version, family, flags, k, m, unused, n, min_k, num_levels, unused
_HEADER = struct.Struct("<BBBBHBBQHBB")
_POWERS_OF_THREE: list[int] = [pow(3, i) for i in range(31)]


def levels(sketch: datasketches.kll_doubles_sketch) -> tuple[int, int, int, list[Floats]]:
    """``k``, ``m``, ``min_k`` and the retained values level by level (level ``h`` weighs
    ``2**h``) of a sketch that is not empty."""
    raw = sketch.serialize()
    preamble, version, family, _, k, m, _ = struct.unpack_from("<BBBBHBB", raw)
    if family != _FAMILY_KLL:
        raise ValueError(f"unexpected KLL serial layout {(preamble, version, family)}")
    if preamble != _PREAMBLE_INTS_FULL:  # a single value, stored in short form
        return k, m, k, [np.array([sketch.get_min_value()])]
    _, _, _, flags, k, m, _, _, min_k, num_levels, _ = _HEADER.unpack_from(raw)
    offsets = np.frombuffer(raw, dtype="<u4", count=num_levels, offset=_HEADER.size)
    items_at = _HEADER.size + 4 * num_levels + 16  # after the offsets, min and max
    items = np.frombuffer(raw, dtype="<f8", offset=items_at)
    bounds = np.append(offsets, total_capacity(k, m, num_levels)) - offsets[0]
    out = []
    for h in range(num_levels):
        level = items[bounds[h] : bounds[h + 1]]
        out.append(np.sort(level) if h == 0 and not flags & _FLAG_LEVEL_ZERO_SORTED else level)
    return k, m, min_k, out


def write(
    levels: list[Floats], *, k: int, m: int, min_k: int, n: int, low: float, high: float
) -> datasketches.kll_doubles_sketch:
    """A sketch holding ``levels`` (each sorted, within its capacity; level ``h`` weighs
    ``2**h``)."""
    height = len(levels)
    retained = sum(level.size for level in levels)
    first = total_capacity(k, m, height) - retained
    new_offsets = first + np.cumsum([0] + [level.size for level in levels[:-1]])
    header = _HEADER.pack(
        _PREAMBLE_INTS_FULL,
        _SERIAL_VERSION_FULL,
        _FAMILY_KLL,
        _FLAG_LEVEL_ZERO_SORTED,
        k,
        m,
        0,
        n,
        min_k,
        height,
        0,
    )
    body = np.concatenate(levels).astype("<f8").tobytes()
    limits = np.asarray(new_offsets, dtype="<u4").tobytes()
    return datasketches.kll_doubles_sketch.deserialize(
        header + limits + struct.pack("<dd", low, high) + body
    )


def _level_capacity(k: int, m: int, num_levels: int, height: int) -> int:
    depth = num_levels - height - 1
    if depth > 30:
        half = depth // 2
        return max(m, _cap(_cap(k, half), depth - half))
    return max(m, _cap(k, depth))


def _cap(k: int, depth: int) -> int:
    """About ``k * (2/3) ** depth``, rounded as DataSketches rounds it."""
    return ((2 * k << depth) // _POWERS_OF_THREE[depth] + 1) >> 1


def total_capacity(k: int, m: int, num_levels: int) -> int:
    """How many values a sketch of ``num_levels`` levels holds at most."""
    return capacities(k, m, num_levels)[1]


@functools.lru_cache(maxsize=256)
def capacities(k: int, m: int, num_levels: int) -> tuple[tuple[int, ...], int]:
    """Each level's capacity and their sum."""
    each = tuple(_level_capacity(k, m, num_levels, h) for h in range(num_levels))
    return each, sum(each)
