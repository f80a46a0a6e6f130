"""Change intake: the change log and the OpenLineage graph (jobs, datasets, runs, their events
and the datasets each run read and wrote).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(255), nullable=False, unique=True),
        sa.Column("at", _TIME, nullable=False, index=True),
        sa.Column("kind", sa.String(30), nullable=False, index=True),
        sa.Column("model", sa.String(200), nullable=True, index=True),
        sa.Column("service", sa.String(200), nullable=True),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("link", sa.Text, nullable=True),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("recorded_at", _TIME, nullable=False),
    )
    for table in ("lineage_jobs", "lineage_datasets"):
        extra = [sa.Column("schema_json", sa.Text, nullable=True)] if "datasets" in table else []
        op.create_table(
            table,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("namespace", sa.String(1000), nullable=False),
            sa.Column("name", sa.String(1000), nullable=False),
            *extra,
            sa.Column("facets", sa.Text, nullable=False),
            sa.Column("first_seen", _TIME, nullable=False),
            sa.Column("last_seen", _TIME, nullable=False),
            sa.UniqueConstraint("namespace", "name", name=f"uq_{table}_namespace"),
        )
    op.create_table(
        "lineage_runs",
        sa.Column("run_id", sa.String(36), primary_key=True),
        sa.Column(
            "job_id",
            sa.Integer,
            sa.ForeignKey("lineage_jobs.id", name="fk_lineage_runs_job_id_lineage_jobs"),
            nullable=False,
            index=True,
        ),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("first_event_at", _TIME, nullable=False, index=True),
        sa.Column("started_at", _TIME, nullable=True),
        sa.Column("ended_at", _TIME, nullable=True),
        sa.Column("nominal_start", _TIME, nullable=True),
        sa.Column("nominal_end", _TIME, nullable=True),
        sa.Column("parent_run_id", sa.String(36), nullable=True),
        sa.Column("parent_job_namespace", sa.String(1000), nullable=True),
        sa.Column("parent_job_name", sa.String(1000), nullable=True),
        sa.Column("error_message", sa.Text, nullable=True),
        sa.Column("facets", sa.Text, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
    )
    op.create_table(
        "lineage_run_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "run_id",
            sa.String(36),
            sa.ForeignKey("lineage_runs.run_id", name="fk_lineage_run_events_run_id_lineage_runs"),
            nullable=False,
            index=True,
        ),
        sa.Column("event_type", sa.String(20), nullable=False),
        sa.Column("event_time", _TIME, nullable=False),
        sa.Column("producer", sa.Text, nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("received_at", _TIME, nullable=False),
    )
    op.create_table(
        "lineage_run_datasets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "run_id",
            sa.String(36),
            sa.ForeignKey(
                "lineage_runs.run_id", name="fk_lineage_run_datasets_run_id_lineage_runs"
            ),
            nullable=False,
            index=True,
        ),
        sa.Column(
            "dataset_id",
            sa.Integer,
            sa.ForeignKey(
                "lineage_datasets.id", name="fk_lineage_run_datasets_dataset_id_lineage_datasets"
            ),
            nullable=False,
            index=True,
        ),
        sa.Column("direction", sa.String(10), nullable=False),
        sa.Column("row_count", sa.BigInteger, nullable=True),
        sa.Column("size", sa.BigInteger, nullable=True),
        sa.Column("file_count", sa.BigInteger, nullable=True),
        sa.Column("version", sa.String(1000), nullable=True),
        sa.Column("assertions", sa.Text, nullable=False),
        sa.Column("schema_json", sa.Text, nullable=True),
        sa.Column("event_time", _TIME, nullable=False),
        sa.UniqueConstraint(
            "run_id", "dataset_id", "direction", name="uq_lineage_run_datasets_run_id"
        ),
    )


def downgrade() -> None:
    for table in (
        "lineage_run_datasets",
        "lineage_run_events",
        "lineage_runs",
        "lineage_datasets",
        "lineage_jobs",
        "changes",
    ):
        op.drop_table(table)
