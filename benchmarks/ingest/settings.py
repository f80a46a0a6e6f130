"""The benchmark's constants: paths, the model, batch sizes, the targets from the issue."""

from __future__ import annotations

from typing import Any

from _common import BENCHMARKS, results_paths

#: The entry script: the command line in the results, and the breakdown's child process.
SCRIPT = BENCHMARKS / "ingest_throughput.py"
DEFAULT_OUTPUT, QUICK_OUTPUT = results_paths("ingest_throughput")

SEED = 20_261_127
MODEL = "bench"
FEATURES = tuple(f"f{i:02d}" for i in range(20))
REFERENCE_ROWS = 50_000
JSON_BATCH = 1_000
ARROW_BATCH = 10_000
SWEEP_JSON = (100, 5_000)
SWEEP_ARROW = (1_000, 100_000)
BODIES_PER_CLIENT = 4
ARROW_TYPE = "application/vnd.apache.arrow.stream"
RESULT_TAG = "@@BENCH-RESULT@@ "
PACKAGES = (
    "smokejumper",
    "fastapi",
    "starlette",
    "uvicorn",
    "h11",
    "httpx",
    "pydantic",
    "sqlalchemy",
    "pyarrow",
    "numpy",
    "datasketches",
)

#: Targets from the issue.
JSON_TARGET = 20_000
ARROW_TARGET = 200_000
#: Memory counts as flat when RSS grows less than this after the warm-up.
FLAT_MIB_PER_MIN = 5.0
#: Shorter sustained runs are reported but not judged.
MIN_SUSTAIN_S = 60.0

Json = dict[str, Any]
