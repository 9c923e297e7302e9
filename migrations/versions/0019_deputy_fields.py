"""Deputies' fields: the divisions a deputy is in charge of (lĩnh vực phụ trách), with dates.

``deputy_fields`` (tenant table, RLS): the deputy, the division (org unit) assigned, first and
last day (inclusive; open-ended when the last is null), the decision assigning it and who
recorded it. A deputy's unit result counts the people of those divisions; the approval chain's
deputy stage of those people is the deputy's.

Revision ID: 0019_deputy_fields
Revises: 0018_exemption_proof
Create Date: 2026-12-06 01:30:00
"""

import sqlalchemy as sa
from alembic import op

from tenant_app.tenancy.migration_ops import disable_tenant_rls, enable_tenant_rls

revision = "0019_deputy_fields"
down_revision = "0018_exemption_proof"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "deputy_fields",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("org_unit_id", sa.Uuid(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "ends_on IS NULL OR ends_on >= starts_on", name=op.f("ck_deputy_fields_dates_ordered")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "staff_id"],
            ["staff.tenant_id", "staff.id"],
            name=op.f("fk_deputy_fields_tenant_id_staff_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "org_unit_id"],
            ["org_units.tenant_id", "org_units.id"],
            name=op.f("fk_deputy_fields_tenant_id_org_unit_id_org_units"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "recorded_by"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_deputy_fields_tenant_id_recorded_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_deputy_fields_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_deputy_fields")),
    )
    op.create_index(
        "ix_deputy_fields_tenant_id_staff_id", "deputy_fields", ["tenant_id", "staff_id"]
    )
    op.create_index(
        "ix_deputy_fields_tenant_id_org_unit_id", "deputy_fields", ["tenant_id", "org_unit_id"]
    )
    enable_tenant_rls("deputy_fields")


def downgrade():
    disable_tenant_rls("deputy_fields")
    op.drop_index("ix_deputy_fields_tenant_id_org_unit_id", "deputy_fields")
    op.drop_index("ix_deputy_fields_tenant_id_staff_id", "deputy_fields")
    op.drop_table("deputy_fields")
