"""Unit workspace: org chart with revisions, job positions, staff with post history, KPI catalogue.

Revision ID: 0003_workspace
Revises: 0002_jobs
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from tenant_app.tenancy.migration_ops import disable_tenant_rls, enable_tenant_rls

TABLES = (
    "job_positions",
    "staff",
    "org_units",
    "catalogue_items",
    "org_unit_revisions",
    "staff_assignments",
    "catalogue_versions",
    "item_positions",
)

revision = '0003_workspace'
down_revision = '0002_jobs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_positions',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position_group', sa.String(length=24), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("position_group in ('leader_head', 'leader_deputy', 'professional_sector', 'professional_common', 'support')", name=op.f('ck_job_positions_position_group_known')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_job_positions_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_job_positions')),
    sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_job_positions_tenant_id_code'))
    )
    op.create_table('staff',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.Column('staff_type', sa.String(length=16), nullable=False),
    sa.Column('manager_id', sa.Uuid(), nullable=True),
    sa.Column('quota_group', sa.String(length=64), nullable=True),
    sa.Column('rank_code', sa.String(length=16), nullable=True),
    sa.Column('monthly_salary', sa.Numeric(precision=14, scale=0), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("staff_type in ('can_bo', 'cong_chuc', 'vien_chuc', 'hop_dong')", name=op.f('ck_staff_staff_type_known')),
    sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name=op.f('ck_staff_dates_ordered')),
    sa.CheckConstraint('monthly_salary >= 0', name=op.f('ck_staff_salary_not_negative')),
    sa.ForeignKeyConstraint(['tenant_id', 'manager_id'], ['staff.tenant_id', 'staff.id'], name=op.f('fk_staff_tenant_id_manager_id_staff')),
    sa.ForeignKeyConstraint(['tenant_id', 'user_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_staff_tenant_id_user_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_staff_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_staff')),
    sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_staff_tenant_id_code')),
    sa.UniqueConstraint('tenant_id', 'user_id', name=op.f('uq_staff_tenant_id_user_id'))
    )
    op.create_table('org_units',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('parent_id', sa.Uuid(), nullable=True),
    sa.Column('head_staff_id', sa.Uuid(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind in ('committee', 'body', 'party', 'mass_org', 'service_unit')", name=op.f('ck_org_units_kind_known')),
    sa.ForeignKeyConstraint(['tenant_id', 'head_staff_id'], ['staff.tenant_id', 'staff.id'], name=op.f('fk_org_units_tenant_id_head_staff_id_staff')),
    sa.ForeignKeyConstraint(['tenant_id', 'parent_id'], ['org_units.tenant_id', 'org_units.id'], name=op.f('fk_org_units_tenant_id_parent_id_org_units')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_org_units_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_org_units')),
    sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_org_units_tenant_id_code'))
    )
    op.create_table('catalogue_items',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit_of_measure', sa.String(length=50), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('evidence_requirement', sa.String(length=500), nullable=True),
    sa.Column('org_unit_id', sa.Uuid(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('canonical_code', sa.String(length=32), nullable=True),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('mandatory', sa.Boolean(), nullable=False),
    sa.Column('direction', sa.String(length=16), nullable=True),
    sa.Column('scoring_method', sa.String(length=16), nullable=True),
    sa.Column('aggregation', sa.String(length=16), nullable=True),
    sa.Column('allowed_min', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('allowed_max', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(kind = 'work_item' AND direction IS NULL AND scoring_method IS NULL AND aggregation IS NULL) OR (kind = 'indicator' AND direction in ('higher', 'lower', 'band', 'yes_no') AND scoring_method in ('ratio_capped', 'bands', 'pass_fail') AND aggregation in ('sum', 'average', 'last', 'count'))", name=op.f('ck_catalogue_items_indicator_fields')),
    sa.CheckConstraint("kind in ('work_item', 'indicator')", name=op.f('ck_catalogue_items_kind_known')),
    sa.CheckConstraint("origin in ('template', 'local')", name=op.f('ck_catalogue_items_origin_known')),
    sa.ForeignKeyConstraint(['tenant_id', 'org_unit_id'], ['org_units.tenant_id', 'org_units.id'], name=op.f('fk_catalogue_items_tenant_id_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_catalogue_items_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_catalogue_items')),
    sa.UniqueConstraint('tenant_id', 'canonical_code', name=op.f('uq_catalogue_items_tenant_id_canonical_code')),
    sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_catalogue_items_tenant_id_code'))
    )
    op.create_table('org_unit_revisions',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('org_unit_id', sa.Uuid(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('parent_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'org_unit_id'], ['org_units.tenant_id', 'org_units.id'], name=op.f('fk_org_unit_revisions_tenant_id_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['tenant_id', 'parent_id'], ['org_units.tenant_id', 'org_units.id'], name=op.f('fk_org_unit_revisions_tenant_id_parent_id_org_units')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_org_unit_revisions_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_org_unit_revisions')),
    sa.UniqueConstraint('tenant_id', 'org_unit_id', 'effective_from', name=op.f('uq_org_unit_revisions_tenant_id_org_unit_id_effective_from'))
    )
    op.create_table('staff_assignments',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=False),
    sa.Column('org_unit_id', sa.Uuid(), nullable=False),
    sa.Column('position_id', sa.Uuid(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('effective_to', sa.Date(), nullable=True),
    sa.Column('decision_ref', sa.String(length=100), nullable=True),
    sa.CheckConstraint('effective_to IS NULL OR effective_to > effective_from', name=op.f('ck_staff_assignments_dates_ordered')),
    sa.ForeignKeyConstraint(['tenant_id', 'org_unit_id'], ['org_units.tenant_id', 'org_units.id'], name=op.f('fk_staff_assignments_tenant_id_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['tenant_id', 'position_id'], ['job_positions.tenant_id', 'job_positions.id'], name=op.f('fk_staff_assignments_tenant_id_position_id_job_positions')),
    sa.ForeignKeyConstraint(['tenant_id', 'staff_id'], ['staff.tenant_id', 'staff.id'], name=op.f('fk_staff_assignments_tenant_id_staff_id_staff')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_staff_assignments_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_staff_assignments')),
    sa.UniqueConstraint('tenant_id', 'staff_id', 'effective_from', name=op.f('uq_staff_assignments_tenant_id_staff_id_effective_from'))
    )
    op.create_table('catalogue_versions',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('item_id', sa.Uuid(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('coefficient', sa.Numeric(precision=8, scale=3), nullable=True),
    sa.Column('target', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('band_low', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('band_high', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('cap_percent', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('weight', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('bands', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('coefficient > 0', name=op.f('ck_catalogue_versions_coefficient_positive')),
    sa.ForeignKeyConstraint(['tenant_id', 'item_id'], ['catalogue_items.tenant_id', 'catalogue_items.id'], name=op.f('fk_catalogue_versions_tenant_id_item_id_catalogue_items')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_catalogue_versions_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_catalogue_versions')),
    sa.UniqueConstraint('tenant_id', 'item_id', 'effective_from', name=op.f('uq_catalogue_versions_tenant_id_item_id_effective_from'))
    )
    op.create_table('item_positions',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('item_id', sa.Uuid(), nullable=False),
    sa.Column('position_id', sa.Uuid(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'item_id'], ['catalogue_items.tenant_id', 'catalogue_items.id'], name=op.f('fk_item_positions_tenant_id_item_id_catalogue_items')),
    sa.ForeignKeyConstraint(['tenant_id', 'position_id'], ['job_positions.tenant_id', 'job_positions.id'], name=op.f('fk_item_positions_tenant_id_position_id_job_positions')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_item_positions_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_item_positions')),
    sa.UniqueConstraint('tenant_id', 'item_id', 'position_id', name=op.f('uq_item_positions_tenant_id_item_id_position_id'))
    )
    for table in TABLES:
        enable_tenant_rls(table)


def downgrade():
    for table in reversed(TABLES):
        disable_tenant_rls(table)
    op.drop_table('item_positions')
    op.drop_table('catalogue_versions')
    op.drop_table('staff_assignments')
    op.drop_table('org_unit_revisions')
    op.drop_table('catalogue_items')
    op.drop_table('org_units')
    op.drop_table('staff')
    op.drop_table('job_positions')
