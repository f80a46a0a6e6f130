"""``smokejumper profile DATA --output FILE.profile``: write mergeable profiles."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import track

from smokejumper.cli.console import make_console
from smokejumper.errors import InputError, UnknownColumnError

if TYPE_CHECKING:
    # numpy, pyarrow and the statistics core are imported in the functions that profile: the
    # CLI imports this module for every command (`model` uses parse_window).
    import numpy as np
    import pyarrow as pa

    from smokejumper.stats.dataset import DatasetProfile

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_window(text: str) -> int:
    """Window length in seconds from text such as ``30m``, ``1h`` or ``1d``.

    >>> parse_window("90m")
    5400
    """
    match = re.fullmatch(r"\s*(\d+)\s*([smhd])\s*", text)
    if not match or int(match.group(1)) == 0:
        raise InputError(f"cannot read window {text!r}; write it like 30m, 1h or 1d")
    return int(match.group(1)) * _UNITS[match.group(2)]


def _window_starts(table: pa.Table, column: str, seconds: int) -> np.ndarray:
    import numpy as np
    import pyarrow as pa

    if column not in table.column_names:
        raise UnknownColumnError(f"timestamp column {column!r} is not in the data")
    ts = table.column(column)
    if not pa.types.is_timestamp(ts.type):
        raise InputError(
            f"column {column!r} is {ts.type}, not a timestamp; name a timestamp column"
        )
    if ts.null_count:
        raise InputError(
            f"timestamp column {column!r} has {ts.null_count} null values; fill or drop them"
        )
    # whole seconds, rounded down (times with fractions of a second are the usual case)
    per_second = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}[ts.type.unit]
    epoch = ts.cast(pa.int64()).to_numpy() // per_second
    return np.asarray((epoch // seconds) * seconds)


def bins_for_windows(data: pa.Table, reference: DatasetProfile | None) -> DatasetProfile:
    """The profile whose bins every window is profiled on, so that the windows merge: the
    reference, with the columns it lacks binned on the whole of ``data`` (all of them without
    a reference).

    >>> import pyarrow as pa
    >>> from smokejumper.stats.dataset import profile
    >>> ref = profile(pa.table({"x": [1.0, 2.0, 3.0]}))
    >>> sorted(bins_for_windows(pa.table({"x": [2.0], "score": [0.3]}), ref).columns)
    ['score', 'x']
    """
    from smokejumper.stats.dataset import DatasetProfile, profile

    if reference is None:
        return profile(data)
    missing = [c for c in data.column_names if c not in reference.kinds]
    if not missing:
        return reference
    whole = profile(data.select(missing))
    return DatasetProfile(
        rows=reference.rows,
        kinds={**reference.kinds, **whole.kinds},
        columns={**reference.columns, **whole.columns},
        notes={**whole.notes, **reference.notes},
    )


def windowed_profiles(
    table: pa.Table, column: str, seconds: int, reference: DatasetProfile
) -> list[DatasetProfile]:
    """One profile per window, all on the reference's bins so that they merge."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from smokejumper.stats.dataset import profile

    starts = _window_starts(table, column, seconds)
    data = table.drop_columns([column])
    out = []
    for start in track(np.unique(starts), description="profiling windows", transient=True):
        part = data.filter(pc.equal(pa.array(starts), int(start)))
        window = profile(part, reference=reference)
        window.window_start = datetime.fromtimestamp(int(start), UTC)
        window.window_end = window.window_start + timedelta(seconds=seconds)
        out.append(window)
    return out


def profile_command(
    data: Annotated[str, typer.Argument(help="A .parquet or .csv file")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Profile file to write")],
    reference: Annotated[
        str | None, typer.Option(help="Bin on this reference profile (so it can be compared)")
    ] = None,
    window: Annotated[str | None, typer.Option(help="One profile per window, e.g. 1h")] = None,
    timestamp_column: Annotated[
        str | None, typer.Option(help="Column that places rows in windows")
    ] = None,
) -> None:
    """Profile DATA into a compact, mergeable profile file (per time window when asked)."""
    from smokejumper.frames.sources import read_table
    from smokejumper.stats import serialize
    from smokejumper.stats.dataset import profile

    console = make_console(stderr=True)
    if (window is None) != (timestamp_column is None):
        raise InputError("--window and --timestamp-column go together; give both or neither")
    table = read_table(data)
    ref = None
    if reference is not None:
        ref_profiles = serialize.load(reference)
        ref = ref_profiles[0]
        for more in ref_profiles[1:]:
            ref = ref.merge(more)
    if window is None:
        profiles = [profile(table, reference=ref)]
    else:
        assert timestamp_column is not None
        seconds = parse_window(window)
        base = bins_for_windows(table.drop_columns([timestamp_column]), ref)
        profiles = windowed_profiles(table, timestamp_column, seconds, base)
    serialize.save(output, profiles)
    rows = sum(p.rows for p in profiles)
    console.print(
        f"wrote {len(profiles)} profile(s) of {rows:,} rows and {len(profiles[0].columns)} "
        f"columns to {output} ({output.stat().st_size:,} bytes)"
    )
