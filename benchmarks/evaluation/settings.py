"""The benchmark's constants: paths, the model and its features, the targets from the issue."""

from __future__ import annotations

from typing import Any

from _common import BENCHMARKS, results_paths

#: The entry script, for the command line in the results.
SCRIPT = BENCHMARKS / "monitor_evaluation.py"
DEFAULT_OUTPUT, QUICK_OUTPUT = results_paths("monitor_evaluation")

SEED = 20_261_127
MODEL = "bench"
NUMERIC = tuple(f"f{i:02d}" for i in range(20))
CATEGORY = "plan"
PLANS = ("free", "basic", "plus", "pro", "team")
UNSEEN_PLAN = "enterprise"
REFERENCE_ROWS = 50_000
#: Targets from the issue.
TARGET_SECONDS = 1.0
TARGET_WINDOWS = 24
TARGET_MONITORS = 50
PACKAGES = ("smokejumper", "numpy", "pyarrow", "scipy", "scikit-learn", "sqlalchemy", "pydantic")

Json = dict[str, Any]
