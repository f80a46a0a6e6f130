"""Post-mortems: one row per incident's post-mortem and every revision of its sections.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "postmortems",
        sa.Column("incident_id", sa.String(40), sa.ForeignKey("incidents.id"), primary_key=True),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.Column("publication", sa.Text, nullable=True),
    )
    op.create_table(
        "postmortem_revisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "incident_id",
            sa.String(40),
            sa.ForeignKey("postmortems.incident_id"),
            nullable=False,
            index=True,
        ),
        sa.Column("section", sa.String(40), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("findings", sa.Text, nullable=False),
        sa.UniqueConstraint("incident_id", "section", "number"),
    )


def downgrade() -> None:
    op.drop_table("postmortem_revisions")
    op.drop_table("postmortems")
