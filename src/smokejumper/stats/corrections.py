"""Multiple-testing corrections of per-column p-values.

>>> adjust([0.01, 0.04, 0.03], "holm")
[0.03, 0.06, 0.06]
>>> adjust([0.01, 0.04, 0.03], "bh")
[0.03, 0.04, 0.04]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from smokejumper.errors import InputError

CORRECTIONS = ("holm", "bh", "bonferroni", "none")


def adjust(p_values: Sequence[float], method: str = "holm") -> list[float]:
    """Adjusted p-values, in input order.

    ``holm`` (Holm-Bonferroni, controls the family-wise error), ``bh`` (Benjamini-Hochberg,
    controls the false discovery rate), ``bonferroni`` or ``none``.
    """
    if method not in CORRECTIONS:
        raise InputError(f"unknown correction {method!r}; use one of {', '.join(CORRECTIONS)}")
    p = np.asarray(p_values, dtype=np.float64)
    m = p.size
    if m == 0 or method == "none":
        return [float(x) for x in p]
    if method == "bonferroni":
        return [float(x) for x in np.minimum(p * m, 1.0)]
    order = np.argsort(p, kind="stable")
    ranked = p[order]
    if method == "holm":
        stepped = np.maximum.accumulate(ranked * (m - np.arange(m)))
    else:
        stepped = np.minimum.accumulate((ranked * m / np.arange(1, m + 1))[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(stepped, 1.0)
    return [round(float(x), 15) for x in out]
