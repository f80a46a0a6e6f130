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
    """splitmix64 finaliser: spreads the bits of each 64-bit key over the whole word."""
    h = h ^ (h >> np.uint64(30))
    h = h * np.uint64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> np.uint64(27))
    h = h * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


def hash_floats(values: npt.NDArray[np.float64]) -> U64:
    """64-bit hashes of floats (``-0.0`` and ``0.0`` hash alike)."""
    canonical = values + 0.0  # turns -0.0 into 0.0
    return _mix(canonical.view(np.uint64).copy())


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
    per_register = hashes.size // REGISTERS
    if per_register >= 32:
        # keep ranks > skip: a share 2**-skip of the hashes, 16 to 32 per register
        skip = min(per_register.bit_length() - 5, RANK_BITS)
        low = hashes & np.uint64((1 << RANK_BITS) - 1)
        high = hashes[low < np.uint64(1 << (RANK_BITS - skip))]
        out = _registers(high)
        if np.all(out):
            return out
    return _registers(hashes)


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
    zeros = int(np.count_nonzero(regs == 0))
    raw = _ALPHA * REGISTERS**2 / float(np.sum(np.ldexp(1.0, -regs.astype(np.int64))))
    if raw <= 2.5 * REGISTERS and zeros:
        return float(REGISTERS * np.log(REGISTERS / zeros))
    return float(raw)
