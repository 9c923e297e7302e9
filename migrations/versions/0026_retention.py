"""Evidence files purged by the retention policy keep their row.

``evidence_files.purged_at`` (nullable): when the daily retention run deleted the file (its
period locked and past the policy's years). The row stays, so the report still lists what was
attached (name, size, SHA-256) and the audit trail keeps pointing at it; only the bytes are gone.

Revision ID: 0026_retention
Revises: 0025_period_calendar
Create Date: 2026-12-06 06:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0026_retention"
down_revision = "0025_period_calendar"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("evidence_files") as batch:
        batch.add_column(sa.Column("purged_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("evidence_files") as batch:
        batch.drop_column("purged_at")
