"""SLOs on monitors: each evaluated window is one event, good when the monitor was healthy.

The state is computed as of the end of the newest evaluated window (only closed windows have
observations), so the short burn-rate windows look at the latest data rather than at the open
window that has none yet.

>>> from datetime import UTC, datetime, timedelta
>>> t0 = datetime(2026, 11, 1, tzinfo=UTC)
>>> obs = [(t0 + timedelta(hours=h), h != 1) for h in range(10)]  # one bad window, long ago
>>> status = slo_status("p99-slo", "p99", 0.9, 30, obs, timedelta(hours=1))
>>> status["state"], status["windows"], status["unhealthy_windows"]
('ok', 10, 1)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from smokejumper.monitoring.slo import Objective, SliSample, evaluate


def slo_status(
    name: str,
    monitor: str,
    objective: float,
    period_days: float,
    observations: Sequence[tuple[datetime, bool]],
    window: timedelta,
) -> dict[str, Any]:
    """The SLO's state, error budget and burn rates from ``(window start, healthy)`` pairs."""
    samples = [
        SliSample(start, start + window, 1.0 if ok else 0.0, 1.0) for start, ok in observations
    ]
    now = max((s.end for s in samples), default=datetime.now(UTC))
    state = evaluate(samples, now, Objective(objective, timedelta(days=period_days)))
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
