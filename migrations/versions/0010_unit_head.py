"""The head of the unit as an explicit setting; the competent higher level's duty (province).

The setting itself lives in ``tenants.settings["unit_head"]`` (JSON, no column): units that have
none resolve their head as the head of the top org unit. This revision adds the province duty
(``province_users.head_reviewer``) and records who at the province assessed or approved a head
(``assessments.by_province_user``, ``period_scores.approved_by_province``,
``annual_classifications.decided_by_province``).

Revision ID: 0010_unit_head
Revises: 0009_sessions_lockout
Create Date: 2026-12-04 04:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_unit_head"
down_revision = "0009_sessions_lockout"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("province_users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("head_reviewer", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("by_province_user", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_assessments_by_province_user_province_users"),
            "province_users",
            ["by_province_user"],
            ["id"],
        )
    with op.batch_alter_table("period_scores", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approved_by_province", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_period_scores_approved_by_province_province_users"),
            "province_users",
            ["approved_by_province"],
            ["id"],
        )
    with op.batch_alter_table("annual_classifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decided_by_province", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_annual_classifications_decided_by_province_province_users"),
            "province_users",
            ["decided_by_province"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("annual_classifications", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("fk_annual_classifications_decided_by_province_province_users"),
            type_="foreignkey",
        )
        batch_op.drop_column("decided_by_province")
    with op.batch_alter_table("period_scores", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("fk_period_scores_approved_by_province_province_users"), type_="foreignkey"
        )
        batch_op.drop_column("approved_by_province")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("fk_assessments_by_province_user_province_users"), type_="foreignkey"
        )
        batch_op.drop_column("by_province_user")
    with op.batch_alter_table("province_users", schema=None) as batch_op:
        batch_op.drop_column("head_reviewer")
