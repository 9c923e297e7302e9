"""Public employees' gaps of issue 17: the comparison's quota population.

``period_aggregates.quota_htxs`` / ``quota_htt``: the HTXS and HTT of the quota population only
(the kinds of person ``Params.quota_staff_types`` names, civil servants by default), from which
``quota_allowed`` is computed, as the unit's own quota does. Existing rows take the old figures
(everyone) until their next refresh rebuilds them.

Revision ID: 0027_vc_authority
Revises: 0024_staff_rule_sets
Create Date: 2026-12-06 06:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0027_vc_authority"
down_revision = "0024_staff_rule_sets"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("period_aggregates") as batch:
        batch.add_column(sa.Column("quota_htxs", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("quota_htt", sa.Integer(), nullable=False, server_default="0"))
    op.execute("UPDATE period_aggregates SET quota_htxs = htxs, quota_htt = htt")


def downgrade():
    with op.batch_alter_table("period_aggregates") as batch:
        batch.drop_column("quota_htt")
        batch.drop_column("quota_htxs")
