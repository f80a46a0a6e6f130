"""Full-text search over incidents (migration 0011): an incident's title with the text of its
notes, corrections and status updates (``incidents.search_text``).

* **SQLite**: an FTS5 table, ``incident_search`` (``incident_id``, ``title``, ``body``; Porter
  stemming over Unicode words), one row per incident, kept in step by the incidents repository
  through :func:`reindex` whenever a title or a searchable event is stored. A search matches
  every word, each quoted (so nothing in it is read as FTS5 syntax).
* **PostgreSQL**: ``to_tsvector('english', title || ' ' || search_text) @@
  plainto_tsquery('english', words)``, the expression the migration's GIN index holds.

Both match every word of the search, stemmed, anywhere in the incident's text. (PostgreSQL's
English configuration also drops stop words such as *the*; SQLite keeps them.)

>>> fts5_query(["tenure", "null"])
'"tenure" "null"'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import String, TextClause, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from smokejumper.store.tables import IncidentRow

#: The SQLite FTS5 table (its shadow tables share the prefix).
FTS_TABLE = "incident_search"
#: The PostgreSQL expression index.
PG_INDEX = "ix_incidents_search"


def declared_by_hand(name: str | None) -> bool:
    """Whether a schema object is one of search's, made by migration 0011 rather than declared
    with the tables (the FTS5 table and its shadow tables, the expression index): schema
    comparisons leave these out.

    >>> declared_by_hand("incident_search_data"), declared_by_hand("incidents")
    (True, False)
    """
    return bool(name) and (str(name).startswith(FTS_TABLE) or name == PG_INDEX)


def fts5_query(words: Sequence[str]) -> str:
    """An FTS5 query matching every one of ``words``: each a quoted string (quotes doubled)."""
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def _sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def reindex(session: Session, incident_ids: Iterable[str]) -> None:
    """Bring the SQLite search table in step with the incidents ``incident_ids`` (their title
    and search text as stored now); nothing to do on PostgreSQL, whose index follows the
    table."""
    if not _sqlite(session):
        return
    for incident_id in sorted(set(incident_ids)):
        row = session.get(IncidentRow, incident_id)
        session.execute(
            text(f"DELETE FROM {FTS_TABLE} WHERE incident_id = :id"), {"id": incident_id}
        )
        if row is not None:
            session.execute(
                text(f"INSERT INTO {FTS_TABLE} (incident_id, title, body) VALUES (:id, :t, :b)"),
                {"id": incident_id, "t": row.title, "b": row.search_text},
            )


def matching(session: Session, words: Sequence[str]) -> ColumnElement[bool] | TextClause:
    """A condition on :class:`IncidentRow` that holds for incidents whose text has every one
    of ``words`` (see the module docstring)."""
    if _sqlite(session):
        ids = (
            text(f"SELECT incident_id FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q")
            .bindparams(q=fts5_query(words))
            .columns(incident_id=String)
        )
        return IncidentRow.id.in_(ids)
    return text(
        "to_tsvector('english', incidents.title || ' ' || incidents.search_text) "
        "@@ plainto_tsquery('english', :q)"
    ).bindparams(q=" ".join(words))
