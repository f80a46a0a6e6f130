"""What each monitor type says it reads is what the window loader loads for it, and the
loader can load every part a type may name."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, get_args

import pytest

from smokejumper.monitoring.monitors import MonitorType, monitor_types, parse_monitor
from smokejumper.monitoring.monitors.base import Part
from smokejumper.service.evaluation.loading import Needs

VARIANTS: list[dict[str, Any]] = [
    *({"type": name, **cls.example} for name, cls in monitor_types().items()),
    {"type": "confidence", "statistic": "drift"},
    {"type": "confidence", "statistic": "mean"},
    {"type": "feature_drift"},
    {"type": "null_rate"},
]


def _spec(fields_: dict[str, Any]) -> MonitorType:
    return parse_monitor({"name": "m", "model": "churn", **fields_})


@pytest.mark.parametrize("declared", VARIANTS, ids=lambda d: "-".join(map(str, d.values())))
def test_parts_read_are_what_the_loader_loads(declared: dict[str, Any]) -> None:
    spec = _spec(declared)
    needs = Needs.of([spec])
    loaded = {f.name for f in fields(Needs) if getattr(needs, f.name)}
    assert loaded == set(spec.parts_read())


def test_the_drift_of_confidence_also_reads_the_baseline() -> None:
    mean = _spec({"type": "confidence"}).parts_read()
    drift = _spec({"type": "confidence", "statistic": "drift"}).parts_read()
    assert drift - mean == {"baseline"}


def test_the_loader_has_a_switch_for_every_part() -> None:
    assert {f.name for f in fields(Needs)} == set(get_args(Part))
