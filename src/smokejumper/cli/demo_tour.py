"""The files of README.md's five-minute tour, which ``smokejumper demo`` leaves in
``$SMOKEJUMPER_HOME/tour``: the sample loan model's training data (``train.parquet``, the
September inputs), last week's inputs (``last_week.parquet``, October's, which drifted), six
hours of its logged predictions (``log.parquet``, as :mod:`~smokejumper.cli.demo_data` makes
them), its schema (``schema.yaml``) and its monitors (``monitors.yaml``).

>>> import tempfile
>>> from importlib import resources
>>> data = resources.files("smokejumper") / "data"
>>> folder = Path(tempfile.mkdtemp()) / "tour"
>>> written = write_tour(folder, Path(str(data / "loans_reference.parquet")),
...                      Path(str(data / "loans_current.parquet")), datetime(2026, 11, 30, 9))
>>> [p.name for p in written]
['train.parquet', 'last_week.parquet', 'log.parquet', 'schema.yaml', 'monitors.yaml']
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from smokejumper.cli.demo_data import MONITORS, SCHEMA, SLO, logged_hours, window_starts

__all__ = ["TOUR_FILES", "write_tour"]

#: The files the tour uses, in the order they are written.
TOUR_FILES = ("train.parquet", "last_week.parquet", "log.parquet", "schema.yaml", "monitors.yaml")


def write_tour(folder: Path, reference: Path, current: Path, now: datetime) -> list[Path]:
    """Write the tour's files into ``folder`` (made if missing, files replaced); the paths.
    The logged predictions fill the six hours before ``now``'s."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / name for name in TOUR_FILES]
    train, last_week, log, schema, monitors = paths
    shutil.copyfile(reference, train)
    shutil.copyfile(current, last_week)
    hours = logged_hours(window_starts(now), pq.read_table(reference), pq.read_table(current))
    pq.write_table(pa.concat_tables(hour.predictions for hour in hours), log)
    schema.write_text(_yaml(SCHEMA), encoding="utf-8")
    monitors.write_text(_yaml({"monitors": MONITORS, "slos": [SLO]}), encoding="utf-8")
    return paths


def _yaml(content: object) -> str:
    return str(yaml.safe_dump(content, sort_keys=False, default_flow_style=None, width=100))
