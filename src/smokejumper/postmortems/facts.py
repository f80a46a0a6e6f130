"""What a post-mortem is assembled from, and the parts generated from it alone: the facts
Smokejumper holds about an incident (:class:`Facts`) and, from them, the summary, the impact in
numbers, the detection and response times, the trigger's candidates, the resolution and the
timeline (see :mod:`smokejumper.postmortems.document`, which assembles them with what people
wrote).

>>> from datetime import UTC, datetime, timedelta
>>> duration(timedelta(minutes=125)), when(datetime(2026, 11, 1, 3, tzinfo=UTC))
('2 h 05 min', '2026-11-01 03:00 UTC')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from smokejumper.incidents import Incident, TimelineEvent, response_times


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


def summary_of(facts: Facts, now: datetime) -> str:
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


def impact_of(facts: Facts, now: datetime) -> tuple[tuple[str, str], ...]:
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


def detection_of(facts: Facts) -> tuple[tuple[str, str], ...]:
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


def trigger_of(facts: Facts) -> str | None:
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


def resolution_of(facts: Facts) -> str | None:
    steps = [
        e
        for e in sorted(facts.events, key=lambda e: e.at)
        if e.kind.value in ("action", "status_changed")
    ]
    if not steps:
        return None
    return "\n".join(f"- {when(e.at)}: {event_text(e)}" for e in steps)


def timeline_of(facts: Facts) -> tuple[TimelineRow, ...]:
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
