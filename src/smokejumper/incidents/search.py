"""What full-text search over incidents reads: an incident's title and the text of its notes,
corrections and status updates; and the words of a search.

The store indexes the text (SQLite FTS5, PostgreSQL ``to_tsvector``); both match every word of
the search, stemmed (``rolling`` finds ``rolled``), in any order, anywhere in one incident's
text (title, notes and updates together).

>>> from datetime import UTC, datetime
>>> from smokejumper.incidents.timeline import EventKind, TimelineEvent
>>> t = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
>>> note = TimelineEvent("INC-7", EventKind.NOTE, t, "user", "ana", {"text": "tenure is null"})
>>> searchable_text(note)
'tenure is null'
>>> query_words("tenure: NULL (since v7)!")
['tenure', 'NULL', 'since', 'v7']
"""

from __future__ import annotations

import re

from smokejumper.errors import IncidentError
from smokejumper.incidents.timeline import EventKind, TimelineEvent
from smokejumper.incidents.updates import PARTS

#: The longest search accepted, and the most words it may have.
MAX_QUERY, MAX_WORDS = 500, 32
#: A word: letters and digits (an underscore or any other mark separates words, as both
#: SQLite's ``unicode61`` tokenizer and PostgreSQL's parser do).
_WORD = re.compile(r"[^\W_]+")


def searchable_text(event: TimelineEvent) -> str | None:
    """The text ``event`` adds to its incident's search: a note's or a correction's text, a
    status update's four parts; ``None`` for other events.

    >>> from datetime import UTC, datetime
    >>> update = TimelineEvent("INC-7", EventKind.STATUS_UPDATE, datetime(2026, 1, 1, tzinfo=UTC),
    ...                        "user", "ana", {"situation": "flat scores", "background": "job",
    ...                        "assessment": "schema", "recommendation": "roll back",
    ...                        "severity": "SEV2", "status": "triage"})
    >>> searchable_text(update)
    'flat scores\\njob\\nschema\\nroll back'
    """
    if event.kind in (EventKind.NOTE, EventKind.CORRECTION):
        return str(event.details.get("text", "")) or None
    if event.kind is EventKind.STATUS_UPDATE:
        return "\n".join(str(event.details.get(part, "")) for part in PARTS) or None
    return None


def query_words(query: str) -> list[str]:
    """The words of a search (letters and digits), or :class:`IncidentError` when it has
    none or is too long.

    >>> query_words("--")
    Traceback (most recent call last):
    ...
    smokejumper.errors.IncidentError: the search '--' has no words; give words of letters or \
digits, such as: tenure null
    """
    if len(query) > MAX_QUERY:
        raise IncidentError(f"the search is {len(query)} characters long; give at most {MAX_QUERY}")
    words = _WORD.findall(query)
    if not words:
        raise IncidentError(
            f"the search {query!r} has no words; give words of letters or digits, such as: "
            "tenure null"
        )
    if len(words) > MAX_WORDS:
        raise IncidentError(
            f"the search has {len(words)} words; give at most {MAX_WORDS} (every word must "
            "match, so a few telling ones find more)"
        )
    return words
