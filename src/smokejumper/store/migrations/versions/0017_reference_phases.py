"""Reference phases: the profile of a reference's rows in each hour of the week (UTC), on the
reference's bins, for monitors with a seasonal baseline (``seasonality``).

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reference_phases",
        sa.Column("model_id", sa.Integer, sa.ForeignKey("models.id"), primary_key=True),
        sa.Column("hour_of_week", sa.Integer, primary_key=True),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("profile", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reference_phases")
