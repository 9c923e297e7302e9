"""Income history: salary changes, concurrent posts, each month's determination of a payment.

``salary_changes`` (tenant table, RLS): a person's monthly salary from a date, so a month is paid
on the salary then in force. ``concurrent_posts`` (tenant table, RLS): posts held concurrently
(kiêm nhiệm) with their salary, for schemes that count the highest. ``income_lines.months``: the
monthly determinations behind a (quarterly) payment.

Revision ID: 0016_income_history
Revises: 0015_approval_chain
Create Date: 2026-12-06 00:00:00
"""

import sqlalchemy as sa
from alembic import op

from tenant_app.tenancy.migration_ops import disable_tenant_rls, enable_tenant_rls

revision = "0016_income_history"
down_revision = "0015_approval_chain"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id", column],
        [f"{target}.tenant_id", f"{target}.id"],
        name=op.f(f"fk_{table}_tenant_id_{column}_{target}"),
    )


def upgrade():
    op.create_table(
        "salary_changes",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("monthly_salary", sa.Numeric(precision=14, scale=0), nullable=False),
        sa.Column("decision_ref", sa.String(length=100), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "monthly_salary >= 0", name=op.f("ck_salary_changes_salary_not_negative")
        ),
        _fk("salary_changes", "created_by", "users"),
        _fk("salary_changes", "staff_id", "staff"),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_salary_changes_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_salary_changes")),
        sa.UniqueConstraint(
            "tenant_id",
            "staff_id",
            "effective_from",
            name=op.f("uq_salary_changes_tenant_id_staff_id_effective_from"),
        ),
    )
    enable_tenant_rls("salary_changes")
    op.create_table(
        "concurrent_posts",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("position_id", sa.Uuid(), nullable=False),
        sa.Column("org_unit_id", sa.Uuid(), nullable=True),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("monthly_salary", sa.Numeric(precision=14, scale=0), nullable=True),
        sa.Column("decision_ref", sa.String(length=100), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "effective_to IS NULL OR effective_to > effective_from",
            name=op.f("ck_concurrent_posts_dates_ordered"),
        ),
        sa.CheckConstraint(
            "monthly_salary >= 0", name=op.f("ck_concurrent_posts_salary_not_negative")
        ),
        _fk("concurrent_posts", "created_by", "users"),
        _fk("concurrent_posts", "org_unit_id", "org_units"),
        _fk("concurrent_posts", "position_id", "job_positions"),
        _fk("concurrent_posts", "staff_id", "staff"),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_concurrent_posts_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_concurrent_posts")),
    )
    enable_tenant_rls("concurrent_posts")
    op.add_column("income_lines", sa.Column("months", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("income_lines") as batch:
        batch.drop_column("months")
    disable_tenant_rls("concurrent_posts")
    op.drop_table("concurrent_posts")
    disable_tenant_rls("salary_changes")
    op.drop_table("salary_changes")
