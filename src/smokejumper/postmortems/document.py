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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from smokejumper.incidents import Incident, TimelineEvent, response_times
from smokejumper.postmortems.blameless import Finding
from smokejumper.postmortems.sections import Revision, Section
from smokejumper.rca.suggestions import suggested_fishbone, suggested_whys


@dataclass(frozen=True)
class Point:
    """A monitor's value for the window starting at ``at``; ``healthy`` its verdict."""

    at: datetime
    value: float | None
    healthy: bool | None


@dataclass(frozen=True)
class Series:
    """A monitor of model ``model`` that fired, with its values around the onset."""

    model: str
    monitor: str
    kind: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Facts:
    """What Smokejumper holds about an incident. ``changes`` are the change log's entries
    before the onset (JSON data of the API), ``blast_radius`` the API's blast radius,
    ``series`` the monitors that fired, ``actions`` the action items (JSON data),
    ``hypotheses`` the latest diagnosis's ranked hypotheses (JSON data, best first)."""

    incident: Incident
    events: Sequence[TimelineEvent]
    pinned: frozenset[str] = frozenset()
    changes: Sequence[Mapping[str, Any]] = ()
    blast_radius: Mapping[str, Any] | None = None
    series: Sequence[Series] = ()
    actions: Sequence[Mapping[str, Any]] = ()
    hypotheses: Sequence[Mapping[str, Any]] = ()


@dataclass(frozen=True)
class Part:
    """A part of the document: its ``text`` (Markdown; ``None`` when nobody wrote it and the
    facts cannot), whether it was ``generated`` from the facts, and the revision it is."""

    text: str | None
    generated: bool = False
    revision: int | None = None
    author: str | None = None


@dataclass(frozen=True)
class TimelineRow:
    """One line of the post-mortem's timeline."""

    at: datetime
    kind: str
    source: str
    actor: str | None
    what: str
    key: bool
    event_id: str | None
    before_onset: bool = False


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
        summary=part(Section.SUMMARY, _summary(facts, now)),
        impact=_impact(facts, now),
        impact_notes=part(Section.IMPACT),
        detection=_detection(facts),
        root_cause=part(Section.ROOT_CAUSE),
        trigger=part(Section.TRIGGER, _trigger(facts)),
        fishbone=fishbone,
        five_whys=whys,
        resolution=part(Section.RESOLUTION, _resolution(facts)),
        timeline=_timeline(facts),
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


def when(at: datetime | None) -> str:
    """A time as the document prints it (UTC, to the minute)."""
    return "-" if at is None else at.strftime("%Y-%m-%d %H:%M UTC")


