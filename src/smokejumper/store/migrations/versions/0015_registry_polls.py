"""The MLflow poller's memory: per registry (tracking URI), the last state seen (registered
models, versions, stages, aliases) and how its polls are going.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_polls",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(500), nullable=False, unique=True),
        sa.Column("state", sa.Text, nullable=True),
        sa.Column("polled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consecutive_failures", sa.Integer, nullable=False),
        sa.Column("errors_total", sa.Integer, nullable=False),
        sa.Column("changes_total", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("registry_polls")
