"""Evaluation: periods, assignments, reports and evidence, assessments, discipline, scores,
annual classifications, income runs and notifications; RLS on every table.

Revision ID: 0004_evaluation
Revises: 0003_workspace
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from tenant_app.tenancy.migration_ops import disable_tenant_rls, enable_tenant_rls

TABLES = (
    "periods", "assignments", "reports", "evidence_files", "assessments",
    "discipline_records", "period_scores", "notifications", "annual_classifications",
    "income_runs", "income_lines",
)  # fmt: skip

revision = '0004_evaluation'
down_revision = '0003_workspace'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('periods',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('report_until', sa.Date(), nullable=False),
    sa.Column('self_assessment_until', sa.Date(), nullable=False),
    sa.Column('review_until', sa.Date(), nullable=False),
    sa.Column('approval_until', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('rule_set', sa.String(length=32), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('opened_by', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('month', 'quarter')", name=op.f('ck_periods_kind_known')),
    sa.CheckConstraint("status IN ('open', 'closed', 'locked')", name=op.f('ck_periods_status_known')),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_periods_dates_ordered')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_periods_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_periods')),
    sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_periods_tenant_id_code')),
    sa.UniqueConstraint('tenant_id', 'kind', 'year', 'number', name=op.f('uq_periods_tenant_id_kind_year_number'))
    )
    op.create_table('income_runs',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('period_id', sa.Uuid(), nullable=False),
    sa.Column('scheme', sa.String(length=32), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('total', sa.Numeric(precision=16, scale=0), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'approved')", name=op.f('ck_income_runs_status_known')),
    sa.ForeignKeyConstraint(['tenant_id', 'created_by'], ['users.tenant_id', 'users.id'], name=op.f('fk_income_runs_tenant_id_created_by_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'period_id'], ['periods.tenant_id', 'periods.id'], name=op.f('fk_income_runs_tenant_id_period_id_periods')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_income_runs_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_income_runs')),
    sa.UniqueConstraint('tenant_id', 'period_id', name=op.f('uq_income_runs_tenant_id_period_id'))
    )
    op.create_table('notifications',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=True),
    sa.Column('dedupe_key', sa.String(length=120), nullable=True),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'user_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_notifications_tenant_id_user_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_notifications_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('tenant_id', 'user_id', 'dedupe_key', name=op.f('uq_notifications_tenant_id_user_id_dedupe_key'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_tenant_user_read', ['tenant_id', 'user_id', 'read_at'], unique=False)

    op.create_table('annual_classifications',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=False),
    sa.Column('average', sa.Numeric(precision=12, scale=6), nullable=False),
    sa.Column('periods_counted', sa.Integer(), nullable=False),
    sa.Column('proposed_grade', sa.String(length=8), nullable=False),
    sa.Column('final_grade', sa.String(length=8), nullable=False),
    sa.Column('forced_fail', sa.String(length=32), nullable=True),
    sa.Column('decision_reason', sa.String(length=1000), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('decided_by', sa.Uuid(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('explanation', sa.JSON(), nullable=False),
    sa.CheckConstraint("status IN ('proposed', 'approved', 'published')", name=op.f('ck_annual_classifications_status_known')),
    sa.ForeignKeyConstraint(['tenant_id', 'decided_by'], ['users.tenant_id', 'users.id'], name=op.f('fk_annual_classifications_tenant_id_decided_by_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'staff_id'], ['staff.tenant_id', 'staff.id'], name=op.f('fk_annual_classifications_tenant_id_staff_id_staff')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_annual_classifications_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_annual_classifications')),
    sa.UniqueConstraint('tenant_id', 'year', 'staff_id', name=op.f('uq_annual_classifications_tenant_id_year_staff_id'))
    )
    op.create_table('assessments',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('period_id', sa.Uuid(), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=False),
    sa.Column('stage', sa.String(length=8), nullable=False),
    sa.Column('general', sa.JSON(), nullable=False),
    sa.Column('organising', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('comment', sa.String(length=1000), nullable=True),
    sa.Column('by_user', sa.Uuid(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("stage IN ('self', 'manager', 'leader')", name=op.f('ck_assessments_stage_known')),
    sa.ForeignKeyConstraint(['tenant_id', 'by_user'], ['users.tenant_id', 'users.id'], name=op.f('fk_assessments_tenant_id_by_user_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'period_id'], ['periods.tenant_id', 'periods.id'], name=op.f('fk_assessments_tenant_id_period_id_periods')),
    sa.ForeignKeyConstraint(['tenant_id', 'staff_id'], ['staff.tenant_id', 'staff.id'], name=op.f('fk_assessments_tenant_id_staff_id_staff')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_assessments_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_assessments')),
    sa.UniqueConstraint('tenant_id', 'period_id', 'staff_id', 'stage', name=op.f('uq_assessments_tenant_id_period_id_staff_id_stage'))
    )
    op.create_table('discipline_records',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=False),
    sa.Column('decision_number', sa.String(length=64), nullable=False),
    sa.Column('decision_date', sa.Date(), nullable=False),
    sa.Column('authority', sa.String(length=200), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("severity IN ('khien_trach', 'canh_cao', 'ha_bac_luong', 'giang_chuc', 'cach_chuc', 'buoc_thoi_viec')", name=op.f('ck_discipline_records_severity_known')),
    sa.ForeignKeyConstraint(['tenant_id', 'staff_id'], ['staff.tenant_id', 'staff.id'], name=op.f('fk_discipline_records_tenant_id_staff_id_staff')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_discipline_records_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_discipline_records')),
    sa.UniqueConstraint('tenant_id', 'decision_number', name=op.f('uq_discipline_records_tenant_id_decision_number'))
    )
    op.create_table('income_lines',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('run_id', sa.Uuid(), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=False),
    sa.Column('grade', sa.String(length=8), nullable=False),
    sa.Column('salary', sa.Numeric(precision=14, scale=0), nullable=True),
    sa.Column('amount', sa.Numeric(precision=14, scale=0), nullable=False),
    sa.Column('explanation', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'run_id'], ['income_runs.tenant_id', 'income_runs.id'], name=op.f('fk_income_lines_tenant_id_run_id_income_runs')),
    sa.ForeignKeyConstraint(['tenant_id', 'staff_id'], ['staff.tenant_id', 'staff.id'], name=op.f('fk_income_lines_tenant_id_staff_id_staff')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_income_lines_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_income_lines')),
    sa.UniqueConstraint('tenant_id', 'run_id', 'staff_id', name=op.f('uq_income_lines_tenant_id_run_id_staff_id'))
    )
    op.create_table('period_scores',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('period_id', sa.Uuid(), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=False),
    sa.Column('a', sa.Numeric(precision=12, scale=6), nullable=False),
    sa.Column('b', sa.Numeric(precision=12, scale=6), nullable=False),
    sa.Column('c', sa.Numeric(precision=12, scale=6), nullable=False),
    sa.Column('task_score', sa.Numeric(precision=12, scale=6), nullable=False),
    sa.Column('task_points', sa.Numeric(precision=12, scale=6), nullable=False),
    sa.Column('general_points', sa.Numeric(precision=12, scale=6), nullable=False),
    sa.Column('total', sa.Numeric(precision=12, scale=6), nullable=False),
    sa.Column('grade', sa.String(length=8), nullable=False),
    sa.Column('self_total', sa.Numeric(precision=12, scale=6), nullable=True),
    sa.Column('forced_fail', sa.String(length=32), nullable=True),
    sa.Column('stage', sa.String(length=8), nullable=False),
    sa.Column('explanation', sa.JSON(), nullable=False),
    sa.Column('rule_set', sa.String(length=32), nullable=False),
    sa.Column('inputs_digest', sa.String(length=64), nullable=False),
    sa.Column('approved_by', sa.Uuid(), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("grade IN ('HTXS', 'HTT', 'HTNV', 'KHTNV')", name=op.f('ck_period_scores_grade_known')),
    sa.ForeignKeyConstraint(['tenant_id', 'approved_by'], ['users.tenant_id', 'users.id'], name=op.f('fk_period_scores_tenant_id_approved_by_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'period_id'], ['periods.tenant_id', 'periods.id'], name=op.f('fk_period_scores_tenant_id_period_id_periods')),
    sa.ForeignKeyConstraint(['tenant_id', 'staff_id'], ['staff.tenant_id', 'staff.id'], name=op.f('fk_period_scores_tenant_id_staff_id_staff')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_period_scores_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_period_scores')),
    sa.UniqueConstraint('tenant_id', 'period_id', 'staff_id', name=op.f('uq_period_scores_tenant_id_period_id_staff_id'))
    )
    op.create_table('assignments',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('period_id', sa.Uuid(), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=False),
    sa.Column('item_id', sa.Uuid(), nullable=False),
    sa.Column('version_id', sa.Uuid(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('coefficient', sa.Numeric(precision=8, scale=3), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('directing', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('assigned_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('coefficient > 0', name=op.f('ck_assignments_coefficient_positive')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_assignments_quantity_positive')),
    sa.ForeignKeyConstraint(['tenant_id', 'assigned_by'], ['users.tenant_id', 'users.id'], name=op.f('fk_assignments_tenant_id_assigned_by_users')),
    sa.ForeignKeyConstraint(['tenant_id', 'item_id'], ['catalogue_items.tenant_id', 'catalogue_items.id'], name=op.f('fk_assignments_tenant_id_item_id_catalogue_items')),
    sa.ForeignKeyConstraint(['tenant_id', 'period_id'], ['periods.tenant_id', 'periods.id'], name=op.f('fk_assignments_tenant_id_period_id_periods')),
    sa.ForeignKeyConstraint(['tenant_id', 'staff_id'], ['staff.tenant_id', 'staff.id'], name=op.f('fk_assignments_tenant_id_staff_id_staff')),
    sa.ForeignKeyConstraint(['tenant_id', 'version_id'], ['catalogue_versions.tenant_id', 'catalogue_versions.id'], name=op.f('fk_assignments_tenant_id_version_id_catalogue_versions')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_assignments_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_assignments'))
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index('ix_assignments_tenant_period_staff', ['tenant_id', 'period_id', 'staff_id'], unique=False)

    op.create_table('reports',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('assignment_id', sa.Uuid(), nullable=False),
    sa.Column('completed', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=True),
    sa.Column('links', sa.JSON(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('major_errors', sa.Integer(), nullable=False),
    sa.Column('delays', sa.Integer(), nullable=False),
    sa.Column('exempt_errors', sa.Integer(), nullable=False),
    sa.Column('exempt_delays', sa.Integer(), nullable=False),
    sa.Column('exemption_reason', sa.String(length=1000), nullable=True),
    sa.Column('review_comment', sa.String(length=1000), nullable=True),
    sa.Column('reviewed_by', sa.Uuid(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'accepted', 'returned')", name=op.f('ck_reports_status_known')),
    sa.CheckConstraint('completed >= 0', name=op.f('ck_reports_completed_not_negative')),
    sa.CheckConstraint('major_errors >= 0 AND delays >= 0 AND exempt_errors >= 0 AND exempt_delays >= 0 AND exempt_errors <= major_errors AND exempt_delays <= delays', name=op.f('ck_reports_review_counts_valid')),
    sa.ForeignKeyConstraint(['tenant_id', 'assignment_id'], ['assignments.tenant_id', 'assignments.id'], name=op.f('fk_reports_tenant_id_assignment_id_assignments')),
    sa.ForeignKeyConstraint(['tenant_id', 'reviewed_by'], ['users.tenant_id', 'users.id'], name=op.f('fk_reports_tenant_id_reviewed_by_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_reports_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_reports')),
    sa.UniqueConstraint('tenant_id', 'assignment_id', name=op.f('uq_reports_tenant_id_assignment_id'))
    )
    op.create_table('evidence_files',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('report_id', sa.Uuid(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=255), nullable=False),
    sa.Column('uploaded_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'report_id'], ['reports.tenant_id', 'reports.id'], name=op.f('fk_evidence_files_tenant_id_report_id_reports')),
    sa.ForeignKeyConstraint(['tenant_id', 'uploaded_by'], ['users.tenant_id', 'users.id'], name=op.f('fk_evidence_files_tenant_id_uploaded_by_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_evidence_files_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_evidence_files'))
    )
    for table in TABLES:
        enable_tenant_rls(table)


def downgrade():
    for table in TABLES:
        disable_tenant_rls(table)
    op.drop_table('evidence_files')
    op.drop_table('reports')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_assignments_tenant_period_staff')

    op.drop_table('assignments')
    op.drop_table('period_scores')
    op.drop_table('income_lines')
    op.drop_table('discipline_records')
    op.drop_table('assessments')
    op.drop_table('annual_classifications')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_tenant_user_read')

    op.drop_table('notifications')
    op.drop_table('income_runs')
    op.drop_table('periods')
