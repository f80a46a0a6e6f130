"""Rejected batches, for the rejected_batches (schema change) monitor.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rejections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("model_id", sa.Integer, sa.ForeignKey("models.id"), nullable=False, index=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("problems", sa.Integer, nullable=False),
        sa.Column("sample", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("rejections")
