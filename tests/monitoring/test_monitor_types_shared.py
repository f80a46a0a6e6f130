"""One suite, run against every registered monitor type (found automatically), on its example."""

from __future__ import annotations

import doctest
import importlib
import json
import math
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Literal

import numpy as np
import pyarrow as pa
import pytest

from smokejumper.errors import MonitorConfigError, RegistrationError
from smokejumper.monitoring import monitors
from smokejumper.monitoring.monitors import (
    NO_ROWS,
    READ_ROWS,
    Example,
    Measurement,
    MonitorConfig,
    MonitorType,
    WindowData,
    evaluate,
    evaluate_all,
    monitor_types,
    parse_monitor,
    register,
)
from smokejumper.monitoring.seasons import ReferencePhases, phase_profiles
from smokejumper.stats.dataset import profile

TYPES = monitor_types()
START = datetime(2026, 11, 1, tzinfo=UTC)


def _data(kind: str, /, **more: Any) -> dict[str, Any]:
    """The declaration of the type's example, with ``more`` fields."""
    return {
        "name": f"example-{kind}",
        "model": "churn",
        "type": kind,
        **TYPES[kind].example,
        **more,
    }


def _example(kind: str, /, **more: Any) -> MonitorType:
    return parse_monitor(_data(kind, **more))


def _window(rows: int = 2000) -> WindowData:
    """The example window every type's example names: see ``MonitorType.example``."""
    rng = np.random.default_rng(7)
    age = rng.normal(43, 10, rows)
    age[:40] = np.nan
    plan = rng.choice(["basic", "pro"], rows).astype(object)
    plan[:15] = "enterprise"
    score = rng.random(rows)
    table = pa.table(
        {
            "id": [f"p{i}" for i in range(rows)],
            "age": age,
            "plan": plan,
            "prediction": score,
            "confidence": np.abs(score - 0.5) * 2,
            "latency_ms": rng.gamma(2.0, 20.0, rows),
            "error": rng.random(rows) < 0.03,
        }
    )
    reference_rows = pa.table(
        {"age": rng.normal(40, 10, 5000), "plan": rng.choice(["basic", "pro"], 5000)}
    )
    reference = profile(reference_rows)
    # the reference's rows spread over the two days before the window: its phases
    stamps = pa.array(
        [START - timedelta(days=2) + timedelta(seconds=34.56 * i) for i in range(5000)]
    )
    labels = pa.table(
        {
            "id": [f"p{i}" for i in range(0, rows, 2)],
            "label": ["1" if s > 0.3 + 0.3 * rng.random() else "0" for s in score[::2]],
        }
    )
    earlier = rng.random(1000)
    return WindowData(
        START,
        table,
        profile(table.select(["age", "plan"]), reference=reference),
        reference,
        labels,
        baseline=pa.table({"prediction": earlier**1.3, "confidence": earlier}),
        custom={"revenue": 12.5},
        rejected_batches=1,
        phases=ReferencePhases(phase_profiles(reference_rows, stamps, reference)),
    )


def _empty_window() -> WindowData:
    """A window without rows, as the runner loads one: no profile, no labels joined."""
    full = _window()
    return WindowData(
        START,
        full.predictions.slice(0, 0),
        reference=full.reference,
        labels=full.labels,
        baseline=full.baseline,
        custom={"revenue": 3.0},
        rejected_batches=2,
    )


def test_every_type_is_found_in_its_listing_order() -> None:
    assert list(TYPES) == [
        "feature_drift",
        "prediction_drift",
        "null_rate",
        "out_of_range",
        "unseen_categories",
        "rejected_batches",
        "volume",
        "confidence",
        "latency",
        "error_rate",
        "performance",
        "fairness",
        "custom",
        "data_quality",  # added after the first release: listed after them, by name
    ]
    assert {name for name, cls in TYPES.items() if cls.needs_rows} == READ_ROWS


def test_an_unknown_type_is_refused_with_every_known_type_listed() -> None:
    tags = ", ".join(repr(name) for name in TYPES)
    with pytest.raises(MonitorConfigError, match="expected tags") as refused:
        parse_monitor({"name": "x", "model": "churn", "type": "vibes"})
    assert str(refused.value).endswith(
        f"'vibes' found using 'type' does not match any of the expected tags: {tags}"
    )


def test_the_package_exports_what_it_lists() -> None:
    for name in monitors.__all__:
        assert getattr(monitors, name) is not None, name
    assert {cls.__name__ for cls in TYPES.values()} <= set(monitors.__all__)


@pytest.mark.parametrize("name", TYPES)
def test_each_type_is_one_module_of_its_own_name(name: str) -> None:
    assert TYPES[name].__module__ == f"smokejumper.monitoring.monitors.{name}"


@pytest.mark.parametrize("name", TYPES)
def test_example_parses_and_survives_a_json_round_trip(name: str) -> None:
    spec = _example(name)
    assert type(spec) is TYPES[name]
    assert spec.type == name
    again = parse_monitor(json.loads(spec.model_dump_json()))
    assert again == spec
    assert again.model_dump_json() == spec.model_dump_json()
    config = MonitorConfig(monitors=[spec])
    assert MonitorConfig.model_validate_json(config.model_dump_json()) == config


