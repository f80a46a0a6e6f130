"""Registering a model with its reference: one unit of work, features only, ``exist_ok``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from sqlalchemy.orm import Session, sessionmaker

from smokejumper.errors import InputError, ModelExistsError
from smokejumper.monitoring.schema import Feature, ModelSchema
from smokejumper.service.config import PendingMonitors
from smokejumper.service.models import register, registered, set_reference
from smokejumper.stats.dataset import DatasetProfile, profile
from smokejumper.store.rawlog import RawLog

SCHEMA = ModelSchema(
    features=[Feature(name="age", kind="numeric"), Feature(name="plan", kind="categorical")]
)


def training(rows: int = 400, *, seed: int = 0) -> pa.Table:
    """A normal training file: an id, a timestamp and the label besides the features."""
    rng = np.random.default_rng(seed)
    return pa.table(
        {
            "request_id": [f"r{i}" for i in range(rows)],
            "ts": pa.array(np.arange(rows) * 1_000_000, pa.timestamp("us", tz="UTC")),
            "age": rng.normal(40, 9, rows),
            "plan": rng.choice(["basic", "pro"], rows),
            "churned": rng.integers(0, 2, rows),
        }
    )


def given(table: pa.Table) -> tuple[DatasetProfile, str]:
    return profile(table), "parquet"


def test_a_training_file_registers_with_its_features_only(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    done = register(
        sessions,
        PendingMonitors(),
        "churn",
        SCHEMA,
        3600,
        reference=lambda: given(training()),
        raw_log=RawLog(tmp_path),
    )
    assert done.created
    assert done.has_reference
    assert done.reference is not None
    assert list(done.reference.profile.columns) == ["age", "plan"]
    assert done.reference.ignored == ("churned", "request_id", "ts")
    assert done.reference.missing == ()
    [found] = registered(sessions, "churn")
    assert found.has_reference


def test_a_reference_that_cannot_be_used_registers_nothing(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    unrelated = pa.table({"height": [1.0, 2.0], "colour": ["red", "blue"]})
    with pytest.raises(InputError, match=r"none of the model's features \(age, plan\)"):
        register(
            sessions,
            PendingMonitors(),
            "churn",
            SCHEMA,
            3600,
            reference=lambda: given(unrelated),
            raw_log=RawLog(tmp_path),
        )
    assert registered(sessions) == []
    # so trying again with the right file is no 409
    again = register(
        sessions,
        PendingMonitors(),
        "churn",
        SCHEMA,
        3600,
        reference=lambda: given(training()),
        raw_log=RawLog(tmp_path),
    )
    assert again.created
    assert again.has_reference


def test_exist_ok_sets_a_missing_reference_and_keeps_one_set(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    raw_log = RawLog(tmp_path)
    register(sessions, PendingMonitors(), "churn", SCHEMA, 3600)  # as a half-failed try left it
    with pytest.raises(ModelExistsError):
        register(sessions, PendingMonitors(), "churn", SCHEMA, 3600, raw_log=raw_log)
    healed = register(
        sessions,
        PendingMonitors(),
        "churn",
        SCHEMA,
        3600,
        exist_ok=True,
        reference=lambda: given(training(rows=300)),
        raw_log=raw_log,
    )
    assert not healed.created
    assert healed.reference is not None
    assert healed.reference.profile.rows == 300
    kept = register(
        sessions,
        PendingMonitors(),
        "churn",
        SCHEMA,
        3600,
        exist_ok=True,
        reference=lambda: given(training(rows=500)),
        raw_log=raw_log,
    )
    assert kept.has_reference
    assert kept.reference is None  # the reference it had is kept, not replaced
    replaced = set_reference(sessions, raw_log, "churn", lambda: given(training(rows=500)))
    assert replaced.profile.rows == 500
    assert replaced.ignored == ("churned", "request_id", "ts")


def test_replacing_a_reference_ignores_extra_columns_and_names_missing_features(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    register(sessions, PendingMonitors(), "churn", SCHEMA, 3600)
    partial = training().drop_columns(["plan"])
    done = set_reference(sessions, RawLog(tmp_path), "churn", lambda: given(partial))
    assert list(done.profile.columns) == ["age"]
    assert done.missing == ("plan",)
    assert done.ignored == ("churned", "request_id", "ts")
