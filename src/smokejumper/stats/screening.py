"""Columns to leave out of drift tests, or to test as another kind than their type says.

- Identifiers: integers unique per row and increasing (row ids, sequence numbers) always
  "drift", since every new batch holds new ids. They are skipped with a note.
- Binary numbers: a column holding only 0 and 1 is a proportion, judged by the z-test on it
  rather than by distances between two-point distributions.
- Huge numbers: integers beyond 2**53 are not exact as float64 (40-digit ids, hashes); the note
  says so and how to treat them.

>>> import pyarrow as pa
>>> is_identifier(pa.chunked_array([pa.array(range(100))]))
True
>>> p = NumericProfile.from_values(np.array([0.0, 1.0, 1.0]))
>>> binary_counts(p, p.binning)
(1, 2)
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from smokejumper.stats.binning import Binning
from smokejumper.stats.categorical import CategoricalProfile
from smokejumper.stats.numeric import NumericProfile

#: An increasing integer column this short may be data, not an id.
IDENTIFIER_MIN_ROWS = 20
#: Integers beyond this magnitude are not all exact as float64.
EXACT_FLOAT_INTEGERS = 2.0**53


def is_identifier(column: pa.ChunkedArray) -> bool:
    """Whether an integer column is unique per row and increasing, without nulls."""
    if not pa.types.is_integer(column.type) or column.null_count:
        return False
    if len(column) < IDENTIFIER_MIN_ROWS:
        return False
    values = column.to_numpy()
    return bool(np.all(values[1:] > values[:-1]))


def binary_counts(profile: NumericProfile, reference_bins: Binning) -> tuple[int, int] | None:
    """Zeros and ones, when every finite value is 0 or 1 and the reference's bins are [0, 1]."""
    if profile.n == 0 or profile.min < 0 or profile.max > 1:
        return None
    if not np.array_equal(reference_bins.edges, [0.0, 1.0]):
        return None
    zeros, up_to_one, beyond = (int(c) for c in profile.counts)
    if beyond or up_to_one != int(profile.at_edges[1]):
        return None
    return zeros, up_to_one


def as_binary(profile: NumericProfile, counts: tuple[int, int]) -> CategoricalProfile:
    """A 0/1 numeric profile as the counts of a binary column (missing values as nulls)."""
    zeros, ones = counts
    return CategoricalProfile.from_counts({"0": zeros, "1": ones}, nulls=profile.count - profile.n)


def precision_note(profile: NumericProfile) -> str | None:
    """A note when every value is too large to be exact as float64 (40-digit ids, hashes)."""
    if profile.n and (profile.min > EXACT_FLOAT_INTEGERS or profile.max < -EXACT_FLOAT_INTEGERS):
        return (
            "every value is beyond 2**53, where numbers are not exact as floating point; if "
            "they are codes or ids, exclude the column (--exclude, or exclude= in Python) or "
            "test it as categorical (--kind NAME=categorical, or kinds= in Python)"
        )
    return None
