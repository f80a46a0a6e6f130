"""Full-text search over incidents: their titles and the text of their notes, corrections and
status updates (``incidents.search_text``, filled here from the timelines stored so far).
SQLite gets an FTS5 table (``incident_search``, Porter stemming) that the repository keeps in
step; PostgreSQL an expression GIN index on ``to_tsvector('english', title || ' ' ||
search_text)``, which the search's ``@@ plainto_tsquery('english', ...)`` uses.

Revision ID: 0011
Revises: 0010
"""

import json

import sqlalchemy as sa
from alembic import op

from smokejumper.errors import SearchUnavailableError

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

#: The parts of a status update, in order (as the incidents package writes them).
_SBAR = ("situation", "background", "assessment", "recommendation")


def _text(kind: str, details: dict[str, object]) -> str:
    """The searchable text of a stored event (frozen here: a migration does not follow later
    changes of the code)."""
    if kind in ("note", "correction"):
        return str(details.get("text", ""))
    if kind == "status_update":
        return "\n".join(str(details.get(p, "")) for p in _SBAR)
    return ""


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("incidents", sa.Column("search_text", sa.Text, nullable=False, server_default=""))
    texts: dict[str, list[str]] = {}
    rows = bind.execute(
        sa.text(
            "SELECT incident_id, kind, document FROM incident_events "
            "WHERE kind IN ('note', 'correction', 'status_update') ORDER BY id"
        )
    )
    for incident_id, kind, document in rows:
        found = _text(kind, json.loads(document).get("details", {}))
        if found:
            texts.setdefault(incident_id, []).append(found)
    for incident_id, parts in texts.items():
        bind.execute(
            sa.text("UPDATE incidents SET search_text = :t WHERE id = :id"),
            {"t": "\n".join(parts), "id": incident_id},
        )
    if bind.dialect.name == "sqlite":
        try:
            bind.execute(
                sa.text(
                    "CREATE VIRTUAL TABLE incident_search USING fts5("
                    "incident_id UNINDEXED, title, body, tokenize = 'porter unicode61')"
                )
            )
        except sa.exc.OperationalError as err:
            raise SearchUnavailableError(
                "this Python's SQLite has no FTS5, which incident search needs; use a Python "
                "whose sqlite3 module has it (the python.org and distribution builds do) or a "
                f"PostgreSQL store ({err.orig})"
            ) from err
        bind.execute(
            sa.text(
                "INSERT INTO incident_search (incident_id, title, body) "
                "SELECT id, title, search_text FROM incidents"
            )
        )
    else:
        op.execute(
            "CREATE INDEX ix_incidents_search ON incidents USING gin "
            "(to_tsvector('english', title || ' ' || search_text))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE incident_search")
    else:
        op.execute("DROP INDEX ix_incidents_search")
    op.drop_column("incidents", "search_text")
