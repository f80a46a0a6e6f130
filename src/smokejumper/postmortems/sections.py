"""The sections of a post-mortem that people write, what each may hold, and their revisions.

Most sections are Markdown text. Two are structured: ``five_whys``, a chain of steps each
asking why and answering because, citing evidence; and ``fishbone``, causes under the five
categories (Data, Model, Infrastructure, External, Process). Evidence names something
Smokejumper holds: a timeline ``event``, a monitor ``observation``, a ``change``, a ``run``
or an RCA ``hypothesis``, by its id.

Nothing is overwritten: each save is a :class:`Revision` with its number, author and time,
and the blameless check's findings at that save.

>>> why = parse_content("five_whys", [{"why": "Why did approvals drop?",
...     "because": "income arrived null", "evidence": [{"kind": "event", "id": "ab12"}]}])
>>> why[0]["evidence"]
[{'kind': 'event', 'id': 'ab12'}]
>>> parse_content("fishbone", [{"category": "people", "cause": "x"}])
Traceback (most recent call last):
...
smokejumper.errors.PostmortemError: fishbone cause 1: category 'people' is not one of data, \
model, infrastructure, external, process (causes sit in the system, never with individuals)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from smokejumper.errors import PostmortemError
from smokejumper.postmortems.blameless import Finding, check


class Section(StrEnum):
    """A section people write."""

    SUMMARY = "summary"
    IMPACT = "impact"
    ROOT_CAUSE = "root_cause"
    TRIGGER = "trigger"
    FIVE_WHYS = "five_whys"
    FISHBONE = "fishbone"
    RESOLUTION = "resolution"
    WENT_WELL = "went_well"
    WENT_WRONG = "went_wrong"
    LUCKY = "lucky"
    LESSONS = "lessons"


#: The fishbone's categories, in the order drawn.
CATEGORIES = ("data", "model", "infrastructure", "external", "process")
#: What evidence may be cited.
EVIDENCE_KINDS = ("event", "observation", "change", "run", "hypothesis")
#: The statuses of a post-mortem: a draft, under review, final (the incident may close).
STATUSES = ("draft", "review", "final")


def parse_section(value: object) -> Section:
    """The section ``value`` names, or :class:`PostmortemError` listing them."""
    try:
        return Section(str(value).strip().lower().replace("-", "_"))
    except ValueError:
        known = ", ".join(s.value for s in Section)
        raise PostmortemError(
            f"no post-mortem section {value!r}; the sections are: {known}"
        ) from None


def parse_status(value: object) -> str:
    """The post-mortem status ``value`` names, or :class:`PostmortemError` listing them."""
    status = str(value).strip().lower()
    if status not in STATUSES:
        raise PostmortemError(
            f"no post-mortem status {value!r}; a post-mortem is one of: {', '.join(STATUSES)}"
        )
    return status


def parse_content(section: Section | str, content: object) -> Any:
    """``content`` checked for ``section``: text for most, a list of steps for ``five_whys``,
    a list of causes for ``fishbone`` (see the module docstring)."""
    section = parse_section(section)
    if section is Section.FIVE_WHYS:
        return [_why(i, step) for i, step in enumerate(_items(content, "five_whys"), start=1)]
    if section is Section.FISHBONE:
        return [_cause(i, cause) for i, cause in enumerate(_items(content, "fishbone"), start=1)]
    if not isinstance(content, str):
        raise PostmortemError(
            f"section {section.value} holds Markdown text, got {type(content).__name__}"
        )
    return content.strip()


def _items(content: object, section: str) -> list[Mapping[str, Any]]:
    if not isinstance(content, list) or not all(isinstance(c, Mapping) for c in content):
        raise PostmortemError(f"section {section} holds a list of objects, got {content!r}")
    return list(content)


def _text(item: Mapping[str, Any], key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PostmortemError(f"{where}: {key!r} must be a non-empty string, got {value!r}")
    return value.strip()


def _evidence(item: Mapping[str, Any], where: str) -> list[dict[str, str]]:
    cited = item.get("evidence") or []
    if not isinstance(cited, list):
        raise PostmortemError(f"{where}: evidence must be a list, got {cited!r}")
    out = []
    for ref in cited:
        if not isinstance(ref, Mapping) or ref.get("kind") not in EVIDENCE_KINDS:
            raise PostmortemError(
                f"{where}: each piece of evidence is {{kind, id}} with kind one of "
                f"{', '.join(EVIDENCE_KINDS)}; got {ref!r}"
            )
        out.append({"kind": str(ref["kind"]), "id": _text(ref, "id", where)})
    return out


def _why(number: int, step: Mapping[str, Any]) -> dict[str, Any]:
    where = f"five_whys step {number}"
    return {
        "why": _text(step, "why", where),
        "because": _text(step, "because", where),
        "evidence": _evidence(step, where),
    }


def _cause(number: int, cause: Mapping[str, Any]) -> dict[str, Any]:
    where = f"fishbone cause {number}"
    category = str(cause.get("category", "")).strip().lower()
    if category not in CATEGORIES:
        raise PostmortemError(
            f"{where}: category {cause.get('category')!r} is not one of {', '.join(CATEGORIES)} "
            "(causes sit in the system, never with individuals)"
        )
    return {
        "category": category,
        "cause": _text(cause, "cause", where),
        "evidence": _evidence(cause, where),
    }


def texts(section: Section, content: Any) -> list[str]:
    """The prose in ``content`` (what the blameless check reads)."""
    if section is Section.FIVE_WHYS:
        return [part for step in content for part in (step["why"], step["because"])]
    if section is Section.FISHBONE:
        return [cause["cause"] for cause in content]
    return [content]


def findings(section: Section, content: Any) -> tuple[Finding, ...]:
    """The blameless check's findings in ``content``."""
    return tuple(f for text in texts(section, content) for f in check(text, section.value))


@dataclass(frozen=True)
class Revision:
    """Revision ``number`` (1, 2, ...) of ``section``: its ``content``, who wrote it
    (``author``) and when (``at``), with the blameless check's ``findings`` at that save."""

    section: Section
    number: int
    content: Any
    author: str
    at: datetime
    findings: tuple[Finding, ...] = field(default=())

    @classmethod
    def make(
        cls, section: Section | str, number: int, content: object, author: str, at: datetime
    ) -> Revision:
        """A checked revision with its findings."""
        section = parse_section(section)
        parsed = parse_content(section, content)
        if not isinstance(author, str) or not author.strip():
            raise PostmortemError("a revision needs its author")
        return cls(section, number, parsed, author.strip(), at, findings(section, parsed))

    def to_dict(self) -> dict[str, Any]:
        """The revision as JSON data."""
        return {
            "section": self.section.value,
            "number": self.number,
            "content": self.content,
            "author": self.author,
            "at": self.at.isoformat(),
            "findings": [f.to_dict() for f in self.findings],
        }
