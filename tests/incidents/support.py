"""Helpers for the incident tests: a fixed start time and an incident builder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from smokejumper.incidents import Incident

T0 = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def opened(incident_id: str = "INC-1", **kw: Any) -> Incident:
    """A new incident opened at T0 by hand (its events dropped)."""
    kw.setdefault("source", "user")
    kw.setdefault("actor", "ana")
    return Incident.open(incident_id, "churn scores flat", kw.pop("severity", "SEV2"), T0, **kw)[0]
