"""Evaluate monitors on one window: a pure function of the window's data.

>>> import pyarrow as pa
>>> from datetime import UTC, datetime
>>> from smokejumper.monitoring.monitors import parse_monitor
>>> rows = pa.table({"latency_ms": [10.0, 20.0, 30.0, 400.0]})
>>> window = WindowData(datetime(2026, 1, 1, tzinfo=UTC), rows)
>>> obs = evaluate(parse_monitor({"name": "p50", "model": "m", "type": "latency",
...                               "quantile": 0.5, "max": 100}), window)
>>> obs.value, obs.healthy
(25.0, True)
"""

from __future__ import annotations

from collections.abc import Sequence

from smokejumper.monitoring.monitors.base import MonitorType, monitor_types, no_value
from smokejumper.monitoring.monitors.config import MonitorSpec
from smokejumper.monitoring.monitors.window import NO_ROWS, Observation, WindowData

#: Monitor types whose value comes from the window's rows: a window without rows (a silent
#: one, or one with refused batches only) gives them no value, with :data:`NO_ROWS` as reason.
READ_ROWS = frozenset(name for name, cls in monitor_types().items() if cls.needs_rows)


def evaluate(spec: MonitorSpec, window: WindowData) -> Observation:
    """The monitor's observation for the window."""
    if spec.needs_rows and window.predictions.num_rows == 0:
        value, details = no_value(NO_ROWS)
    else:
        value, details = spec.measure(window)
    return Observation(value=value, healthy=spec.judge(value, details), details=details)


def evaluate_all(specs: Sequence[MonitorSpec], window: WindowData) -> list[Observation]:
    """The observation of each monitor for the window, in order. What several monitors need
    (a drift report, the label join, a confusion count) is computed once; a monitor that fails
    gets an observation holding the error, and the others go on."""
    by_type: dict[type[MonitorType], list[MonitorType]] = {}
    for spec in specs:
        by_type.setdefault(type(spec), []).append(spec)
    for cls, alike in by_type.items():
        cls.plan(alike, window)
    out = []
    for spec in specs:
        try:
            out.append(evaluate(spec, window))
        except Exception as err:  # one broken monitor must not stop the others
            out.append(Observation(None, None, {"error": f"{type(err).__name__}: {err}"}))
    return out
