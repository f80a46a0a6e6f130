"""Null counts of window parts stored without a profile (no reference yet).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("window_parts") as batch:
        batch.add_column(sa.Column("nulls", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("window_parts") as batch:
        batch.drop_column("nulls")
