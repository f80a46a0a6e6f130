"""Post-mortem action items, with their reminders' bookkeeping.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "action_items",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("number", sa.Integer, nullable=False, unique=True),
        sa.Column(
            "incident_id", sa.String(40), sa.ForeignKey("incidents.id"), nullable=False, index=True
        ),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("due", sa.Date, nullable=False, index=True),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("link", sa.Text, nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("tracker", sa.String(20), nullable=True),
        sa.Column("tracker_key", sa.String(200), nullable=True),
        sa.Column("tracker_url", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.Column("reminded_for", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminders", sa.Integer, nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("action_items")