def duration(span: timedelta | None) -> str:
    """A duration as the document prints it: ``2 h 05 min``, ``12 min``, ``40 s``."""
    if span is None:
        return "-"
    seconds = int(span.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    hours, minutes = divmod(seconds // 60, 60)
    if hours >= 48:
        return f"{hours // 24} d {hours % 24} h"
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def _ended(incident: Incident) -> datetime | None:
    return incident.resolved_at or incident.mitigated_at


def _start(incident: Incident) -> datetime:
    return incident.onset_at or incident.detected_at


def _affected(facts: Facts) -> tuple[int, int] | None:
    """(affected predictions, predictions) over the incident's models, if counted."""
    models = (facts.blast_radius or {}).get("models") or []
    if not models:
        return None
    return (
        sum(int(m.get("affected_predictions") or 0) for m in models),
        sum(int(m.get("predictions") or 0) for m in models),
    )


def _summary(facts: Facts, now: datetime) -> str:
    incident = facts.incident
    models = ", ".join(incident.models) or "no model named yet"
    word = "models" if len(incident.models) > 1 else "model"
    text = (
        f"{incident.title}: a {incident.severity.value} incident of {word} {models}, "
        f"detected {when(incident.detected_at)}"
    )
    if incident.onset_at is not None:
        text += f" (onset {when(incident.onset_at)})"
    ended = _ended(incident)
    text += (
        f". It lasted {duration(ended - _start(incident))} until it was "
        f"{'resolved' if incident.resolved_at else 'mitigated'}."
        if ended
        else f". It has been open {duration(now - _start(incident))} and is "
        f"{incident.status.value}."
    )
    counted = _affected(facts)
    if counted and counted[1]:
        text += (
            f" {counted[0]:,} of {counted[1]:,} predictions since the onset "
            f"({counted[0] / counted[1]:.1%}) were affected."
        )
    if incident.labels:
        text += f" Labels: {', '.join(incident.labels)}."
    return text


def _impact(facts: Facts, now: datetime) -> tuple[tuple[str, str], ...]:
    incident = facts.incident
    rows: list[tuple[str, str]] = []
    counted = _affected(facts)
    if counted is not None:
        affected, total = counted
        rows.append(("Predictions affected", f"{affected:,} of {total:,}"))
        rows.append(("Share of traffic affected", f"{affected / total:.1%}" if total else "-"))
    ended = _ended(incident)
    rows.append(
        ("Duration", duration((ended or now) - _start(incident)) + ("" if ended else " (ongoing)"))
    )
    radius = facts.blast_radius or {}
    segments = sorted(
        {
            f"{s['segment']} ({float(s.get('share') or 0):.0%})"
            for m in radius.get("models") or []
            for s in m.get("segments") or []
            if s.get("affected_predictions")
        }
    )
    rows.append(("Segments affected", ", ".join(segments) or ", ".join(incident.segments) or "-"))
    for slo in (radius.get("error_budget") or {}).get("slos") or []:
        rows.append(
            (
                f"Error budget burned ({slo['slo']})",
                f"{float(slo['burned_since_onset']):.1%} of the budget "
                f"(left: {float(slo['budget_now']):.1%})",
            )
        )
    downstream = (radius.get("downstream") or {}).get("models")
    if downstream:
        rows.append(("Downstream models", ", ".join(downstream)))
    return tuple(rows)


def _detection(facts: Facts) -> tuple[tuple[str, str], ...]:
    incident = facts.incident
    opened = next((e for e in facts.events if e.kind.value == "opened"), None)
    fired = [e for e in facts.events if e.kind.value == "alert_fired"]
    if fired:
        names = sorted({_alert_name(e) for e in fired})
        how = f"by Smokejumper's alerts ({', '.join(names)})"
    elif opened is not None and opened.source == "user":
        how = f"declared by hand{f' by {opened.actor}' if opened.actor else ''}"
    else:
        how = f"opened by {opened.source if opened else 'an unknown source'}"
    times = response_times(incident)
    return (
        ("How", how),
        ("Onset", when(incident.onset_at)),
        ("Detected", when(incident.detected_at)),
        ("Time to detect", duration(times.time_to_detect)),
        ("Time to acknowledge", duration(times.time_to_acknowledge)),
        ("Time to mitigate", duration(times.time_to_mitigate)),
        ("Time to resolve", duration(times.time_to_resolve)),
    )


def _alert_name(event: TimelineEvent) -> str:
    labels = event.details.get("labels") or {}
    return str(
        labels.get("monitor")
        or labels.get("alertname")
        or labels.get("slo")
        or event.details["fingerprint"]
    )


def _trigger(facts: Facts) -> str | None:
    """The changes recorded in the lookback before the onset, as candidates (not a verdict)."""
    if not facts.changes:
        return None
    lines = [
        "Changes recorded before the onset (candidates, not yet confirmed as the trigger):",
        "",
    ]
    for change in facts.changes[:10]:
        at = change.get("time") or change.get("at") or ""
        lines.append(f"- {at}: {change.get('kind', 'change')}: {change.get('summary', '')}")
    return "\n".join(lines)


def _resolution(facts: Facts) -> str | None:
    steps = [
        e
        for e in sorted(facts.events, key=lambda e: e.at)
        if e.kind.value in ("action", "status_changed")
    ]
    if not steps:
        return None
    return "\n".join(f"- {when(e.at)}: {event_text(e)}" for e in steps)


def _timeline(facts: Facts) -> tuple[TimelineRow, ...]:
    onset = facts.incident.onset_at

    def before(at: datetime) -> bool:
        return onset is not None and at < onset

    rows = [
        TimelineRow(
            e.at,
            e.kind.value,
            e.source,
            e.actor,
            event_text(e),
            e.id in facts.pinned,
            e.id,
            e.kind.value == "change" and before(e.at),
        )
        for e in facts.events
        if e.kind.value not in ("pinned", "unpinned")
    ]
    for change in facts.changes:
        at = change.get("time") or change.get("at")
        if not isinstance(at, str):
            continue
        moment = datetime.fromisoformat(at)
        rows.append(
            TimelineRow(
                moment,
                "change",
                str(change.get("source") or "change log"),
                change.get("actor"),
                f"{change.get('kind', 'change')}: {change.get('summary', '')}",
                False,
                None,
                before(moment),
            )
        )
    return tuple(sorted(rows, key=lambda r: r.at))


def event_text(event: TimelineEvent) -> str:
    """What ``event`` says, in a line."""
    d = event.details
    kind = event.kind.value
    if kind == "opened":
        return f"incident opened ({d['severity']}): {d['title']}"
    if kind in ("alert_fired", "alert_resolved"):
        name = d.get("summary") or _alert_name(event)
        return f"alert {'fired' if kind == 'alert_fired' else 'resolved'}: {name}"
    if kind == "status_changed":
        why = f" ({d['reason']})" if d.get("reason") else ""
        return f"status {d['from']} -> {d['to']}{why}"
    if kind in ("severity_changed",):
        return f"severity {d['from']} -> {d['to']}"
    if kind == "role_assigned":
        return f"{d['role']}: {d['person']}"
    if kind == "status_update":
        return f"status update: {d['situation']}"
    if kind == "change":
        return f"{d['kind']}: {d['summary']}"
    if kind == "onset":
        return f"onset of {d['monitor']} (its first unhealthy window)"
    if kind == "correction":
        return f"correction of {d['event_id']}: {d['text']}"
    for key in ("text", "summary", "title", "monitor", "person"):
        if key in d:
            return str(d[key])
    return kind.replace("_", " ")
