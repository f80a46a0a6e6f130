"""One drift report per window, shared by the window's feature-drift monitors.

``compare`` judges each column on its own; only the multiple-testing correction, and the
verdicts that depend on it, look at the columns together. So a monitor on some of the columns
can take their per-column statistics from a report over more columns, as long as each column
was judged there as it would be for the monitor, and correct their p-values again as a family of
its own. The result is the report ``compare`` gives for those columns alone.

>>> import numpy as np, pyarrow as pa
>>> from smokejumper.stats.compare import compare
>>> from smokejumper.stats.dataset import profile
>>> rng = np.random.default_rng(1)
>>> ref = profile(pa.table({"a": rng.normal(size=3000), "b": rng.normal(size=3000)}))
>>> cur = profile(pa.table({"a": rng.normal(size=3000), "b": rng.normal(0.3, 1, size=3000)}),
...               reference=ref)
>>> shared = subset(compare(ref, cur), ["b"], named=False)
>>> alone = compare(ref, cur, columns=["b"])
>>> shared.columns[0] == alone.columns[0]
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from smokejumper.frames.kinds import DRIFT_KINDS
from smokejumper.stats.compare import verdicts
from smokejumper.stats.report import ColumnDrift, DriftReport


def _judged_alike(column: ColumnDrift, named: bool) -> bool:
    """Whether the column was judged as it is when named: ``compare`` skips text and
    timestamp columns unless they are named, and tests every other kind either way."""
    return named or column.kind in {k.value for k in DRIFT_KINDS}


def subset(report: DriftReport, columns: Sequence[str], *, named: bool) -> DriftReport | None:
    """The report ``compare`` would give for ``columns`` alone, taken from ``report``.

    ``named`` says whether ``report`` was made with its columns named. ``None`` when the report
    cannot tell: a column is missing from it, or was judged there as it is not when named.
    """
    by_name = {c.name: c for c in report.columns}
    picked = []
    for name in columns:
        column = by_name.get(name)
        if column is None or not _judged_alike(column, named):
            return None
        picked.append(column)
    return replace(
        report,
        columns=verdicts(picked, report.alpha, report.correction),
        schema_changes=[f for f in report.schema_changes if f.column in columns],
        multivariate=None,
        notes=[],
    )
