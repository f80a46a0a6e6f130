"""A digest of each ingest batch's body, so that a batch key sent again with other content is
refused (409) rather than counted as the batch stored first. Batches stored before have none,
and a retry of one of them is still a duplicate.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ingest_batches") as batch:
        batch.add_column(sa.Column("content_digest", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ingest_batches") as batch:
        batch.drop_column("content_digest")
