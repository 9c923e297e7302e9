"""Foundation: tenants, province and tenant accounts, API tokens, audit events; RLS on tenant tables.

Revision ID: 0001_foundation
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from tenant_app.tenancy.migration_ops import (
    disable_tenant_rls,
    enable_tenant_rls,
    grant_province_table,
)

revision = '0001_foundation'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('province_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('job_title', sa.String(length=160), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('session_epoch', sa.Integer(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("role in ('province_admin', 'auditor')", name=op.f('ck_province_users_role_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_province_users')),
    sa.UniqueConstraint('username', name=op.f('uq_province_users_username'))
    )
    op.create_table('tenants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind in ('phuong', 'xa', 'dac_khu', 'so', 'agency')", name=op.f('ck_tenants_kind_known')),
    sa.CheckConstraint("status in ('onboarding', 'pilot', 'active', 'suspended', 'archived')", name=op.f('ck_tenants_status_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tenants')),
    sa.UniqueConstraint('slug', name=op.f('uq_tenants_slug'))
    )
    op.create_table('audit_events',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('actor_type', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.String(length=64), nullable=True),
    sa.Column('actor_name', sa.String(length=120), nullable=True),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=64), nullable=True),
    sa.Column('object_id', sa.String(length=64), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_audit_events_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_audit_events')),
    sa.UniqueConstraint('tenant_id', 'seq', name=op.f('uq_audit_events_tenant_id_seq'))
    )
    op.create_table('province_api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('province_user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['province_user_id'], ['province_users.id'], name=op.f('fk_province_api_tokens_province_user_id_province_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_province_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_province_api_tokens_token_hash'))
    )
    op.create_table('province_audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_tenant_id', sa.Integer(), nullable=True),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('actor_type', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.String(length=64), nullable=True),
    sa.Column('actor_name', sa.String(length=120), nullable=True),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=64), nullable=True),
    sa.Column('object_id', sa.String(length=64), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['subject_tenant_id'], ['tenants.id'], name=op.f('fk_province_audit_events_subject_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_province_audit_events')),
    sa.UniqueConstraint('seq', name=op.f('uq_province_audit_events_seq'))
    )
    op.create_table('users',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('job_title', sa.String(length=160), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('session_epoch', sa.Integer(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_users_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_users')),
    sa.UniqueConstraint('tenant_id', 'username', name=op.f('uq_users_tenant_id_username'))
    )
    op.create_table('api_tokens',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'user_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_api_tokens_tenant_id_user_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_api_tokens_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('tenant_id', 'token_hash', name=op.f('uq_api_tokens_tenant_id_token_hash'))
    )
    grant_province_table("alembic_version", rights="SELECT")
    grant_province_table("tenants", sequence="tenants_id_seq")
    grant_province_table("province_users", sequence="province_users_id_seq")
    grant_province_table("province_api_tokens", sequence="province_api_tokens_id_seq")
    # Audit events are append-only for the app: no UPDATE or DELETE right.
    grant_province_table("province_audit_events", rights="SELECT, INSERT",
                         sequence="province_audit_events_id_seq")
    enable_tenant_rls("users")
    enable_tenant_rls("api_tokens")
    enable_tenant_rls("audit_events", append_only=True)


def downgrade():
    for table in ("audit_events", "api_tokens", "users"):
        disable_tenant_rls(table)
    op.drop_table('api_tokens')
    op.drop_table('users')
    op.drop_table('province_audit_events')
    op.drop_table('province_api_tokens')
    op.drop_table('audit_events')
    op.drop_table('tenants')
    op.drop_table('province_users')
