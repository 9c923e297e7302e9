"""Public employees' gaps of issue 17: the comparison's quota population; people not classified.

``period_aggregates.quota_htxs`` / ``quota_htt``: the HTXS and HTT of the quota population only
(the kinds of person ``Params.quota_staff_types`` names, civil servants by default), from which
``quota_allowed`` is computed, as the unit's own quota does. Existing rows take the old figures
(everyone) until their next refresh rebuilds them.

``annual_not_classified`` (tenant table, RLS): a person the rule set does not classify for a
year (Decree 90/2020: under 6 months worked without maternity leave, or no period worked), the
reason and the explanation, shown as "Không xếp loại" beside the classifications.

``transfer_proposals`` (tenant table, RLS): one side of a transfer proposed by the sending
unit's administrator and accepted or refused by the receiving unit's ("out" in the sending unit,
"in" in the receiving one, the same ``proposal_id``).

Revision ID: 0027_vc_authority
Revises: 0026_retention
Create Date: 2026-12-06 06:30:00
"""

import sqlalchemy as sa
from alembic import op

from tenant_app.tenancy.migration_ops import disable_tenant_rls, enable_tenant_rls

revision = "0027_vc_authority"
down_revision = "0026_retention"
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
    op.create_table(
        "transfer_proposals",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("proposal_id", sa.Uuid(), nullable=False),
        sa.Column("side", sa.String(length=3), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=True),
        sa.Column("staff_code", sa.String(length=32), nullable=False),
        sa.Column("full_name", sa.String(length=120), nullable=False),
        sa.Column("staff_type", sa.String(length=16), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("other_unit_name", sa.String(length=200), nullable=False),
        sa.Column("other_unit_slug", sa.String(length=64), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("refusal_reason", sa.String(length=1000), nullable=True),
        sa.Column("proposed_by", sa.String(length=120), nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("transfer_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("side IN ('in', 'out')", name=op.f("ck_transfer_proposals_side_known")),
        sa.CheckConstraint(
            "status IN ('proposed', 'accepted', 'refused')",
            name=op.f("ck_transfer_proposals_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_transfer_proposals_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_transfer_proposals")),
        sa.UniqueConstraint(
            "tenant_id", "proposal_id", name=op.f("uq_transfer_proposals_tenant_id_proposal_id")
        ),
    )
    enable_tenant_rls("transfer_proposals")


def downgrade():
    disable_tenant_rls("transfer_proposals")
    op.drop_table("transfer_proposals")
    disable_tenant_rls("annual_not_classified")
    op.drop_table("annual_not_classified")
    with op.batch_alter_table("period_aggregates") as batch:
        batch.drop_column("quota_htt")
        batch.drop_column("quota_htxs")
