"""The default drift method for each column kind, and the rationale (see docs/drift.md).

- numbers: Kolmogorov-Smirnov. Distribution-free, exact p-values on small samples, and D is a
  readable size (the largest gap between the CDFs, 0-1). From profiles it is bracketed with a
  stated bound, so the same default works for files, profiles and windows.
- booleans: two-proportion z-test with Cohen's h, which is fair to rare events.
- categories: chi-squared with Cramér's V.
- timestamps are excluded by default (they move forward by design); ask for them by name and
  they get KS like numbers. Text and identifier columns are excluded: every value is new.

>>> default_method(ColumnKind.BOOLEAN)
'ztest'
"""

from __future__ import annotations

from smokejumper.frames.kinds import ColumnKind

_DEFAULTS = {
    ColumnKind.NUMERIC: "ks",
    ColumnKind.DATETIME: "ks",
    ColumnKind.BOOLEAN: "ztest",
    ColumnKind.CATEGORICAL: "chisquare",
    ColumnKind.TEXT: "chisquare",
}


def default_method(kind: ColumnKind) -> str:
    """Name of the method used for ``kind`` when the caller names none."""
    return _DEFAULTS[kind]
