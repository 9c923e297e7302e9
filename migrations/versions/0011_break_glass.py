"""Break-glass access of the province to a live unit: reason, notice, expiry.

An account's optional expiry (``users.expires_at``) and the record of each break-glass grant
(tenant table, RLS).

Revision ID: 0011_break_glass
Revises: 0010_unit_head
Create Date: 2026-12-04 04:30:00
"""

import sqlalchemy as sa
from alembic import op

from tenant_app.tenancy.migration_ops import disable_tenant_rls, enable_tenant_rls

revision = "0011_break_glass"
down_revision = "0010_unit_head"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
    op.create_table(
        "break_glass_grants",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("granted_by", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("ended_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_break_glass_grants_tenant_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_break_glass_grants_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_break_glass_grants")),
        sa.UniqueConstraint(
            "tenant_id", "user_id", name=op.f("uq_break_glass_grants_tenant_id_user_id")
        ),
    )
    enable_tenant_rls("break_glass_grants")


def downgrade():
    disable_tenant_rls("break_glass_grants")
    op.drop_table("break_glass_grants")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
