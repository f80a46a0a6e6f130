"""The post-mortem document: an incident's facts and the analysis people wrote, assembled.

:func:`assemble` takes what Smokejumper holds about an incident (the incident, its timeline,
the changes before it, its blast radius, its monitors' series around the onset, its action
items) and the latest revision of each written section, and returns a :class:`PostMortem`
whose parts follow the SRE template: summary, impact in numbers, detection with its response
times, root cause and trigger, contributing factors by fishbone category, 5 whys, resolution,
timeline with key moments, what went well / wrong / where we got lucky, action items, lessons
and supporting charts. Where nobody has written a section yet, the draft says so, or states
what the facts alone support (a generated summary, the resolution from the status changes),
marked as generated; it never invents a cause.

>>> from datetime import UTC, datetime, timedelta
>>> from smokejumper.incidents import Incident
>>> t = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
>>> inc, events = Incident.open("INC-1", "churn: income null", "SEV2", t, source="alerting",
...                             models=["churn"])
>>> pm = assemble(Facts(inc, events), {}, status="draft", now=t + timedelta(hours=2))
>>> pm.summary.generated, pm.root_cause.text is None
(True, True)
>>> pm.summary.text.split(".")[0]
'churn: income null: a SEV2 incident of model churn, detected 2026-11-01 03:00 UTC'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from smokejumper.incidents import Incident
from smokejumper.postmortems.blameless import Finding
from smokejumper.postmortems.facts import (
    Facts,
    Series,
    TimelineRow,
    detection_of,
    impact_of,
    resolution_of,
    summary_of,
    timeline_of,
    trigger_of,
)
from smokejumper.postmortems.sections import Revision, Section
from smokejumper.rca.suggestions import suggested_fishbone, suggested_whys


@dataclass(frozen=True)
class Part:
    """A part of the document: its ``text`` (Markdown; ``None`` when nobody wrote it and the
    facts cannot), whether it was ``generated`` from the facts, and the revision it is."""

    text: str | None
    generated: bool = False
    revision: int | None = None
    author: str | None = None


@dataclass(frozen=True)
class PostMortem:
    """The assembled document (see the module docstring)."""

    incident: Incident
    status: str
    generated_at: datetime
    authors: tuple[str, ...]
    summary: Part
    impact: tuple[tuple[str, str], ...]
    impact_notes: Part
    detection: tuple[tuple[str, str], ...]
    root_cause: Part
    trigger: Part
    fishbone: tuple[Mapping[str, Any], ...]
    five_whys: tuple[Mapping[str, Any], ...]
    resolution: Part
    timeline: tuple[TimelineRow, ...]
    went_well: Part
    went_wrong: Part
    lucky: Part
    actions: tuple[Mapping[str, Any], ...]
    lessons: Part
    series: tuple[Series, ...]
    changes: tuple[Mapping[str, Any], ...]
    findings: tuple[Finding, ...] = field(default=())
    #: Whether the fishbone / 5 whys are suggested from the diagnosis (nobody wrote them).
    fishbone_suggested: bool = False
    five_whys_suggested: bool = False

    @property
    def title(self) -> str:
        """The document's title."""
        return f"Post-mortem {self.incident.id}: {self.incident.title}"

    def to_dict(self) -> dict[str, Any]:
        """The document as JSON data (``format=json`` of the API)."""

        def part(p: Part) -> dict[str, Any]:
            return {
                "text": p.text,
                "generated": p.generated,
                "revision": p.revision,
                "author": p.author,
            }

        return {
            "incident_id": self.incident.id,
            "title": self.title,
            "status": self.status,
            "incident_status": self.incident.status.value,
            "severity": self.incident.severity.value,
            "labels": list(self.incident.labels),
            "models": list(self.incident.models),
            "generated_at": self.generated_at.isoformat(),
            "authors": list(self.authors),
            "summary": part(self.summary),
            "impact": {"numbers": dict(self.impact), "notes": part(self.impact_notes)},
            "detection": dict(self.detection),
            "root_cause": part(self.root_cause),
            "trigger": part(self.trigger),
            "fishbone": [dict(c) for c in self.fishbone],
            "five_whys": [dict(s) for s in self.five_whys],
            "fishbone_suggested": self.fishbone_suggested,
            "five_whys_suggested": self.five_whys_suggested,
            "resolution": part(self.resolution),
            "timeline": [
                {
                    "at": r.at.isoformat(),
                    "kind": r.kind,
                    "source": r.source,
                    "actor": r.actor,
                    "what": r.what,
                    "key": r.key,
                    "event_id": r.event_id,
                    "before_onset": r.before_onset,
                }
                for r in self.timeline
            ],
            "went_well": part(self.went_well),
            "went_wrong": part(self.went_wrong),
            "lucky": part(self.lucky),
            "action_items": [dict(a) for a in self.actions],
            "lessons": part(self.lessons),
            "charts": [{"model": s.model, "monitor": s.monitor} for s in self.series],
            "findings": [f.to_dict() for f in self.findings],
        }


def assemble(
    facts: Facts,
    written: Mapping[Section, Revision],
    *,
    status: str,
    now: datetime,
) -> PostMortem:
    """The post-mortem of ``facts`` with the ``written`` sections (the latest revision of
    each), in ``status`` (see the module docstring)."""
    incident = facts.incident

    def part(section: Section, fallback: str | None = None) -> Part:
        revision = written.get(section)
        if revision is not None and revision.content:
            return Part(revision.content, False, revision.number, revision.author)
        return Part(fallback, fallback is not None)

    def listed(section: Section) -> tuple[Mapping[str, Any], ...]:
        revision = written.get(section)
        return tuple(revision.content) if revision is not None else ()

    # Not written yet: suggested from the diagnosis's top hypotheses, marked as such.
    fishbone = listed(Section.FISHBONE) or tuple(suggested_fishbone(facts.hypotheses))
    whys = listed(Section.FIVE_WHYS) or tuple(
        suggested_whys(facts.hypotheses, f"did {incident.title!r} happen")
    )

    return PostMortem(
        incident=incident,
        status=status,
        generated_at=now,
        authors=tuple(sorted({r.author for r in written.values()})),
        summary=part(Section.SUMMARY, summary_of(facts, now)),
        impact=impact_of(facts, now),
        impact_notes=part(Section.IMPACT),
        detection=detection_of(facts),
        root_cause=part(Section.ROOT_CAUSE),
        trigger=part(Section.TRIGGER, trigger_of(facts)),
        fishbone=fishbone,
        five_whys=whys,
        resolution=part(Section.RESOLUTION, resolution_of(facts)),
        timeline=timeline_of(facts),
        went_well=part(Section.WENT_WELL),
        went_wrong=part(Section.WENT_WRONG),
        lucky=part(Section.LUCKY),
        actions=tuple(facts.actions),
        lessons=part(Section.LESSONS),
        series=tuple(facts.series),
        changes=tuple(facts.changes),
        findings=tuple(f for r in written.values() for f in r.findings),
        fishbone_suggested=bool(fishbone) and Section.FISHBONE not in written,
        five_whys_suggested=bool(whys) and Section.FIVE_WHYS not in written,
    )
