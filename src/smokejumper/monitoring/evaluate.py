"""Evaluate one monitor on one window (kept for the callers of this path; the code lives in
:mod:`smokejumper.monitoring.monitors`, one module per monitor type).

>>> from smokejumper.monitoring import monitors
>>> evaluate is monitors.evaluate and WindowData is monitors.WindowData
True
"""

from smokejumper.monitoring.monitors import (
    NO_ROWS,
    READ_ROWS,
    Observation,
    WindowData,
    evaluate,
    evaluate_all,
)

__all__ = ["NO_ROWS", "READ_ROWS", "Observation", "WindowData", "evaluate", "evaluate_all"]
