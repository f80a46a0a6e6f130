"""The default drift method for each column kind, and the rationale (see docs/drift.md).

- numbers: Wasserstein-1 distance in reference standard deviations, with the Kolmogorov-Smirnov
  p-value. The distance reads as "how far the values moved" and reacts to shifts in location and
  in spread alike (a 0.2 sd mean shift is 0.2; a 20 % wider spread about 0.16), where KS D barely
  moves for a change of spread; the KS test keeps small samples from alarming on noise. Both are
  bracketed from profiles with a stated bound, so one default serves files, profiles and windows.
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
    ColumnKind.NUMERIC: "wasserstein",
    ColumnKind.DATETIME: "wasserstein",
    ColumnKind.BOOLEAN: "ztest",
    ColumnKind.CATEGORICAL: "chisquare",
    ColumnKind.TEXT: "chisquare",
}


def default_method(kind: ColumnKind) -> str:
    """Name of the method used for ``kind`` when the caller names none."""
    return _DEFAULTS[kind]
