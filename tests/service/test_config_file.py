"""A monitors file applied before its models are registered warns once per model, briefly."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from smokejumper.monitoring.monitors import MonitorConfig
from smokejumper.service.config import apply_file
from smokejumper.store.database import make_engine, session_factory, upgrade


def test_one_short_warning_per_waiting_model(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade(engine)
    config = MonitorConfig.model_validate(
        {
            "monitors": [
                *({"name": f"churn-{n}", "model": "churn", "type": "volume"} for n in range(4)),
                {"name": "fraud-volume", "model": "fraud", "type": "volume"},
            ],
            "slos": [{"name": "churn-slo", "monitor": "churn-0", "objective": 0.99}],
        }
    )
    try:
        with caplog.at_level(logging.WARNING, logger="smokejumper.service.config"):
            pending = apply_file(session_factory(engine), config)
    finally:
        engine.dispose()
    assert len(pending.config.monitors) == 5
    assert [r.getMessage() for r in caplog.records] == [
        "model 'churn' is not registered yet: 4 monitors wait for it (churn-0, churn-1, "
        "churn-2, ...)",
        "model 'fraud' is not registered yet: 1 monitor waits for it (fraud-volume)",
    ]
