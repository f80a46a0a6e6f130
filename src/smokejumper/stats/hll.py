"""A vectorised HyperLogLog distinct-count sketch on NumPy arrays.

Apache DataSketches' Python HLL takes one value per call, which costs ~0.3 s per million values;
this one hashes a whole array at once (splitmix64) and keeps 2**12 one-byte registers, so it
merges by element-wise maximum and its size never grows. Relative standard error is
1.04 / sqrt(4096) = 1.6 %.

>>> import numpy as np
>>> regs = registers(hash_floats(np.arange(10_000, dtype=np.float64)))
>>> bool(abs(estimate(regs) - 10_000) < 10_000 * 4 * RELATIVE_ERROR)
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

PRECISION = 12
REGISTERS = 1 << PRECISION
RELATIVE_ERROR = 1.04 / np.sqrt(REGISTERS)
_ALPHA = 0.7213 / (1 + 1.079 / REGISTERS)

U64 = npt.NDArray[np.uint64]
Registers = npt.NDArray[np.uint8]


def empty() -> Registers:
    """Registers of a sketch that has seen nothing."""
    return np.zeros(REGISTERS, dtype=np.uint8)


def _mix(h: U64) -> U64:
    """splitmix64 finaliser, in place: spreads the bits of each 64-bit key over the whole word."""
    tmp = np.empty_like(h)
    for shift, factor in ((30, 0xBF58476D1CE4E5B9), (27, 0x94D049BB133111EB), (31, 0)):
        np.right_shift(h, np.uint64(shift), out=tmp)
        np.bitwise_xor(h, tmp, out=h)
        if factor:
            np.multiply(h, np.uint64(factor), out=h)
    return h


def hash_floats(values: npt.NDArray[np.float64]) -> U64:
    """64-bit hashes of floats (``-0.0`` and ``0.0`` hash alike)."""
    canonical = values + 0.0  # a new array; turns -0.0 into 0.0
    return _mix(canonical.view(np.uint64))


def sorted_float_registers(sorted_values: npt.NDArray[np.float64]) -> Registers:
    """Registers of a sketch that has seen these sorted floats (repeats count once).

    Same result as ``registers(hash_floats(np.unique(sorted_values)))``, computed in chunks
    that stay in the CPU cache: on a million values that saves more time than the hashing
    itself costs, as every full-size temporary array is fresh memory the kernel must map.
    """
    n = sorted_values.size
    if n == 0:
        return empty()
    new = np.empty(n, dtype=np.bool_)
    new[0] = True
    np.not_equal(sorted_values[1:], sorted_values[:-1], out=new[1:])
    skip = _skip(int(np.count_nonzero(new)))
    chunks = range(0, n, _CHUNK)
    kept = [_high_ranks(hash_floats(_distinct(sorted_values, new, i)), skip) for i in chunks]
    out = _registers(np.concatenate(kept))
    if skip and not np.all(out):  # a register saw no high rank: take every hash after all
        for i in chunks:
            out = np.maximum(out, _registers(hash_floats(_distinct(sorted_values, new, i))))
    return out


def hash_strings(values: Iterable[str]) -> U64:
    """64-bit hashes of strings, stable across processes and machines."""
    digests = [hashlib.blake2b(v.encode(), digest_size=8).digest() for v in values]
    return np.frombuffer(b"".join(digests), dtype=np.uint64).copy()


#: Bits of each hash, after the register index, whose leading zeros give the rank.
RANK_BITS = 23
_MAX_RANK = RANK_BITS + 1


def registers(hashes: U64) -> Registers:
    """The registers of a sketch that has seen exactly these hashes.

    The top 12 bits pick the register; the rank is one more than the number of leading zeros
    in the lowest 23 bits, read off the exponent of their (exact) float32 value. Ranks up to 24
    keep the estimate unbiased to about 2**35 distinct values.

    With many hashes per register only the high ranks can be a register's maximum, so the
    hashes whose rank is below a threshold are dropped first; if that leaves some register
    empty, the registers are computed again from every hash. The result is the same either way.
    """
    skip = _skip(hashes.size)
    if skip:
        out = _registers(_high_ranks(hashes, skip))
        if np.all(out):
            return out
    return _registers(hashes)


_CHUNK = 1 << 16


def _distinct(
    sorted_values: npt.NDArray[np.float64], new: npt.NDArray[np.bool_], i: int
) -> npt.NDArray[np.float64]:
    """The first of each run of equal values in chunk ``i`` of a sorted array."""
    return sorted_values[i : i + _CHUNK][new[i : i + _CHUNK]]


def _skip(count: int) -> int:
    """Ranks up to this can be dropped from ``count`` hashes (0: keep all); 16-32 per register."""
    per_register = count // REGISTERS
    return min(per_register.bit_length() - 5, RANK_BITS) if per_register >= 32 else 0


def _high_ranks(hashes: U64, skip: int) -> U64:
    """The hashes whose rank is above ``skip``: a share ``2**-skip`` of random hashes."""
    if not skip:
        return hashes
    low = hashes & np.uint64((1 << RANK_BITS) - 1)
    return hashes[low < np.uint64(1 << (RANK_BITS - skip))]


def _registers(hashes: U64) -> Registers:
    out = empty()
    if hashes.size == 0:
        return out
    index = (hashes >> np.uint64(64 - PRECISION)).astype(np.intp)
    low = (hashes & np.uint64((1 << RANK_BITS) - 1)).astype(np.float32)
    bit_length = (low.view(np.uint32) >> np.uint32(23)).astype(np.intp) - 126
    rank = np.minimum(_MAX_RANK - bit_length, _MAX_RANK).astype(np.uint8)  # low == 0: largest
    np.maximum.at(out, index, rank)  # unbuffered in-place max per register
    return out


def merge(a: Registers, b: Registers) -> Registers:
    """Registers of the union of the two streams."""
    return np.maximum(a, b)


def estimate(regs: Registers) -> float:
    """Estimated number of distinct values seen."""
    tally = np.bincount(regs, minlength=_MAX_RANK + 1)  # registers per value, 0..24 or more
    zeros = int(tally[0])
    harmonic = float(np.dot(tally, np.ldexp(1.0, -np.arange(tally.size))))
    raw = _ALPHA * REGISTERS**2 / harmonic
    if raw <= 2.5 * REGISTERS and zeros:
        return float(REGISTERS * np.log(REGISTERS / zeros))
    return float(raw)
