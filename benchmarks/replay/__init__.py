"""A windowed replay of real data through a real ``smokejumper serve``: how often a
``feature_drift`` monitor over columns that never shift calls a window unhealthy, and how often
a real shift is caught, per rows per window. Shared by ``benchmarks/windowed_replay.py`` and
``tests/replay/test_windowed_replay.py``.

- ``data``: the real data (``data/``, see its README) cut into reference, clean and shifted rows;
- ``windows``: hourly windows in the past and the rows' times in them;
- ``run``: the server, the model and monitors per size, logging, evaluation, the counts.

The modules import one another relatively, so the package works both as ``replay`` (the
benchmark script's folder is first on ``sys.path``) and as ``benchmarks.replay`` (from tests).
"""

from __future__ import annotations

from .data import CLEAN_COLUMNS, SHIFTED_COLUMNS, ReplayData, load
from .run import Replay, SizePlan, SizeResult, replay

__all__ = [
    "CLEAN_COLUMNS",
    "SHIFTED_COLUMNS",
    "Replay",
    "ReplayData",
    "SizePlan",
    "SizeResult",
    "load",
    "replay",
]
