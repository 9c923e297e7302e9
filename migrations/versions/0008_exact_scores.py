"""Exact scores: the exact total beside the stored one, the engine version, the inputs a score was
computed from (its explanation is rendered from them), provisional leaders, and the people a
period could not score (tenant table, RLS).

Revision ID: 0008_exact_scores
Revises: 0007_comparison
Create Date: 2026-12-03 19:55:00
"""

import sqlalchemy as sa
from alembic import op

from tenant_app.tenancy.migration_ops import disable_tenant_rls, enable_tenant_rls

revision = "0008_exact_scores"
down_revision = "0007_comparison"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "scoring_problems",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("period_id", sa.Uuid(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("field", sa.String(length=200), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "period_id"],
            ["periods.tenant_id", "periods.id"],
            name=op.f("fk_scoring_problems_tenant_id_periods"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "staff_id"],
            ["staff.tenant_id", "staff.id"],
            name=op.f("fk_scoring_problems_tenant_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_scoring_problems_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_scoring_problems")),
        sa.UniqueConstraint(
            "tenant_id",
            "period_id",
            "staff_id",
            name=op.f("uq_scoring_problems_tenant_id_period_id_staff_id"),
        ),
    )
    enable_tenant_rls("scoring_problems")
    with op.batch_alter_table("period_scores", schema=None) as batch_op:
        batch_op.add_column(sa.Column("total_exact", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("inputs", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("engine_version", sa.String(length=16), server_default="1", nullable=False)
        )
        batch_op.add_column(
            sa.Column("provisional", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("annual_classifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("average_exact", sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table("annual_classifications", schema=None) as batch_op:
        batch_op.drop_column("average_exact")
    with op.batch_alter_table("period_scores", schema=None) as batch_op:
        batch_op.drop_column("provisional")
        batch_op.drop_column("engine_version")
        batch_op.drop_column("inputs")
        batch_op.drop_column("total_exact")
    disable_tenant_rls("scoring_problems")
    op.drop_table("scoring_problems")
