"""Exemptions with their proof; delays proposed from the completion and due dates.

``reports`` gains: the exemption the reviewer proposes (``proposed_exempt_errors``,
``proposed_exempt_delays``, ``exemption_evidence_id`` naming one of the report's evidence files,
``exemption_proposed_by``) and its decision (``exemption_status`` proposed / approved / refused,
``exemption_decided_by``, ``exemption_decided_at``). ``exempt_errors`` / ``exempt_delays`` (what
the engine reads) stay 0 until the role the period's parameters name approves.
``proposed_delays`` is what the dates say (completed after the due date); the reviewer confirms
it in ``delays`` or corrects it with ``delay_correction_reason``.

Revision ID: 0018_exemption_proof
Revises: 0017_absences
Create Date: 2026-12-06 01:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_exemption_proof"
down_revision = "0017_absences"
branch_labels = None
depends_on = None

_USER_FKS = ("exemption_proposed_by", "exemption_decided_by")


def upgrade():
    with op.batch_alter_table("reports") as batch:
        batch.add_column(
            sa.Column(
                "proposed_exempt_errors", sa.Integer(), nullable=False, server_default="0"
            )
        )
        batch.add_column(
            sa.Column(
                "proposed_exempt_delays", sa.Integer(), nullable=False, server_default="0"
            )
        )
        batch.add_column(sa.Column("exemption_status", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("exemption_evidence_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("exemption_proposed_by", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("exemption_decided_by", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("exemption_decided_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("proposed_delays", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("delay_correction_reason", sa.String(length=1000), nullable=True)
        )
        for column in _USER_FKS:
            batch.create_foreign_key(
                op.f(f"fk_reports_tenant_id_{column}_users"),
                "users",
                ["tenant_id", column],
                ["tenant_id", "id"],
            )
        batch.create_check_constraint(
            op.f("ck_reports_exemption_status_known"),
            "exemption_status IS NULL OR exemption_status IN ('proposed', 'approved', 'refused')",
        )
        batch.create_check_constraint(
            op.f("ck_reports_proposed_exemption_valid"),
            "proposed_exempt_errors >= 0 AND proposed_exempt_delays >= 0 "
            "AND proposed_exempt_errors <= major_errors AND proposed_exempt_delays <= delays",
        )


def downgrade():
    with op.batch_alter_table("reports") as batch:
        batch.drop_constraint(op.f("ck_reports_proposed_exemption_valid"), type_="check")
        batch.drop_constraint(op.f("ck_reports_exemption_status_known"), type_="check")
        for column in _USER_FKS:
            batch.drop_constraint(op.f(f"fk_reports_tenant_id_{column}_users"), type_="foreignkey")
        for column in (
            "delay_correction_reason",
            "proposed_delays",
            "exemption_decided_at",
            "exemption_decided_by",
            "exemption_proposed_by",
            "exemption_evidence_id",
            "exemption_status",
            "proposed_exempt_delays",
            "proposed_exempt_errors",
        ):
            batch.drop_column(column)
