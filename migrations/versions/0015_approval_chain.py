"""The approval chain a period runs, a deputy stage, and each stage's score kept with the result.

``periods.approval_chain``: the stages (self, manager, deputy, leader) copied from the unit's
configuration when the period opens; periods opened before keep Decree 335's usual three.
``assessments.stage`` also accepts ``deputy`` (cấp phó phụ trách). ``period_scores.stage_results``:
the total and grade each recorded stage's points give, so a later stage never overwrites them.

Revision ID: 0015_approval_chain
Revises: 0014_form_drafts
Create Date: 2026-12-06 00:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_approval_chain"
down_revision = "0014_form_drafts"
branch_labels = None
depends_on = None

DEFAULT_CHAIN = '["self", "manager", "leader"]'


def upgrade():
    with op.batch_alter_table("periods", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "approval_chain",
                sa.JSON(),
                server_default=sa.text(f"'{DEFAULT_CHAIN}'"),
                nullable=False,
            )
        )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_assessments_stage_known"), type_="check")
        batch_op.create_check_constraint(
            "stage_known", "stage IN ('self', 'manager', 'deputy', 'leader')"
        )
    with op.batch_alter_table("period_scores", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stage_results", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("period_scores", schema=None) as batch_op:
        batch_op.drop_column("stage_results")
    op.execute("DELETE FROM assessments WHERE stage = 'deputy'")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_assessments_stage_known"), type_="check")
        batch_op.create_check_constraint("stage_known", "stage IN ('self', 'manager', 'leader')")
    with op.batch_alter_table("periods", schema=None) as batch_op:
        batch_op.drop_column("approval_chain")
