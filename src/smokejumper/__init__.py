"""Smokejumper: incident response and blameless post-mortems for machine-learning systems.

The statistics core is imported lazily, so ``import smokejumper`` stays fast.

>>> import smokejumper, pyarrow as pa
>>> report = smokejumper.compare(pa.table({"x": [1.0, 2.0, 3.0] * 50}),
...                              pa.table({"x": [1.0, 2.0, 3.0] * 50}))
>>> report.dataset_drift
False
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from smokejumper._version import __version__
from smokejumper.errors import SmokejumperError

if TYPE_CHECKING:
    from smokejumper.client import Client
    from smokejumper.stats.compare import compare
    from smokejumper.stats.dataset import DatasetProfile, profile
    from smokejumper.stats.report import DriftReport
    from smokejumper.stats.serialize import load as load_profiles
    from smokejumper.stats.serialize import save as save_profiles

__all__ = [
    "Client",
    "DatasetProfile",
    "DriftReport",
    "SmokejumperError",
    "__version__",
    "compare",
    "load_profiles",
    "profile",
    "save_profiles",
]

_LAZY = {
    "Client": ("smokejumper.client", "Client"),
    "compare": ("smokejumper.stats.compare", "compare"),
    "profile": ("smokejumper.stats.dataset", "profile"),
    "DatasetProfile": ("smokejumper.stats.dataset", "DatasetProfile"),
    "DriftReport": ("smokejumper.stats.report", "DriftReport"),
    "load_profiles": ("smokejumper.stats.serialize", "load"),
    "save_profiles": ("smokejumper.stats.serialize", "save"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'smokejumper' has no attribute {name!r}")
