"""Monitoring: labels, monitors, observations, custom metrics, SLOs, window evaluations.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _model_fk() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("model_id", sa.Integer, sa.ForeignKey("models.id"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "labels",
        sa.Column("id", sa.Integer, primary_key=True),
        _model_fk(),
        sa.Column("prediction_id", sa.String(200), nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("received_at", TZ, nullable=False, index=True),
        sa.UniqueConstraint("model_id", "prediction_id"),
    )
    op.create_table(
        "monitors",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("model_id", sa.Integer, sa.ForeignKey("models.id"), nullable=False, index=True),
        sa.Column("spec_json", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "observations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("monitor_id", sa.Integer, sa.ForeignKey("monitors.id"), nullable=False),
        sa.Column("window_start", TZ, nullable=False, index=True),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("healthy", sa.Boolean, nullable=True),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("evaluated_at", TZ, nullable=False),
        sa.UniqueConstraint("monitor_id", "window_start"),
    )
    op.create_table(
        "custom_metrics",
        sa.Column("id", sa.Integer, primary_key=True),
        _model_fk(),
        sa.Column("metric", sa.String(200), nullable=False),
        sa.Column("window_start", TZ, nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.UniqueConstraint("model_id", "metric", "window_start"),
    )
    op.create_table(
        "slos",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("monitor_id", sa.Integer, sa.ForeignKey("monitors.id"), nullable=False),
        sa.Column("objective", sa.Float, nullable=False),
        sa.Column("period_days", sa.Float, nullable=False),
    )
    op.create_table(
        "window_evaluations",
        sa.Column("model_id", sa.Integer, sa.ForeignKey("models.id"), primary_key=True),
        sa.Column("window_start", TZ, primary_key=True),
        sa.Column("evaluated_at", TZ, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "window_evaluations",
        "slos",
        "custom_metrics",
        "observations",
        "monitors",
        "labels",
    ):
        op.drop_table(table)
