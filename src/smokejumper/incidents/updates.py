"""Status updates in SBAR form, how they read, and when the next one is due.

An update has four parts, the order in which a busy reader needs them:

* **Situation**: what is happening now (what users see, how much traffic).
* **Background**: the context and what changed before it started.
* **Assessment**: what we think is going on, and how sure we are.
* **Recommendation**: what we do next, and what we need from others.

While an incident is open, the next update is due a severity's interval
(:class:`~smokejumper.incidents.severity.SeverityDefinition.update_every`) after the last one,
or after detection when there was none; resolved, closed and merged incidents owe none.

>>> from datetime import UTC, datetime, timedelta
>>> from smokejumper.incidents.incident import Incident
>>> t = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
>>> inc = Incident.open("INC-7", "churn: key feature null", "SEV2", t, source="alerting").incident
>>> update = StatusUpdate(
...     situation="Churn scores are flat for 30% of traffic since 02:40.",
...     background="The nightly features run at 02:10 wrote tenure as null.",
...     assessment="Likely the run's schema change; fairly sure.",
...     recommendation="Roll back to v6; data-eng to rerun the job.")
>>> print(update.to_text(inc, at=t + timedelta(minutes=30), author="ana"))
[SEV2] INC-7 churn: key feature null (triage)
Status update by ana, 2026-11-01 03:30 UTC
Situation: Churn scores are flat for 30% of traffic since 02:40.
Background: The nightly features run at 02:10 wrote tenure as null.
Assessment: Likely the run's schema change; fairly sure.
Recommendation: Roll back to v6; data-eng to rerun the job.
>>> inc, events = post_update(inc, update, t + timedelta(minutes=30), actor="ana")
>>> next_update_due(inc, last_update_at(events))
datetime.datetime(2026, 11, 1, 4, 30, tzinfo=datetime.timezone.utc)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from smokejumper.errors import IncidentError
from smokejumper.incidents.checks import aware, shown
from smokejumper.incidents.incident import Changed, Incident
from smokejumper.incidents.severity import DEFAULT_SEVERITIES, SeverityTable
from smokejumper.incidents.timeline import EventKind, TimelineEvent

#: The parts, in order, with what each should say.
PARTS: dict[str, str] = {
    "situation": "what is happening now",
    "background": "the context and what changed",
    "assessment": "what we think is going on, and how sure we are",
    "recommendation": "what we do next and what we need",
}
#: The longest a part may be (a Slack section holds 3,000 characters).
MAX_PART = 3000


@dataclass(frozen=True)
class StatusUpdate:
    """One SBAR update; every part is required, at most :data:`MAX_PART` characters.

    >>> StatusUpdate("Scores flat.", "", " ", "Roll back.")
    Traceback (most recent call last):
    ...
    smokejumper.errors.IncidentError: a status update needs every SBAR part; missing: \
