"""Monitors that wait for their model: a monitors file may name models not registered yet.

>>> from smokejumper.monitoring.monitors import MonitorConfig
>>> config = MonitorConfig.model_validate({"monitors": [
...     {"name": "rows", "model": "churn", "type": "volume"},
...     {"name": "p99", "model": "fraud", "type": "latency", "max": 250}]})
>>> ready, waiting = split_config(config, {"churn"})
>>> [m.name for m in ready.monitors], [m.name for m in waiting.monitors]
(['rows'], ['p99'])
"""

from __future__ import annotations

from smokejumper.monitoring.monitors import MonitorConfig


def split_config(
    config: MonitorConfig, registered: set[str]
) -> tuple[MonitorConfig, MonitorConfig]:
    """The monitors (with their SLOs) whose model is in ``registered``, and the others."""
    waiting = {spec.name for spec in config.monitors if spec.model not in registered}

    def part(waits: bool) -> MonitorConfig:
        return MonitorConfig(
            monitors=[spec for spec in config.monitors if (spec.name in waiting) == waits],
            slos=[slo for slo in config.slos if (slo.monitor in waiting) == waits],
        )

    return part(False), part(True)
