"""Province comparison: precomputed per-unit and per-item figures (tenant tables, RLS), province
exports built in the background, and the counters the warning signs need (reports returned,
scores revised after publication, auditors granted unpublished results).

Revision ID: 0007_comparison
Revises: 0006_rollout
Create Date: 2026-11-27 20:30:36.708162
"""

import sqlalchemy as sa
from alembic import op

from tenant_app.tenancy.migration_ops import (
    disable_tenant_rls,
    enable_tenant_rls,
    grant_province_table,
)

revision = '0007_comparison'
down_revision = '0006_rollout'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('item_aggregates',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('canonical_code', sa.String(length=32), nullable=False),
    sa.Column('item_name', sa.String(length=200), nullable=False),
    sa.Column('unit_of_measure', sa.String(length=50), nullable=False),
    sa.Column('assignments', sa.Integer(), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('assigned_qty', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('completed_qty', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('assigned_units', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('a_credit', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('b_credit', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('c_credit', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.Column('delays', sa.Integer(), nullable=False),
    sa.Column('exempted', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('scope_kind', sa.String(length=8), nullable=False),
    sa.Column('visibility', sa.String(length=12), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("scope_kind IN ('month', 'quarter', 'year')", name=op.f('ck_item_aggregates_scope_kind_known')),
    sa.CheckConstraint("visibility IN ('published', 'all')", name=op.f('ck_item_aggregates_visibility_known')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_item_aggregates_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_item_aggregates')),
    sa.UniqueConstraint('tenant_id', 'scope', 'visibility', 'canonical_code', name=op.f('uq_item_aggregates_tenant_id_scope_visibility_canonical_code'))
    )
    with op.batch_alter_table('item_aggregates', schema=None) as batch_op:
        batch_op.create_index('ix_item_aggregates_scope_code', ['scope', 'visibility', 'canonical_code', 'tenant_id'], unique=False)

    op.create_table('period_aggregates',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('periods', sa.JSON(), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('htxs', sa.Integer(), nullable=False),
    sa.Column('htt', sa.Integer(), nullable=False),
    sa.Column('htnv', sa.Integer(), nullable=False),
    sa.Column('khtnv', sa.Integer(), nullable=False),
    sa.Column('forced_fails', sa.Integer(), nullable=False),
    sa.Column('total_sum', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('total_sq_sum', sa.Numeric(precision=24, scale=6), nullable=False),
    sa.Column('total_min', sa.Numeric(precision=12, scale=6), nullable=True),
    sa.Column('total_max', sa.Numeric(precision=12, scale=6), nullable=True),
    sa.Column('distinct_totals', sa.Integer(), nullable=False),
    sa.Column('quota_allowed', sa.Integer(), nullable=False),
    sa.Column('quota_groups', sa.JSON(), nullable=False),
    sa.Column('reports', sa.Integer(), nullable=False),
    sa.Column('reports_late', sa.Integer(), nullable=False),
    sa.Column('reports_returned', sa.Integer(), nullable=False),
    sa.Column('submissions', sa.Integer(), nullable=False),
    sa.Column('deadline_submissions', sa.Integer(), nullable=False),
    sa.Column('self_compared', sa.Integer(), nullable=False),
    sa.Column('self_gap_sum', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('self_gap_abs_sum', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('self_equal', sa.Integer(), nullable=False),
    sa.Column('exemptions', sa.Integer(), nullable=False),
    sa.Column('exemptions_top_reviewer', sa.String(length=120), nullable=True),
    sa.Column('exemptions_top_count', sa.Integer(), nullable=False),
    sa.Column('exemptions_top_reviewed', sa.Integer(), nullable=False),
    sa.Column('changed_after_publication', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('scope_kind', sa.String(length=8), nullable=False),
    sa.Column('visibility', sa.String(length=12), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("scope_kind IN ('month', 'quarter', 'year')", name=op.f('ck_period_aggregates_scope_kind_known')),
    sa.CheckConstraint("visibility IN ('published', 'all')", name=op.f('ck_period_aggregates_visibility_known')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_period_aggregates_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_period_aggregates')),
    sa.UniqueConstraint('tenant_id', 'scope', 'visibility', name=op.f('uq_period_aggregates_tenant_id_scope_visibility'))
    )
    with op.batch_alter_table('period_aggregates', schema=None) as batch_op:
        batch_op.create_index('ix_period_aggregates_scope_visibility', ['scope', 'visibility', 'tenant_id'], unique=False)

    op.create_table('province_exports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requested_by', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('file_format', sa.String(length=8), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('progress_done', sa.Integer(), nullable=False),
    sa.Column('progress_total', sa.Integer(), nullable=True),
    sa.Column('message', sa.String(length=500), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=True),
    sa.Column('storage_key', sa.String(length=255), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("file_format IN ('xlsx', 'csv')", name=op.f('ck_province_exports_format_known')),
    sa.CheckConstraint("status IN ('queued', 'running', 'succeeded', 'failed')", name=op.f('ck_province_exports_status_known')),
    sa.ForeignKeyConstraint(['requested_by'], ['province_users.id'], name=op.f('fk_province_exports_requested_by_province_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_province_exports'))
    )
    with op.batch_alter_table('province_exports', schema=None) as batch_op:
        batch_op.create_index('ix_province_exports_requested_by_created_at', ['requested_by', 'created_at'], unique=False)

    with op.batch_alter_table('period_scores', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revisions_after_publication', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('province_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sees_unpublished', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('returned_count', sa.Integer(), server_default='0', nullable=False))

    enable_tenant_rls("period_aggregates")
    enable_tenant_rls("item_aggregates")
    grant_province_table("province_exports", sequence="province_exports_id_seq")


def downgrade():
    disable_tenant_rls("item_aggregates")
    disable_tenant_rls("period_aggregates")
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_column('returned_count')

    with op.batch_alter_table('province_users', schema=None) as batch_op:
        batch_op.drop_column('sees_unpublished')

    with op.batch_alter_table('period_scores', schema=None) as batch_op:
        batch_op.drop_column('revisions_after_publication')

    with op.batch_alter_table('province_exports', schema=None) as batch_op:
        batch_op.drop_index('ix_province_exports_requested_by_created_at')

    op.drop_table('province_exports')
    with op.batch_alter_table('period_aggregates', schema=None) as batch_op:
        batch_op.drop_index('ix_period_aggregates_scope_visibility')

    op.drop_table('period_aggregates')
    with op.batch_alter_table('item_aggregates', schema=None) as batch_op:
        batch_op.drop_index('ix_item_aggregates_scope_code')

    op.drop_table('item_aggregates')
