"""SLOs on monitors: each evaluated window is one event, good when the monitor was healthy.

The state is computed as of a given instant, by default the end of the newest window among the
observations (only closed windows have observations, so the short burn-rate windows look at the
latest data rather than at the open window that has none yet). The store passes the end of the
newest window evaluated for the model instead, which moves on when traffic stops: windows in
which the monitor had no verdict hold no events, so a burn-rate alert clears once its short
window holds no bad ones.

>>> from datetime import UTC, datetime, timedelta
>>> t0 = datetime(2026, 11, 1, tzinfo=UTC)
>>> obs = [(t0 + timedelta(hours=h), h != 1) for h in range(10)]  # one bad window, long ago
>>> status = slo_status("p99-slo", "p99", 0.9, 30, obs, timedelta(hours=1))
>>> status["state"], status["windows"], status["unhealthy_windows"]
('ok', 10, 1)
>>> bad = [(t0, False)]  # the newest window was bad: pages as of its end ...
>>> slo_status("p99-slo", "p99", 0.9, 30, bad, timedelta(hours=1))["state"]
'page'
>>> later = t0 + timedelta(hours=3)  # ... but no longer two windows without verdict later
>>> slo_status("p99-slo", "p99", 0.9, 30, bad, timedelta(hours=1), as_of=later)["state"]
'ticket'
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from smokejumper.monitoring.slo import Objective, SliSample, slo_state


def slo_status(
    name: str,
    monitor: str,
    objective: float,
    period_days: float,
    observations: Sequence[tuple[datetime, bool]],
    window: timedelta,
    *,
    as_of: datetime | None = None,
) -> dict[str, Any]:
    """The SLO's state, error budget and burn rates from ``(window start, healthy)`` pairs, as
    of ``as_of`` (by default the end of the newest window among them, or now without any)."""
    samples = [
        SliSample(start, start + window, 1.0 if ok else 0.0, 1.0) for start, ok in observations
    ]
    now = as_of or max((s.end for s in samples), default=datetime.now(UTC))
    state = slo_state(samples, now, Objective(objective, timedelta(days=period_days)))
    return {
        "name": name,
        "monitor": monitor,
        "objective": objective,
        "period_days": period_days,
        "as_of": now.isoformat(),
        "state": state.state,
        "windows": len(samples),
        "unhealthy_windows": sum(1 for _, ok in observations if not ok),
        "error_budget_remaining": state.budget.remaining,
        "conditions": [
            {
                "severity": c.condition.severity,
                "long_window_seconds": c.condition.long_window.total_seconds(),
                "short_window_seconds": c.condition.short_window.total_seconds(),
                "threshold": c.condition.threshold,
                "long_burn_rate": c.long_burn_rate,
                "short_burn_rate": c.short_burn_rate,
                "firing": c.firing,
            }
            for c in state.conditions
        ],
    }
