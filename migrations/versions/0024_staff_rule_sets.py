"""A rule set per kind of person, frozen in each period.

``periods.rule_sets`` (JSON, nullable): ``{staff_type: rule set code}`` resolved from the
configuration (``Params.staff_rule_sets`` and ``vc_2026_effective_from``) when the period
opened. Null for the periods opened before: everyone in them keeps ``periods.rule_set``, so no
closed period changes.

Revision ID: 0024_staff_rule_sets
Revises: 0023_unit_ratings
Create Date: 2026-12-06 03:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0024_staff_rule_sets"
down_revision = "0023_unit_ratings"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("periods") as batch:
        batch.add_column(sa.Column("rule_sets", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("periods") as batch:
        batch.drop_column("rule_sets")
