"""Handing the monitors that wait for their model to worker processes.

With ``serve --workers N`` the parent applies the monitors file and hands what waits (see
:class:`smokejumper.service.config.PendingMonitors`) to the workers in the environment variable
:data:`PENDING_ENV`.
"""

from __future__ import annotations

import os

from smokejumper.monitoring.monitors import MonitorConfig
from smokejumper.service.config import PendingMonitors

#: Where ``serve --workers N`` passes the waiting monitors (as JSON) to its workers.
PENDING_ENV = "_SMOKEJUMPER_PENDING_MONITORS"


def to_environment(pending: PendingMonitors) -> None:
    """Hand what waits to worker processes started after this (see :func:`from_environment`)."""
    if pending.config.monitors:
        os.environ[PENDING_ENV] = pending.config.model_dump_json()
    else:
        os.environ.pop(PENDING_ENV, None)


def from_environment() -> PendingMonitors:
    """What the parent process left waiting (nothing when it left nothing)."""
    held = os.environ.get(PENDING_ENV)
    return PendingMonitors(MonitorConfig.model_validate_json(held) if held else None)
