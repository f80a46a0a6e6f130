"""One suite, run against every registered evidence collector (found automatically): each
returns well-formed, linked, JSON-ready evidence, finds nothing in an incident with no facts,
finds its own signal in the scenario made for it, and is deterministic."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from tests.rca.support import inputs, model, scenarios

from smokejumper.errors import RegistrationError
from smokejumper.incidents import taxonomy_label
from smokejumper.rca import CATEGORIES, Evidence
from smokejumper.rca.collectors import Collector, collectors, register
from smokejumper.rca.evidence import REF_KINDS

COLLECTORS = collectors()
SCENARIOS = scenarios()


def test_every_collector_is_registered_and_has_a_scenario() -> None:
    assert list(COLLECTORS) == [
        "drift",
        "data_quality",
        "slices",
        "changes",
        "lineage",
        "model",
        "labels",
        "calibration",
        "serving",
        "external",
    ]
    assert set(SCENARIOS) == set(COLLECTORS)  # a new collector brings its scenario


@pytest.mark.parametrize("name", list(COLLECTORS))
def test_collector_follows_the_protocol(name: str) -> None:
    collector = COLLECTORS[name]
    assert isinstance(collector, Collector)
    assert collector.name == name
    assert (type(collector).__doc__ or "").strip()


@pytest.mark.parametrize("name", list(COLLECTORS))
def test_nothing_to_find_in_a_quiet_incident(name: str) -> None:
    assert COLLECTORS[name].collect(inputs()) == []
    assert COLLECTORS[name].collect(replace(inputs(), models={})) == []


def _check(e: Evidence, name: str) -> None:
    assert e.collector == name
    assert 0.0 <= e.strength <= 1.0
    assert e.weight >= 0
    assert e.summary.strip()
    assert e.cause is not None or e.supports or e.refutes or e.points == 0
    if e.cause is not None:
        assert e.cause.category in CATEGORIES
        assert taxonomy_label(e.cause.label).slug == e.cause.label
        assert e.cause.title
        assert e.cause.next_step
        assert e.cause.mitigation
    assert e.refs, f"{name}: {e.kind} links to nothing behind it"
    assert all(r.kind in REF_KINDS and r.id for r in e.refs)
    json.dumps(e.to_dict(), allow_nan=False)


@pytest.mark.parametrize("name", list(COLLECTORS))
def test_finds_its_signal_with_linked_evidence(name: str) -> None:
    found = COLLECTORS[name].collect(SCENARIOS[name])
    assert found, f"{name} found nothing in its own scenario"
    for e in found:
        _check(e, name)
    assert any(e.points > 0 for e in found)


@pytest.mark.parametrize("name", list(COLLECTORS))
def test_is_deterministic_and_leaves_the_inputs_alone(name: str) -> None:
    given = SCENARIOS[name]
    before = repr(given)
    first = [e.to_dict() for e in COLLECTORS[name].collect(given)]
    assert first == [e.to_dict() for e in COLLECTORS[name].collect(given)]
    assert repr(given) == before


@pytest.mark.parametrize("name", list(COLLECTORS))
def test_other_scenarios_give_well_formed_evidence(name: str) -> None:
    for scenario in SCENARIOS.values():
        for e in COLLECTORS[name].collect(scenario):
            _check(e, name)


def test_registry_refuses_bad_collectors() -> None:
    class NoName:
        """No name."""

        def collect(self, inputs: object) -> list[Evidence]:
            return []

    with pytest.raises(RegistrationError, match="name"):
        register(NoName)

    class Drift:
        """Same name as the real one."""

        name = "drift"

        def collect(self, inputs: object) -> list[Evidence]:
            return []

    with pytest.raises(RegistrationError, match="already registered"):
        register(Drift)

    class Undocumented:
        name = "undocumented"

        def collect(self, inputs: object) -> list[Evidence]:
            return []

    with pytest.raises(RegistrationError, match="docstring"):
        register(Undocumented)
    assert "undocumented" not in collectors()


def test_model_builder_defaults() -> None:
    assert model().segments == ("plan",)
