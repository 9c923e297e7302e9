"""Configuration templates and rollouts: templates, versions, rollouts and their targets
(province-wide), and the tenant's applied configurations (tenant table, RLS).

Revision ID: 0006_rollout
Revises: 0005_audit_guards
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from tenant_app.tenancy.migration_ops import (
    disable_tenant_rls,
    enable_tenant_rls,
    grant_province_table,
)

revision = '0006_rollout'
down_revision = '0005_audit_guards'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('config_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_config_templates')),
    sa.UniqueConstraint('code', name=op.f('uq_config_templates_code'))
    )
    op.create_table('template_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('published_by', sa.String(length=64), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'published')", name=op.f('ck_template_versions_status_known')),
    sa.ForeignKeyConstraint(['template_id'], ['config_templates.id'], name=op.f('fk_template_versions_template_id_config_templates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_template_versions')),
    sa.UniqueConstraint('template_id', 'number', name=op.f('uq_template_versions_template_id_number'))
    )
    op.create_table('rollouts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('dry_run', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('selector', sa.JSON(), nullable=False),
    sa.Column('effective', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("effective IN ('next_period', 'immediately')", name=op.f('ck_rollouts_effective_known')),
    sa.CheckConstraint("status IN ('planned', 'running', 'finished', 'cancelled')", name=op.f('ck_rollouts_status_known')),
    sa.ForeignKeyConstraint(['version_id'], ['template_versions.id'], name=op.f('fk_rollouts_version_id_template_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rollouts'))
    )
    op.create_table('rollout_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rollout_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('wave', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('diff', sa.JSON(), nullable=False),
    sa.Column('conflicts', sa.JSON(), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'running', 'applied', 'skipped', 'failed')", name=op.f('ck_rollout_targets_status_known')),
    sa.ForeignKeyConstraint(['rollout_id'], ['rollouts.id'], name=op.f('fk_rollout_targets_rollout_id_rollouts')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_rollout_targets_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rollout_targets')),
    sa.UniqueConstraint('rollout_id', 'tenant_id', name=op.f('uq_rollout_targets_rollout_id_tenant_id'))
    )
    op.create_table('tenant_configs',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('previous_id', sa.Uuid(), nullable=True),
    sa.Column('base_payload', sa.JSON(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('rollout_id', sa.Integer(), nullable=True),
    sa.Column('applied_by', sa.String(length=64), nullable=True),
    sa.Column('applied_at', sa.DateTime(), nullable=False),
    sa.Column('rolled_back', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['rollout_id'], ['rollouts.id'], name=op.f('fk_tenant_configs_rollout_id_rollouts')),
    sa.ForeignKeyConstraint(['tenant_id', 'previous_id'], ['tenant_configs.tenant_id', 'tenant_configs.id'], name=op.f('fk_tenant_configs_tenant_id_previous_id_tenant_configs')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_tenant_configs_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['version_id'], ['template_versions.id'], name=op.f('fk_tenant_configs_version_id_template_versions')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_tenant_configs'))
    )
    with op.batch_alter_table('tenant_configs', schema=None) as batch_op:
        batch_op.create_index('ix_tenant_configs_tenant_applied', ['tenant_id', 'applied_at'], unique=False)

    for table in ("config_templates", "template_versions", "rollouts", "rollout_targets"):
        grant_province_table(table, sequence=f"{table}_id_seq")
    enable_tenant_rls("tenant_configs")


def downgrade():
    disable_tenant_rls("tenant_configs")
    with op.batch_alter_table('tenant_configs', schema=None) as batch_op:
        batch_op.drop_index('ix_tenant_configs_tenant_applied')

    op.drop_table('tenant_configs')
    op.drop_table('rollout_targets')
    op.drop_table('rollouts')
    op.drop_table('template_versions')
    op.drop_table('config_templates')
