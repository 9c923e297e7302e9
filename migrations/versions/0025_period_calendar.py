"""The calendar as data: the scheduler's record of window ends, and extended windows.

``calendar_events`` (tenant table, RLS): one row per (subject, event, deadline) the daily
scheduler has handled: a period window that ended, its automatic closing or locking, a year's
annual classification deadline; the unique key makes the run idempotent.
``window_extensions`` (tenant table, RLS): one window of one period extended by an
administrator, with the old and new deadlines, the reason and who did it.

Revision ID: 0025_period_calendar
Revises: 0024_staff_rule_sets
Create Date: 2026-12-06 06:30:00
"""

import sqlalchemy as sa
from alembic import op

from tenant_app.tenancy.migration_ops import disable_tenant_rls, enable_tenant_rls

revision = "0025_period_calendar"
down_revision = "0024_staff_rule_sets"
branch_labels = None
depends_on = None

EVENTS = "'report', 'self_assessment', 'review', 'approval', 'closed', 'locked', 'annual'"
WINDOWS = "'report', 'self_assessment', 'review', 'approval'"


def upgrade():
    op.create_table(
        "calendar_events",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("period_id", sa.Uuid(), nullable=True),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("pending", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(f"event IN ({EVENTS})", name=op.f("ck_calendar_events_event_known")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "period_id"],
            ["periods.tenant_id", "periods.id"],
            name=op.f("fk_calendar_events_tenant_id_period_id_periods"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_calendar_events_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_calendar_events")),
        sa.UniqueConstraint(
            "tenant_id",
            "subject",
            "event",
            "deadline",
            name=op.f("uq_calendar_events_tenant_id_subject_event_deadline"),
        ),
    )
    enable_tenant_rls("calendar_events")
    op.create_table(
        "window_extensions",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("period_id", sa.Uuid(), nullable=False),
        sa.Column("window_name", sa.String(length=16), nullable=False),
        sa.Column("old_until", sa.Date(), nullable=False),
        sa.Column("new_until", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("extended_by", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("new_until > old_until", name=op.f("ck_window_extensions_later")),
        sa.CheckConstraint(
            f"window_name IN ({WINDOWS})", name=op.f("ck_window_extensions_window_known")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "period_id"],
            ["periods.tenant_id", "periods.id"],
            name=op.f("fk_window_extensions_tenant_id_period_id_periods"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_window_extensions_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_window_extensions")),
    )
    op.create_index(
        "ix_window_extensions_tenant_period",
        "window_extensions",
        ["tenant_id", "period_id"],
    )
    enable_tenant_rls("window_extensions")


def downgrade():
    disable_tenant_rls("window_extensions")
    op.drop_index("ix_window_extensions_tenant_period", table_name="window_extensions")
    op.drop_table("window_extensions")
    disable_tenant_rls("calendar_events")
    op.drop_table("calendar_events")
