"""The ML facts an alert carries: which features moved and by how much, the null share.

They come from an observation's ``details`` as the monitor types write them: a
``feature_drift`` observation has ``{"columns": {name: {"effect_size", "drift", "method"}}}``;
a ``null_rate`` observation has ``{"column": worst, "rates": {name: share}}``. Unknown shapes
give no facts rather than an error: the alert is more important than its decoration.

>>> details = {"columns": {"age": {"effect_size": 0.42, "drift": True, "method": "wasserstein"},
...                        "plan": {"effect_size": 0.03, "drift": False, "method": "jensenshannon"},
...                        "tenure": {"effect_size": 0.9, "drift": True, "method": "wasserstein"}}}
>>> [c["column"] for c in drifted_columns(details)]
['tenure', 'age']
>>> columns_text(drifted_columns(details))
'tenure (wasserstein 0.9), age (wasserstein 0.42)'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

#: At most this many columns are named in an alert's description (all are in its context).
SHOWN_COLUMNS = 10


def drifted_columns(details: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The drifted columns of a drift observation, largest effect first, as
    ``{"column", "effect_size", "method"}``."""
    columns = details.get("columns")
    if not isinstance(columns, Mapping):
        return []
    found = []
    for name, result in columns.items():
        if isinstance(result, Mapping) and result.get("drift") is True:
            effect = result.get("effect_size")
            size = float(effect) if isinstance(effect, int | float) and _is_number(effect) else None
            found.append({"column": str(name), "effect_size": size, "method": result.get("method")})
    return sorted(found, key=lambda c: (-(c["effect_size"] or 0.0), c["column"]))


def null_share(details: Mapping[str, Any], value: float | None) -> dict[str, Any] | None:
    """The worst null share of a null-rate observation as ``{"column", "share"}``, if any.

    >>> null_share({"column": "age", "rates": {"age": 0.5, "plan": 0.25}}, 0.5)
    {'column': 'age', 'share': 0.5}
    """
    rates = details.get("rates")
    column = details.get("column")
    if isinstance(rates, Mapping) and isinstance(column, str) and _is_number(rates.get(column)):
        return {"column": column, "share": float(rates[column])}
    if isinstance(column, str) and value is not None and _is_number(value):
        return {"column": column, "share": float(value)}
    return None


def columns_text(columns: Sequence[Mapping[str, Any]]) -> str:
    """The columns in words, at most :data:`SHOWN_COLUMNS` of them."""
    words = []
    for c in columns[:SHOWN_COLUMNS]:
        size = c.get("effect_size")
        shown = f"{c.get('method') or 'effect'} {size:.3g}" if size is not None else "drifted"
        words.append(f"{c['column']} ({shown})")
    more = len(columns) - SHOWN_COLUMNS
    return ", ".join(words) + (f" and {more} more" if more > 0 else "")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
