"""Transfers between units: who came and went, and the period results handed over.

``staff_transfers`` (tenant table, RLS): one side of a transfer (``out`` in the old unit, ``in``
in the new one) with the shared transfer id, the person's record here, the effective date, the
other unit by name and slug (text, never a key into another tenant), the decision and reason.
``received_results`` (tenant table, RLS): a published period result of a transferred person as
the old unit stored it (period, exact total, grade, forced fail, service), with its source.

Revision ID: 0022_transfers
Revises: 0020_province_identity
Create Date: 2026-12-06 03:00:00
"""

import sqlalchemy as sa
from alembic import op

from tenant_app.tenancy.migration_ops import disable_tenant_rls, enable_tenant_rls

revision = "0022_transfers"
down_revision = "0020_province_identity"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "staff_transfers",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("transfer_id", sa.Uuid(), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("staff_code", sa.String(length=32), nullable=False),
        sa.Column("full_name", sa.String(length=120), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("other_unit_name", sa.String(length=200), nullable=False),
        sa.Column("other_unit_slug", sa.String(length=64), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("results_moved", sa.Integer(), nullable=False),
        sa.Column("made_by_province", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "direction IN ('in', 'out')", name=op.f("ck_staff_transfers_direction_known")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "staff_id"],
            ["staff.tenant_id", "staff.id"],
            name=op.f("fk_staff_transfers_tenant_id_staff_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["made_by_province"],
            ["province_users.id"],
            name=op.f("fk_staff_transfers_made_by_province_province_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_staff_transfers_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_staff_transfers")),
        sa.UniqueConstraint(
            "tenant_id",
            "transfer_id",
            "direction",
            name=op.f("uq_staff_transfers_tenant_id_transfer_id_direction"),
        ),
    )
    op.create_index(
        "ix_staff_transfers_tenant_id_staff_id", "staff_transfers", ["tenant_id", "staff_id"]
    )
    enable_tenant_rls("staff_transfers")

    op.create_table(
        "received_results",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("transfer_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("period_code", sa.String(length=16), nullable=False),
        sa.Column("period_label", sa.String(length=40), nullable=False),
        sa.Column("period_kind", sa.String(length=8), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("total", sa.Numeric(precision=12, scale=6), nullable=False),
        sa.Column("total_exact", sa.String(length=200), nullable=False),
        sa.Column("grade", sa.String(length=8), nullable=False),
        sa.Column("forced_fail", sa.String(length=32), nullable=True),
        sa.Column("service", sa.JSON(), nullable=True),
        sa.Column("source_unit_name", sa.String(length=200), nullable=False),
        sa.Column("source_unit_slug", sa.String(length=64), nullable=False),
        sa.Column("source_period_id", sa.String(length=64), nullable=False),
        sa.Column("source_staff_code", sa.String(length=32), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "grade IN ('HTXS', 'HTT', 'HTNV', 'KHTNV')",
            name=op.f("ck_received_results_grade_known"),
        ),
        sa.CheckConstraint(
            "period_kind IN ('month', 'quarter')", name=op.f("ck_received_results_kind_known")
        ),
        sa.CheckConstraint(
            "ends_on >= starts_on", name=op.f("ck_received_results_dates_ordered")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "staff_id"],
            ["staff.tenant_id", "staff.id"],
            name=op.f("fk_received_results_tenant_id_staff_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_received_results_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_received_results")),
        sa.UniqueConstraint(
            "tenant_id",
            "staff_id",
            "source_unit_slug",
            "period_code",
            name=op.f("uq_received_results_tenant_id_staff_id_source_unit_slug_period_code"),
        ),
    )
    op.create_index(
        "ix_received_results_tenant_id_staff_id_year",
        "received_results",
        ["tenant_id", "staff_id", "year"],
    )
    enable_tenant_rls("received_results")


def downgrade():
    disable_tenant_rls("received_results")
    op.drop_index("ix_received_results_tenant_id_staff_id_year", "received_results")
    op.drop_table("received_results")
    disable_tenant_rls("staff_transfers")
    op.drop_index("ix_staff_transfers_tenant_id_staff_id", "staff_transfers")
    op.drop_table("staff_transfers")
