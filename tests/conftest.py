"""Shared fixtures: seeded random data as real Arrow tables and files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


def mixed_table(rng: np.random.Generator, rows: int, *, shift: bool = False) -> pa.Table:
    """Numeric, categorical and boolean columns with some nulls; ``shift`` moves three."""
    cats = ["a", "b", "c", "d"]
    x = rng.normal(0.5 if shift else 0.0, 1.0, rows)
    y = rng.exponential(1.0, rows)
    mask = rng.random(rows) < 0.05
    return pa.table(
        {
            "x": x,
            "y": pa.array(y, mask=mask),
            "n": rng.integers(0, 10, rows),
            "cat": rng.choice(cats, rows, p=[0.1, 0.2, 0.3, 0.4] if shift else [0.25] * 4),
            "flag": rng.random(rows) < (0.5 if shift else 0.3),
            "steady": rng.choice(["u", "v"], rows),
        }
    )


@pytest.fixture
def loans(tmp_path: Path, rng: np.random.Generator) -> tuple[Path, Path]:
    """A reference and a shifted current Parquet file."""
    ref, cur = tmp_path / "ref.parquet", tmp_path / "cur.parquet"
    pq.write_table(mixed_table(rng, 3000), ref)
    pq.write_table(mixed_table(rng, 3000, shift=True), cur)
    return ref, cur
