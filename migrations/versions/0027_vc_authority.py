"""Public employees' gaps of issue 17: the comparison's quota population; people not classified.

``period_aggregates.quota_htxs`` / ``quota_htt``: the HTXS and HTT of the quota population only
(the kinds of person ``Params.quota_staff_types`` names, civil servants by default), from which
``quota_allowed`` is computed, as the unit's own quota does. Existing rows take the old figures
(everyone) until their next refresh rebuilds them.

``annual_not_classified`` (tenant table, RLS): a person the rule set does not classify for a
year (Decree 90/2020: under 6 months worked without maternity leave, or no period worked), the
reason and the explanation, shown as "Không xếp loại" beside the classifications.

Revision ID: 0027_vc_authority
Revises: 0024_staff_rule_sets
Create Date: 2026-12-06 06:30:00
"""

import sqlalchemy as sa
from alembic import op

from tenant_app.tenancy.migration_ops import disable_tenant_rls, enable_tenant_rls

revision = "0027_vc_authority"
down_revision = "0024_staff_rule_sets"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("period_aggregates") as batch:
        batch.add_column(sa.Column("quota_htxs", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("quota_htt", sa.Integer(), nullable=False, server_default="0"))
    op.execute("UPDATE period_aggregates SET quota_htxs = htxs, quota_htt = htt")
    op.create_table(
        "annual_not_classified",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "reason IN ('under_min_months', 'no_period_worked')",
            name=op.f("ck_annual_not_classified_reason_known"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "staff_id"],
            ["staff.tenant_id", "staff.id"],
            name=op.f("fk_annual_not_classified_tenant_id_staff_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_annual_not_classified_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_annual_not_classified")),
        sa.UniqueConstraint(
            "tenant_id",
            "year",
            "staff_id",
            name=op.f("uq_annual_not_classified_tenant_id_year_staff_id"),
        ),
    )
    enable_tenant_rls("annual_not_classified")


def downgrade():
    disable_tenant_rls("annual_not_classified")
    op.drop_table("annual_not_classified")
    with op.batch_alter_table("period_aggregates") as batch:
        batch.drop_column("quota_htt")
        batch.drop_column("quota_htxs")
