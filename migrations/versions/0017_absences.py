"""Absences: a person's leave (maternity, sickness, training, other) with its document.

``absences`` (tenant table, RLS): person, kind, first and last day (inclusive), the decision or
document granting it, a note and who recorded it; the annual classification reads the days it
takes from each period.

Revision ID: 0017_absences
Revises: 0016_income_history
Create Date: 2026-12-06 00:20:00
"""

import sqlalchemy as sa
from alembic import op

from tenant_app.tenancy.migration_ops import disable_tenant_rls, enable_tenant_rls

revision = "0017_absences"
down_revision = "0016_income_history"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "absences",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('maternity', 'sickness', 'training', 'other')",
            name=op.f("ck_absences_kind_known"),
        ),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_absences_dates_ordered")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "staff_id"],
            ["staff.tenant_id", "staff.id"],
            name=op.f("fk_absences_tenant_id_staff_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "recorded_by"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_absences_tenant_id_recorded_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_absences_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_absences")),
    )
    op.create_index(
        "ix_absences_tenant_id_staff_id_starts_on",
        "absences",
        ["tenant_id", "staff_id", "starts_on"],
    )
    enable_tenant_rls("absences")


def downgrade():
    disable_tenant_rls("absences")
    op.drop_index("ix_absences_tenant_id_staff_id_starts_on", "absences")
    op.drop_table("absences")
