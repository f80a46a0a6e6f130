"""A diagnosis: every registered collector run over the inputs, the evidence combined into
ranked hypotheses (:mod:`smokejumper.rca.hypotheses`), a one-line summary for the timeline.

A collector that fails is named in ``failed`` and the others still count: one broken
collector must not hide what the rest found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from smokejumper.rca.collectors import Collector, collectors
from smokejumper.rca.evidence import Evidence
from smokejumper.rca.hypotheses import Hypothesis, combine
from smokejumper.rca.inputs import DiagnosisInputs

#: Hypotheses kept in a diagnosis (the best), and pieces of context evidence kept.
KEEP = 10
CONTEXT = 50


@dataclass(frozen=True)
class Diagnosis:
    """The ranked ``hypotheses``, the ``context`` (evidence that moved no hypothesis kept:
    "all traffic" says where, not why), the collectors run and those that ``failed`` (name ->
    error)."""

    incident_id: str
    at: datetime
    onset: datetime
    hypotheses: tuple[Hypothesis, ...]
    context: tuple[Evidence, ...]
    collectors: tuple[str, ...]
    failed: Mapping[str, str] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        """One line: the top hypotheses with their confidence."""
        if not self.hypotheses:
            return "diagnosis: no candidate cause found in the evidence"
        top = "; ".join(
            f"{h.rank}. {h.cause.title} ({h.confidence:.0%})" for h in self.hypotheses[:3]
        )
        text = f"diagnosis: {top}"
        return text if len(text) <= 1000 else text[:997] + "..."

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "incident_id": self.incident_id,
            "at": self.at.isoformat(),
            "onset": self.onset.isoformat(),
            "summary": self.summary,
            "hypotheses": [h.to_dict() for h in self.hypotheses],
            "context": [e.to_dict() for e in self.context],
            "collectors": list(self.collectors),
            "failed": dict(self.failed),
        }


def diagnose(inputs: DiagnosisInputs, found: Mapping[str, Collector] | None = None) -> Diagnosis:
    """Run ``found`` (default: every registered collector) over ``inputs``."""
    chosen = collectors() if found is None else found
    evidence: list[Evidence] = []
    failed: dict[str, str] = {}
    for name, collector in chosen.items():
        try:
            evidence += collector.collect(inputs)
        except Exception as err:
            failed[name] = f"{type(err).__name__}: {err}"
    hypotheses = combine(inputs.incident_id, evidence)[:KEEP]
    used = {id(e) for h in hypotheses for e in h.evidence}
    context = tuple(e for e in evidence if id(e) not in used)[:CONTEXT]
    return Diagnosis(
        inputs.incident_id,
        inputs.now,
        inputs.onset,
        tuple(hypotheses),
        context,
        tuple(chosen),
        failed,
    )
