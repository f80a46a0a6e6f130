"""The post-mortem's fishbone and 5 whys, suggested from a diagnosis's top hypotheses (as the
API gives them: JSON data), for people to confirm or change. Every item is marked
``suggested``; every "why" cites its evidence (``{kind, id}`` with kind ``hypothesis``,
``change``, ``run`` or ``observation``).

>>> top = {"id": "H-1", "title": "pipeline job etl/f wrote features v4 with 950 rows",
...        "category": "data", "confidence": 0.93, "label": "data_quality",
...        "evidence": [
...          {"cause": None, "summary": "churn: age null in 50% of rows", "points": 1.0,
...           "refs": [{"kind": "observation", "id": "17"}]},
...          {"cause": "run:r5", "summary": "first anomalous run: etl/f", "points": 1.8,
...           "refs": [{"kind": "run", "id": "r5"}, {"kind": "dataset", "id": "wh/f"}]}]}
>>> [c["cause"] for c in suggested_fishbone([top])]
['pipeline job etl/f wrote features v4 with 950 rows']
>>> whys = suggested_whys([top], "churn degraded")
>>> [w["because"] for w in whys]
['churn: age null in 50% of rows', 'pipeline job etl/f wrote features v4 with 950 rows']
>>> whys[1]["evidence"]
[{'kind': 'hypothesis', 'id': 'H-1'}, {'kind': 'run', 'id': 'r5'}]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

#: Hypotheses that make the fishbone (the best), and the least confidence for any but the top.
FISHBONE_TOP = 3
MIN_CONFIDENCE = 0.2
#: Evidence kinds a post-mortem may cite (``postmortems.sections.EVIDENCE_KINDS`` less events).
CITABLE = ("observation", "change", "run")


def _cite(refs: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    return [{"kind": str(r["kind"]), "id": str(r["id"])} for r in refs if r.get("kind") in CITABLE]


def suggested_fishbone(hypotheses: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One cause per top hypothesis under its category, citing the hypothesis."""
    out = []
    for rank, h in enumerate(hypotheses[:FISHBONE_TOP]):
        if rank and float(h.get("confidence") or 0.0) < MIN_CONFIDENCE:
            continue
        out.append(
            {
                "category": str(h["category"]),
                "cause": str(h["title"]),
                "evidence": [{"kind": "hypothesis", "id": str(h["id"])}],
                "suggested": True,
                "confidence": h.get("confidence"),
            }
        )
    return out


def suggested_whys(hypotheses: Sequence[Mapping[str, Any]], problem: str) -> list[dict[str, Any]]:
    """A chain from the problem to the top hypothesis: its strongest symptom, then the cause,
    then (when another collector named the same cause differently) how it was found."""
    if not hypotheses:
        return []
    top = hypotheses[0]
    evidence = list(top.get("evidence") or [])
    symptoms = sorted(
        (e for e in evidence if not e.get("cause")), key=lambda e: -float(e.get("points") or 0.0)
    )
    named = sorted(
        (e for e in evidence if e.get("cause")), key=lambda e: -float(e.get("points") or 0.0)
    )
    own = {"kind": "hypothesis", "id": str(top["id"])}
    steps: list[dict[str, Any]] = []
    if symptoms:
        first = symptoms[0]
        steps.append(
            {
                "why": f"Why {problem}?",
                "because": str(first["summary"]),
                "evidence": _cite(first.get("refs") or []) or [own],
            }
        )
        ask = f"Why did that happen ({_short(str(first['summary']))})?"
    else:
        ask = f"Why {problem}?"
    cited = [own, *(c for e in named for c in _cite(e.get("refs") or []))]
    steps.append({"why": ask, "because": str(top["title"]), "evidence": _dedupe(cited)})
    if len(named) > 1:
        steps.append(
            {
                "why": "How do we know?",
                "because": str(named[1]["summary"]),
                "evidence": _dedupe([own, *_cite(named[1].get("refs") or [])]),
            }
        )
    return [{**step, "suggested": True} for step in steps]


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "..."


def _dedupe(refs: list[dict[str, str]]) -> list[dict[str, str]]:
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for r in refs:
        seen.setdefault((r["kind"], r["id"]), r)
    return list(seen.values())
