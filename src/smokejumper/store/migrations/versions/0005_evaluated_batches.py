"""Batches and labels counted per evaluated window, so that late predictions and labels make
the window due again however late their transaction commits.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("window_evaluations") as batch:
        batch.add_column(sa.Column("batches", sa.Integer, nullable=True))
        batch.add_column(sa.Column("labels", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("window_evaluations") as batch:
        batch.drop_column("labels")
        batch.drop_column("batches")
