"""SLO state: each SLO's observations read from the store and judged by the pure
:func:`smokejumper.monitoring.slo_status.slo_status`.

The error budget left and the burn rates are ratios of window counts, divided by
``1 - objective``, which binary floating point cannot hold exactly (``1 - 0.99`` is
``0.010000000000000009``): a budget overspent 100 times came out as ``-98.99999999999991``.
They are rounded to :data:`DECIMALS` decimal places, which removes that noise and nothing
else: a billionth of a budget is far less than one window of any SLO period.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from smokejumper.monitoring.slo_status import slo_status
from smokejumper.store.slos import slo_as_of, slos_with_monitors, verdicts_since

#: Decimal places of the error budget left and the burn rates in the API's answers.
DECIMALS = 9


def rounded(status: dict[str, Any]) -> dict[str, Any]:
    """``status`` with its error budget left and burn rates rounded to :data:`DECIMALS`.

    >>> tidy = rounded({"error_budget_remaining": -98.99999999999991,
    ...     "conditions": [{"long_burn_rate": 99.99999999999991, "short_burn_rate": None}]})
    >>> tidy["error_budget_remaining"], tidy["conditions"]
    (-99.0, [{'long_burn_rate': 100.0, 'short_burn_rate': None}])
    """
    conditions = [
        {
            **c,
            **{
                key: round(c[key], DECIMALS)
                for key in ("long_burn_rate", "short_burn_rate")
                if c.get(key) is not None
            },
        }
        for c in status["conditions"]
    ]
    budget = round(status["error_budget_remaining"], DECIMALS)
    return {**status, "error_budget_remaining": budget, "conditions": conditions}


def slo_statuses(session: Session) -> list[dict[str, Any]]:
    """The state of every SLO, from its monitor's observations, as of the end of the newest
    window evaluated for the monitor's model (see :func:`smokejumper.store.slos.slo_as_of`)."""
    return [status for _, status in slo_statuses_by_model(session)]


def slo_statuses_by_model(session: Session) -> list[tuple[str, dict[str, Any]]]:
    """``(model name, state)`` of every SLO, as :func:`slo_statuses` gives them."""
    out = []
    for slo, monitor, model in slos_with_monitors(session):
        window = timedelta(seconds=model.window_seconds)
        as_of = slo_as_of(session, model, monitor)
        since = as_of - timedelta(days=slo.period_days) - window
        status = slo_status(
            slo.name,
            monitor.name,
            slo.objective,
            slo.period_days,
            verdicts_since(session, monitor, since),
            window,
            as_of=as_of,
        )
        out.append((model.name, rounded(status)))
    return out
