"""The profile file format: version 2 (arrays beside the JSON) written, versions 1 and 2 read."""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from smokejumper.errors import ProfileFormatError
from smokejumper.stats import serialize
from smokejumper.stats.categorical import CategoricalProfile
from smokejumper.stats.dataset import DatasetProfile, profile
from smokejumper.stats.numeric import NumericProfile

#: Written by Smokejumper at format version 1 (zlib, base64 arrays inside the JSON).
VERSION_1_FILE = Path(__file__).parent / "data" / "format-v1.profile"


def _v1_data() -> pa.Table:
    """The table the version-1 file was made from (same seed and steps as when it was written)."""
    rng = np.random.default_rng(5)
    x = np.r_[rng.normal(size=20000), [np.nan, np.inf]]
    c = rng.choice(["a", "b", "c"], size=20002)
    flag = rng.random(20002) < 0.3
    return pa.table({"x": x, "c": c, "flag": flag})


def _assert_equal(a: DatasetProfile, b: DatasetProfile) -> None:
    assert (a.rows, a.kinds) == (b.rows, b.kinds)
    for name, col in a.columns.items():
        other = b.columns[name]
        if isinstance(col, NumericProfile):
            assert isinstance(other, NumericProfile)
            for field in ("count", "nulls", "nans", "pos_inf", "neg_inf", "n", "mean", "m2"):
                assert getattr(col, field) == getattr(other, field), field
            assert col.binning.same_as(other.binning)
            np.testing.assert_array_equal(col.counts, other.counts)
            np.testing.assert_array_equal(col.at_edges, other.at_edges)
            np.testing.assert_array_equal(col.distinct, other.distinct)
            assert col.quantiles is not None
            assert other.quantiles is not None
            assert col.quantiles.n == other.quantiles.n
        else:
            assert isinstance(col, CategoricalProfile)
            assert isinstance(other, CategoricalProfile)
            assert col.frequencies() == other.frequencies()
            np.testing.assert_array_equal(col.distinct, other.distinct)


def test_version_2_round_trip_keeps_every_array_and_sketch() -> None:
    made = profile(_v1_data())
    blob = serialize.dumps([made, made])
    first, second = serialize.loads(blob)
    _assert_equal(made, first)
    _assert_equal(made, second)
    x = first.columns["x"]
    assert isinstance(x, NumericProfile)
    assert x.quantiles is not None
    original = made.columns["x"]
    assert isinstance(original, NumericProfile)
    assert original.quantiles is not None
    assert x.quantiles.serialize() == original.quantiles.serialize()


def test_version_1_files_are_still_read() -> None:
    [old] = serialize.load(VERSION_1_FILE)
    _assert_equal(profile(_v1_data()), old)


def test_a_reference_outside_the_payload_is_refused() -> None:
    blob = serialize.dumps([profile(pa.table({"x": [1.0, 2.0, 3.0]}))])
    payload = serialize._payload(memoryview(blob)[len(serialize.MAGIC) :])
    end = payload.index(b"\n")
    cut = serialize.MAGIC + zlib.compress(payload[: end + 10])  # arrays cut short
    with pytest.raises(ProfileFormatError, match="outside the payload"):
        serialize.loads(cut)
