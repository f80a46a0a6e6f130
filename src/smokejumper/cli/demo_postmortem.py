"""The last act of ``smokejumper demo``: the demo plays the on-call engineer of the incident the
page opened (acknowledges it, notes what was found, mitigates and resolves it), writes the
analysis people write (root cause, 5 whys, fishbone, lessons, action items) through the API,
and has Smokejumper assemble the post-mortem from the recorded facts in Markdown, HTML and PDF.
The post-mortem goes final and the incident closes.

The analysis is scripted: the demo knows the fault it injected (the credit bureau's scores
missing from a third of October's applications). Everything else in the document (numbers,
times, timeline, charts) is what the service recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from smokejumper.client.admin import AdminClient

RESPONDER = "demo-on-call"

ROOT_CAUSE = (
    "The credit-bureau join behind `credit_score` returned no score for about a third of "
    "October's applications; the model scored them as average applicants."
)
TRIGGER = (
    "The run of `etl/credit_bureau_join` ten minutes before the first October hour wrote "
    "snapshot snap-4 of `loans.features` with "
    "6,630 rows, a third fewer than its usual 10,000: the join matched no bureau record for the "
    "rest, and nothing downstream checked."
)
WHYS: list[dict[str, Any]] = [
    {
        "why": "Why did the data-quality SLO page?",
        "because": "credit_score arrived null in far more than 5% of the rows of each hour",
    },
    {
        "why": "Why was credit_score null?",
        "because": "the credit-bureau join found no match for part of the applications",
    },
    {
        "why": "Why did nothing stop those rows before scoring?",
        "because": "the feature pipeline has no null-share check on its outputs",
    },
]
FISHBONE: list[dict[str, Any]] = [
    {"category": "data", "cause": "credit-bureau join returned nulls"},
    {"category": "model", "cause": "missing score imputed as average"},
    {"category": "process", "cause": "no null-share gate in the feature pipeline"},
]

#: The action items the responders agree on: (type, owner, description).
ACTIONS = (
    ("prevent", "data-platform", "Refuse feature outputs whose credit_score null share is over 5%"),
    ("detect", "ml-platform", "Alert on the bureau join's match rate, upstream of the model"),
)


@dataclass(frozen=True)
class Written:
    """The post-mortem files the demo wrote, and what the document says."""

    incident_id: str
    markdown: Path
    html: Path
    pdf: Path
    closed: bool
    excerpt: str


def respond_and_write(admin: AdminClient, incident_id: str, folder: Path) -> Written:
    """Run the incident to its end and write its post-mortem into ``folder``."""
    admin.acknowledge_incident(incident_id, by=RESPONDER)
    admin.note_incident(
        incident_id,
        "credit_score nulls started with the first October hour; the bureau join is the suspect",
        by=RESPONDER,
    )
    admin.update_incident(incident_id, by=RESPONDER, status="mitigated")
    admin.note_incident(
        incident_id, "rows without a bureau score are routed to manual review", by=RESPONDER
    )
    admin.update_incident(incident_id, by=RESPONDER, status="resolved")
    admin.write_section(incident_id, "root_cause", ROOT_CAUSE, by=RESPONDER)
    admin.write_section(incident_id, "trigger", TRIGGER, by=RESPONDER)
    admin.write_section(incident_id, "five_whys", WHYS, by=RESPONDER)
    admin.write_section(incident_id, "fishbone", FISHBONE, by=RESPONDER)
    admin.write_section(
        incident_id,
        "lessons",
        "A null-share SLO on the model's key input paged within the hour; the pipeline "
        "itself should refuse such an output before the model sees it.",
        by=RESPONDER,
    )
    due = (datetime.now(UTC) + timedelta(days=14)).date().isoformat()
    for kind, owner, what in ACTIONS:
        admin.add_action_item(incident_id, what, type=kind, owner=owner, due=due, by=RESPONDER)
    admin.set_postmortem_status(incident_id, "final", by=RESPONDER)
    closed = admin.update_incident(incident_id, by=RESPONDER, status="closed")
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for fmt, suffix in (("markdown", "md"), ("html", "html"), ("pdf", "pdf")):
        path = folder / f"postmortem-{incident_id}.{suffix}"
        path.write_bytes(admin.postmortem(incident_id, fmt))
        paths[fmt] = path
    markdown = paths["markdown"].read_text("utf-8")
    return Written(
        incident_id,
        paths["markdown"],
        paths["html"],
        paths["pdf"],
        closed["status"] == "closed",
        _excerpt(markdown),
    )


def _excerpt(markdown: str) -> str:
    """The summary, impact and detection of the post-mortem (what a reader sees first)."""
    start = markdown.index("## Summary")
    end = markdown.index("## Root cause")
    return markdown[start:end].strip()
