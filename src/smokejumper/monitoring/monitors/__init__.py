"""Monitor types, one module each, found automatically; their declarations and evaluation.

Each type is a spec class (what to check, declared in YAML or JSON) that measures a window.
Adding a type is adding one module here (see :mod:`~smokejumper.monitoring.monitors.base`);
``MonitorSpec`` and ``parse_monitor`` take every registered type.

>>> sorted(monitor_types()) == sorted(READ_ROWS | {"feature_drift", "data_quality", "volume",
...                                                 "rejected_batches", "custom"})
True
"""

from smokejumper.monitoring.monitors.base import (
    Example,
    Measurement,
    MonitorType,
    Part,
    monitor_types,
    register,
)
from smokejumper.monitoring.monitors.confidence import Confidence
from smokejumper.monitoring.monitors.config import (
    MonitorConfig,
    MonitorSpec,
    SloSpec,
    load_config,
    parse_monitor,
)
from smokejumper.monitoring.monitors.custom import Custom
from smokejumper.monitoring.monitors.data_quality import DataQuality
from smokejumper.monitoring.monitors.error_rate import ErrorRate
from smokejumper.monitoring.monitors.evaluation import READ_ROWS, evaluate, evaluate_all
from smokejumper.monitoring.monitors.fairness import Fairness
from smokejumper.monitoring.monitors.feature_drift import FeatureDrift
from smokejumper.monitoring.monitors.latency import Latency
from smokejumper.monitoring.monitors.null_rate import NullRate
from smokejumper.monitoring.monitors.out_of_range import OutOfRange
from smokejumper.monitoring.monitors.performance import Performance
from smokejumper.monitoring.monitors.prediction_drift import PredictionDrift
from smokejumper.monitoring.monitors.rejected_batches import RejectedBatches
from smokejumper.monitoring.monitors.unseen_categories import UnseenCategories
from smokejumper.monitoring.monitors.volume import Volume
from smokejumper.monitoring.monitors.window import NO_ROWS, Observation, WindowData

__all__ = [
    "NO_ROWS",
    "READ_ROWS",
    "Confidence",
    "Custom",
    "DataQuality",
    "ErrorRate",
    "Example",
    "Fairness",
    "FeatureDrift",
    "Latency",
    "Measurement",
    "MonitorConfig",
    "MonitorSpec",
    "MonitorType",
    "NullRate",
    "Observation",
    "OutOfRange",
    "Part",
    "Performance",
    "PredictionDrift",
    "RejectedBatches",
    "SloSpec",
    "UnseenCategories",
    "Volume",
    "WindowData",
    "evaluate",
    "evaluate_all",
    "load_config",
    "monitor_types",
    "parse_monitor",
    "register",
]
