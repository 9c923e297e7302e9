"""Unit ratings: a public service unit's own classification for a period or a year.

``unit_ratings`` (tenant table, RLS): the period code ("2026-11", or "2026" for the year), the
period when there is one, the grade, an optional exact score, the source ("indicators": from
the unit's KPI indicators; "authority": entered by the competent authority, the province
administrator), who decided, the decision's reference and date, the reason and a note. Where
the rule set says so the head's grade is not above it (Decree on public employees 2026, art.
12(7)).

Revision ID: 0023_unit_ratings
Revises: 0022_transfers
Create Date: 2026-12-06 03:10:00
"""

import sqlalchemy as sa
from alembic import op

from tenant_app.tenancy.migration_ops import disable_tenant_rls, enable_tenant_rls

revision = "0023_unit_ratings"
down_revision = "0022_transfers"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "unit_ratings",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("period_code", sa.String(length=16), nullable=False),
        sa.Column("period_id", sa.Uuid(), nullable=True),
        sa.Column("grade", sa.String(length=8), nullable=False),
        sa.Column("score", sa.Numeric(12, 6), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decision_ref", sa.String(length=100), nullable=True),
        sa.Column("decision_date", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "grade in ('HTXS', 'HTT', 'HTNV', 'KHTNV')", name=op.f("ck_unit_ratings_grade_known")
        ),
        sa.CheckConstraint(
            "source in ('indicators', 'authority')", name=op.f("ck_unit_ratings_source_known")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "period_id"],
            ["periods.tenant_id", "periods.id"],
            name=op.f("fk_unit_ratings_tenant_id_period_id_periods"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_unit_ratings_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_unit_ratings")),
        sa.UniqueConstraint(
            "tenant_id", "period_code", name=op.f("uq_unit_ratings_tenant_id_period_code")
        ),
    )
    enable_tenant_rls("unit_ratings")


def downgrade():
    disable_tenant_rls("unit_ratings")
    op.drop_table("unit_ratings")
