"""A windowed replay of real data through a real ``smokejumper serve``: how often a
``feature_drift`` monitor over columns that never shift calls a window unhealthy, and how often
a real shift is caught, per rows per window. Shared by ``benchmarks/windowed_replay.py`` and
``tests/replay/test_windowed_replay.py``.

- ``data``: the real data (``data/``, see its README) cut into reference, clean and shifted rows;
- ``windows``: hourly windows in the past and the rows' times in them;
- ``run``: the server, the model and monitors per size, logging, evaluation, the counts;
- ``targets``: the issue's targets (false alarms per 100 clean windows, shifted windows caught).

The modules import one another relatively, so the package works both as ``replay`` (the
benchmark script's folder is first on ``sys.path``) and as ``benchmarks.replay`` (from tests).
"""

from __future__ import annotations

from .data import CLEAN_COLUMNS, SHIFTED_COLUMNS, ReplayData, draws, load
from .run import Replay, SizePlan, SizeResult, replay
from .targets import MAX_FALSE_ALARMS_PER_100, MIN_CAUGHT_SHARE, caught_met, false_alarms_met

__all__ = [
    "CLEAN_COLUMNS",
    "MAX_FALSE_ALARMS_PER_100",
    "MIN_CAUGHT_SHARE",
    "SHIFTED_COLUMNS",
    "Replay",
    "ReplayData",
    "SizePlan",
    "SizeResult",
    "caught_met",
    "draws",
    "false_alarms_met",
    "load",
    "replay",
]