@pytest.mark.parametrize("name", TYPES)
def test_unknown_keys_are_refused_with_their_place(name: str) -> None:
    with pytest.raises(MonitorConfigError) as refused:
        parse_monitor(_data(name, surprise=1))
    assert str(refused.value) == f"invalid monitor: {name}.surprise: Extra inputs are not permitted"


@pytest.mark.parametrize("name", TYPES)
def test_window_without_rows_gives_a_value_or_a_reason(name: str) -> None:
    spec = _example(name)
    observation = evaluate(spec, _empty_window())
    (together,) = evaluate_all([spec], _empty_window())
    assert together == observation
    assert "error" not in observation.details
    if TYPES[name].needs_rows:
        assert observation.value is None
        assert observation.details == {"reason": NO_ROWS}
    elif observation.value is None:
        assert isinstance(observation.details.get("reason"), str), observation
        assert observation.details["reason"]
    else:
        assert math.isfinite(observation.value)
    assert observation.healthy == spec.judge(observation.value, observation.details)


@pytest.mark.parametrize("name", TYPES)
def test_example_window_gives_a_finite_value(name: str) -> None:
    spec = _example(name)
    observation = evaluate(spec, _window())
    assert observation.value is not None, observation.details
    assert math.isfinite(observation.value)
    assert "reason" not in observation.details
    assert "error" not in observation.details
    assert observation.healthy == spec.judge(observation.value, observation.details)


def test_all_examples_together_give_what_each_gives_alone() -> None:
    specs = [_example(name) for name in TYPES]
    specs.append(_example("feature_drift", name="drift-age", columns=["age"]))
    alone = [evaluate(spec, _window()) for spec in specs]
    assert evaluate_all(specs, _window()) == alone


@pytest.mark.parametrize("name", TYPES)
def test_healthy_respects_min_and_max(name: str) -> None:
    value = evaluate(_example(name), _window()).value
    assert value is not None
    cases = [
        ({"min": value - 1, "max": value + 1}, True),
        ({"min": value, "max": value}, True),
        ({"min": None, "max": None}, True),
        ({"min": value + 1, "max": None}, False),
        ({"min": None, "max": value - 1}, False),
    ]
    for limits, healthy in cases:
        spec = _example(name, **limits)
        assert spec.healthy(value) is healthy, limits
        observed = evaluate(spec, _window())
        # the verdict is the limits', unless the type's judge knows better from its details
        # (prediction drift: over max, but no drift beyond the noise, is healthy)
        assert observed.healthy is spec.judge(value, observed.details), limits
        if type(spec).judge is MonitorType.judge:
            assert observed.healthy is healthy, limits
        assert spec.healthy(None) is None


@pytest.mark.parametrize("name", TYPES)
def test_docstring_holds_a_runnable_example(name: str) -> None:
    cls = TYPES[name]
    module = importlib.import_module(cls.__module__)
    tests = doctest.DocTestFinder(recurse=False).find(cls, cls.__name__, module=module)
    assert tests
    assert tests[0].examples, f"{cls.__name__} has no example in its docstring"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in tests:
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


class _Sketch(MonitorType):
    """A monitor type that is not registered, for the registry's checks."""

    type: Literal["sketch"]

    needs_rows = False
    reads = frozenset({"custom"})
    example: ClassVar[Example] = {}

    def measure(self, window: WindowData) -> Measurement:
        return 1.0, {}


def test_a_type_registered_twice_is_refused() -> None:
    with pytest.raises(RegistrationError, match="'latency' is already registered"):
        register(TYPES["latency"])

    with pytest.raises(RegistrationError, match="'volume' is already registered"):

        @register
        class Clash(_Sketch):
            """Another volume."""

            type: Literal["volume"]  # type: ignore[assignment]

    assert monitor_types() == TYPES


def test_malformed_types_are_refused_with_what_is_wrong() -> None:
    with pytest.raises(RegistrationError, match="not a subclass of MonitorType"):
        register(dict)  # type: ignore[type-var]

    with pytest.raises(RegistrationError, match="one literal string"):

        @register
        class Untyped(_Sketch):
            """No literal."""

            type: str  # type: ignore[assignment]

    with pytest.raises(RegistrationError, match="lacks example"):

        @register
        class NoExample(MonitorType):
            """No example."""

            type: Literal["no_example"]
            needs_rows = False
            reads = frozenset({"rows"})

            def measure(self, window: WindowData) -> Measurement:
                return 1.0, {}

    with pytest.raises(RegistrationError, match="lacks a docstring, measure"):

        @register
        class Undocumented(MonitorType):
            type: Literal["undocumented"]
            needs_rows = False
            reads = frozenset({"rows"})
            example: ClassVar[Example] = {}

    with pytest.raises(RegistrationError, match="example of monitor type 'broken' is not valid"):

        @register
        class Broken(_Sketch):
            """An example missing its required field."""

            type: Literal["broken"]  # type: ignore[assignment]
            metric: str

    assert monitor_types() == TYPES