background (the context and what changed), assessment (what we think is going on, and how \
sure we are)
    """

    situation: str
    background: str
    assessment: str
    recommendation: str

    def __post_init__(self) -> None:
        missing = []
        for part, meaning in PARTS.items():
            value = getattr(self, part)
            if not isinstance(value, str):
                raise IncidentError(f"a status update's {part} must be text, got {shown(value)}")
            if not value.strip():
                missing.append(f"{part} ({meaning})")
            elif len(value) > MAX_PART:
                raise IncidentError(
                    f"a status update's {part} has {len(value)} characters; keep it to "
                    f"{MAX_PART} and link to the details"
                )
            object.__setattr__(self, part, value.strip())
        if missing:
            raise IncidentError(
                f"a status update needs every SBAR part; missing: {', '.join(missing)}"
            )

    def parts(self) -> list[tuple[str, str]]:
        """``(Part, text)`` in SBAR order."""
        return [(part.capitalize(), getattr(self, part)) for part in PARTS]

    def _heading(self, at: datetime | None, author: str | None) -> str:
        by = f" by {author}" if author else ""
        when = f", {aware(at, 'at').astimezone(UTC):%Y-%m-%d %H:%M} UTC" if at else ""
        return f"Status update{by}{when}"

    def to_text(
        self, incident: Incident | None = None, *, at: datetime | None = None,
        author: str | None = None,
    ) -> str:  # fmt: skip
        """Plain text for email, SMS and chat fallbacks."""
        lines = []
        if incident is not None:
            lines.append(
                f"[{incident.severity}] {incident.id} {incident.title} ({incident.status})"
            )
        lines.append(self._heading(at, author))
        lines.extend(f"{part}: {text}" for part, text in self.parts())
        return "\n".join(lines)

    def to_markdown(
        self, incident: Incident | None = None, *, at: datetime | None = None,
        author: str | None = None,
    ) -> str:  # fmt: skip
        """Markdown for pages, tickets and the post-mortem.

        >>> print(StatusUpdate("a", "b", "c", "d").to_markdown())
        _Status update_
        <BLANKLINE>
        **Situation:** a
        <BLANKLINE>
        **Background:** b
        <BLANKLINE>
        **Assessment:** c
        <BLANKLINE>
        **Recommendation:** d
        """
        blocks = []
        if incident is not None:
            blocks.append(
                f"### [{incident.severity}] {incident.id}: {incident.title} ({incident.status})"
            )
        blocks.append(f"_{self._heading(at, author)}_")
        blocks.extend(f"**{part}:** {text}" for part, text in self.parts())
        return "\n\n".join(blocks)

    def to_dict(self) -> dict[str, str]:
        """The four parts as JSON data."""
        return {part: getattr(self, part) for part in PARTS}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StatusUpdate:
        """The update of :meth:`to_dict`'s data (other keys are ignored, so a
        ``status_update`` event's details read back)."""
        if not isinstance(data, Mapping):
            raise IncidentError(f"a status update must be a mapping, got {shown(data)}")
        return cls(**{part: data.get(part, "") for part in PARTS})


def post_update(
    incident: Incident,
    update: StatusUpdate,
    now: datetime,
    *,
    actor: str,
    source: str = "user",
) -> Changed:
    """Record ``update`` on the incident's timeline (with the severity and status it was
    written at). The service sends it through the receivers."""
    if incident.merged_into is not None:
        raise IncidentError(
            f"incident {incident.id} was merged into {incident.merged_into}; post the update "
            f"on {incident.merged_into} instead"
        )
    details = {
        **update.to_dict(),
        "severity": incident.severity.value,
        "status": incident.status.value,
    }
    event = TimelineEvent(
        incident.id, EventKind.STATUS_UPDATE, aware(now, "now"), source, actor, details
    )
    return Changed(incident, (event,))


def last_update_at(events: Iterable[TimelineEvent]) -> datetime | None:
    """When the newest status update among ``events`` was posted (``None`` if none)."""
    times = [e.at for e in events if e.kind is EventKind.STATUS_UPDATE]
    return max(times) if times else None


def next_update_due(
    incident: Incident,
    last_update: datetime | None,
    severities: SeverityTable = DEFAULT_SEVERITIES,
) -> datetime | None:
    """When the next status update is due: the severity's interval after ``last_update``
    (or after detection), ``None`` when the incident is no longer open. The service reminds
    the commander once per due time (an outbox key such as ``update-due:<id>:<due>`` keeps it
    to one)."""
    if not incident.is_open:
        return None
    base = aware(last_update, "last_update") if last_update else incident.detected_at
    return base + severities.update_interval(incident.severity)


def update_overdue(
    incident: Incident,
    last_update: datetime | None,
    now: datetime,
    severities: SeverityTable = DEFAULT_SEVERITIES,
) -> bool:
    """Whether an update was due at or before ``now`` and none came."""
    due = next_update_due(incident, last_update, severities)
    return due is not None and due <= aware(now, "now")
