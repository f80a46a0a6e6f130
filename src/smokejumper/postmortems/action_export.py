"""Action items as issues: the CSV that Jira's CSV importer reads, and the words of an issue
filed in GitHub or Jira.

The CSV has one row per item and the columns Jira's importer maps by name: ``Summary``
(required; the description's first line, at most 255 characters), ``Issue Type`` (``Task``
unless configured), ``Description`` (the whole description, the incident, the owner, the link
and the Smokejumper id), ``Priority`` (from the incident's severity: SEV1 Highest, SEV2 High,
SEV3 Medium, SEV4 Low), ``Assignee`` (the Jira user the owner maps to under
``actions.assignees``, else empty: Jira leaves it unassigned), ``Due Date`` in the date format
:data:`JIRA_DATE_FORMAT` (tell the importer ``yyyy-MM-dd``), and ``Labels``, repeated once per
label (as Jira asks for several values): ``postmortem``, the incident id, ``action-<type>``,
``owner-<owner>`` and the configured ones, each without spaces (Jira labels cannot hold them).

>>> from datetime import UTC, datetime
>>> from smokejumper.postmortems.actions import ActionItem
>>> t = datetime(2026, 11, 2, tzinfo=UTC)
>>> item, _ = ActionItem.create("ACT-1", "INC-7", type="prevent", owner="ML platform",
...     description="Validate the features job's schema", due="2026-11-20", now=t, actor="ana")
>>> print(jira_csv([IssueFacts(item, "churn scores flat", "SEV2")]), end="")
Summary,Issue Type,Description,Priority,Assignee,Due Date,Labels,Labels,Labels,Labels
Validate the features job's schema,Task,"Validate the features job's schema
<BLANKLINE>
Incident: INC-7 (churn scores flat)
Type: prevent
Owner: ML platform
Smokejumper action item: ACT-1",High,,2026-11-20,postmortem,INC-7,action-prevent,owner-ml-platform
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from smokejumper.postmortems.actions import ActionItem

#: The date format of the ``Due Date`` column, as Jira's importer asks for it.
JIRA_DATE_FORMAT = "yyyy-MM-dd"
#: Jira's default priorities by incident severity.
PRIORITIES = {"SEV1": "Highest", "SEV2": "High", "SEV3": "Medium", "SEV4": "Low"}
#: The columns before the repeated ``Labels``.
COLUMNS = ("Summary", "Issue Type", "Description", "Priority", "Assignee", "Due Date")
#: Jira's longest summary.
SUMMARY_LIMIT = 255
_NOT_LABEL = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class IssueFacts:
    """An item with what its issue also tells of its incident: title and severity."""

    item: ActionItem
    incident_title: str = ""
    severity: str = ""


def label(value: str) -> str:
    """``value`` as a Jira or GitHub label: runs of characters other than letters, digits,
    ``_``, ``.`` and ``-`` become one ``-``.

    >>> label("ML platform / data")
    'ML-platform-data'
    """
    return _NOT_LABEL.sub("-", value.strip()).strip("-") or "none"


def summary(item: ActionItem) -> str:
    """The issue's title: the description's first line, at most 255 characters."""
    first = item.description.splitlines()[0].strip()
    return first if len(first) <= SUMMARY_LIMIT else first[: SUMMARY_LIMIT - 1] + "…"


def issue_body(facts: IssueFacts) -> str:
    """The issue's description: the item's, then its incident, type, owner, link and id."""
    item = facts.item
    incident = (
        f"{item.incident_id} ({facts.incident_title})" if facts.incident_title else item.incident_id
    )
    lines = [
        item.description,
        "",
        f"Incident: {incident}",
        f"Type: {item.type}",
        f"Owner: {item.owner}",
    ]
    if item.link:
        lines.append(f"Link: {item.link}")
    lines.append(f"Smokejumper action item: {item.id}")
    return "\n".join(lines)


def issue_labels(item: ActionItem, extra: Sequence[str] = ()) -> list[str]:
    """The labels of an item's issue (see the module docstring), each once."""
    found = [
        "postmortem",
        item.incident_id,
        f"action-{item.type}",
        f"owner-{label(item.owner).lower()}",
    ]
    return list(dict.fromkeys(label(x) for x in (*found, *extra)))


def jira_csv(
    items: Sequence[IssueFacts],
    *,
    issue_type: str = "Task",
    assignees: Mapping[str, str] | None = None,
    labels: Sequence[str] = (),
) -> str:
    """The CSV of ``items`` for Jira's importer (see the module docstring)."""
    rows: list[list[str]] = []
    for facts in items:
        item = facts.item
        row = [
            summary(item),
            issue_type,
            issue_body(facts),
            PRIORITIES.get(facts.severity, ""),
            (assignees or {}).get(item.owner, ""),
            item.due.isoformat(),  # yyyy-MM-dd
        ]
        rows.append(row + issue_labels(item, labels))
    width = max((len(r) for r in rows), default=len(COLUMNS) + 1)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*COLUMNS, *["Labels"] * (width - len(COLUMNS))])
    for row in rows:
        writer.writerow(row + [""] * (width - len(row)))
    return out.getvalue()


def items_json(items: Sequence[IssueFacts], now: Any = None) -> list[dict[str, Any]]:
    """The items as JSON data, each with its incident's title and severity."""
    return [
        {**f.item.to_dict(now), "incident_title": f.incident_title, "severity": f.severity}
        for f in items
    ]
