"""Incidents and their append-only timelines.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("number", sa.Integer, nullable=True, unique=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("model", sa.String(200), nullable=False, index=True),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("document", sa.Text, nullable=False),
    )
    op.create_table(
        "incident_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "incident_id", sa.String(40), sa.ForeignKey("incidents.id"), nullable=False, index=True
        ),
        sa.Column("event_id", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.UniqueConstraint("incident_id", "event_id"),
    )


def downgrade() -> None:
    op.drop_table("incident_events")
    op.drop_table("incidents")
