"""Data feeds and indicator values: sources with their closing rule, officer and item mappings,
the sources' own tokens, batches stored as received, each record's outcome, the dossiers projected
from them, indicator values per period; fed work marked on assignments (``feed_source_id``).

Revision ID: 0013_feeds
Revises: 0012_rls_signed_scope
Create Date: 2026-12-05 07:45:29.371514
"""

import sqlalchemy as sa
from alembic import op

from tenant_app.tenancy.migration_ops import disable_tenant_rls, enable_tenant_rls

revision = "0013_feeds"
down_revision = "0012_rls_signed_scope"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "feed_sources",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("closing_day", sa.Integer(), nullable=False),
        sa.Column("closing_time", sa.Time(), nullable=False),
        sa.Column("late_policy", sa.String(length=8), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('one_stop', 'documents', 'disbursement', 'other')",
            name=op.f("ck_feed_sources_kind_known"),
        ),
        sa.CheckConstraint(
            "late_policy IN ('hold', 'refuse')", name=op.f("ck_feed_sources_late_policy_known")
        ),
        sa.CheckConstraint(
            "closing_day BETWEEN 1 AND 28", name=op.f("ck_feed_sources_closing_day_range")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_feed_sources_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_feed_sources")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_feed_sources_tenant_id_code")),
    )
    op.create_table(
        "feed_batches",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("records", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("held", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Uuid(), nullable=True),
        sa.Column("uploaded_by", sa.Uuid(), nullable=True),
        sa.Column("job_run_id", sa.Uuid(), nullable=True),
        sa.Column("processed_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('received', 'processed', 'failed')",
            name=op.f("ck_feed_batches_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "source_id"],
            ["feed_sources.tenant_id", "feed_sources.id"],
            name=op.f("fk_feed_batches_tenant_id_source_id_feed_sources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "uploaded_by"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_feed_batches_tenant_id_uploaded_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_feed_batches_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_feed_batches")),
    )
    with op.batch_alter_table("feed_batches", schema=None) as batch_op:
        batch_op.create_index(
            "ix_feed_batches_tenant_source_received",
            ["tenant_id", "source_id", "received_at"],
            unique=False,
        )

    op.create_table(
        "feed_tokens",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "created_by"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_feed_tokens_tenant_id_created_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "source_id"],
            ["feed_sources.tenant_id", "feed_sources.id"],
            name=op.f("fk_feed_tokens_tenant_id_source_id_feed_sources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_feed_tokens_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_feed_tokens")),
        sa.UniqueConstraint(
            "tenant_id", "token_hash", name=op.f("uq_feed_tokens_tenant_id_token_hash")
        ),
    )
    op.create_table(
        "feed_officer_maps",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "source_id"],
            ["feed_sources.tenant_id", "feed_sources.id"],
            name=op.f("fk_feed_officer_maps_tenant_id_source_id_feed_sources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "staff_id"],
            ["staff.tenant_id", "staff.id"],
            name=op.f("fk_feed_officer_maps_tenant_id_staff_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_feed_officer_maps_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_feed_officer_maps")),
        sa.UniqueConstraint(
            "tenant_id",
            "source_id",
            "external_id",
            name=op.f("uq_feed_officer_maps_tenant_id_source_id_external_id"),
        ),
    )
    op.create_table(
        "feed_dossiers",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("period_id", sa.Uuid(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("settled_on", sa.Date(), nullable=True),
        sa.Column("settled", sa.Boolean(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("returned", sa.Boolean(), nullable=False),
        sa.Column("carried", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "item_id"],
            ["catalogue_items.tenant_id", "catalogue_items.id"],
            name=op.f("fk_feed_dossiers_tenant_id_item_id_catalogue_items"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "period_id"],
            ["periods.tenant_id", "periods.id"],
            name=op.f("fk_feed_dossiers_tenant_id_period_id_periods"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "source_id"],
            ["feed_sources.tenant_id", "feed_sources.id"],
            name=op.f("fk_feed_dossiers_tenant_id_source_id_feed_sources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "staff_id"],
            ["staff.tenant_id", "staff.id"],
            name=op.f("fk_feed_dossiers_tenant_id_staff_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_feed_dossiers_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_feed_dossiers")),
        sa.UniqueConstraint(
            "tenant_id",
            "source_id",
            "external_id",
            "period_id",
            name=op.f("uq_feed_dossiers_tenant_id_source_id_external_id_period_id"),
        ),
    )
    with op.batch_alter_table("feed_dossiers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_feed_dossiers_work",
            ["tenant_id", "source_id", "period_id", "staff_id", "item_id"],
            unique=False,
        )

    op.create_table(
        "feed_item_maps",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("external_code", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "item_id"],
            ["catalogue_items.tenant_id", "catalogue_items.id"],
            name=op.f("fk_feed_item_maps_tenant_id_item_id_catalogue_items"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "source_id"],
            ["feed_sources.tenant_id", "feed_sources.id"],
            name=op.f("fk_feed_item_maps_tenant_id_source_id_feed_sources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_feed_item_maps_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_feed_item_maps")),
        sa.UniqueConstraint(
            "tenant_id",
            "source_id",
            "external_code",
            name=op.f("uq_feed_item_maps_tenant_id_source_id_external_code"),
        ),
    )
    op.create_table(
        "feed_records",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("event", sa.String(length=12), nullable=False),
        sa.Column("officer", sa.String(length=64), nullable=False),
        sa.Column("item_code", sa.String(length=64), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("value", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("detail", sa.String(length=300), nullable=True),
        sa.Column("staff_id", sa.Uuid(), nullable=True),
        sa.Column("item_id", sa.Uuid(), nullable=True),
        sa.Column("period_id", sa.Uuid(), nullable=True),
        sa.Column("moved_from_period_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("replays", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "event IN ('received', 'settled', 'returned', 'value')",
            name=op.f("ck_feed_records_event_known"),
        ),
        sa.CheckConstraint(
            "status IN ('accepted', 'rejected', 'held')", name=op.f("ck_feed_records_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "batch_id"],
            ["feed_batches.tenant_id", "feed_batches.id"],
            name=op.f("fk_feed_records_tenant_id_batch_id_feed_batches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "item_id"],
            ["catalogue_items.tenant_id", "catalogue_items.id"],
            name=op.f("fk_feed_records_tenant_id_item_id_catalogue_items"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "period_id"],
            ["periods.tenant_id", "periods.id"],
            name=op.f("fk_feed_records_tenant_id_period_id_periods"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "source_id"],
            ["feed_sources.tenant_id", "feed_sources.id"],
            name=op.f("fk_feed_records_tenant_id_source_id_feed_sources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "staff_id"],
            ["staff.tenant_id", "staff.id"],
            name=op.f("fk_feed_records_tenant_id_staff_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_feed_records_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_feed_records")),
        sa.UniqueConstraint(
            "tenant_id",
            "source_id",
            "external_id",
            "event",
            name=op.f("uq_feed_records_tenant_id_source_id_external_id_event"),
        ),
    )
    with op.batch_alter_table("feed_records", schema=None) as batch_op:
        batch_op.create_index(
            "ix_feed_records_tenant_source_status",
            ["tenant_id", "source_id", "status"],
            unique=False,
        )

    op.create_table(
        "indicator_values",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("period_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=True),
        sa.Column("value", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("observed_at", sa.DateTime(), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=True),
        sa.Column("record_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("entered_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "origin IN ('feed', 'entry', 'import')", name=op.f("ck_indicator_values_origin_known")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "entered_by"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_indicator_values_tenant_id_entered_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "item_id"],
            ["catalogue_items.tenant_id", "catalogue_items.id"],
            name=op.f("fk_indicator_values_tenant_id_item_id_catalogue_items"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "period_id"],
            ["periods.tenant_id", "periods.id"],
            name=op.f("fk_indicator_values_tenant_id_period_id_periods"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "record_id"],
            ["feed_records.tenant_id", "feed_records.id"],
            name=op.f("fk_indicator_values_tenant_id_record_id_feed_records"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "source_id"],
            ["feed_sources.tenant_id", "feed_sources.id"],
            name=op.f("fk_indicator_values_tenant_id_source_id_feed_sources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "staff_id"],
            ["staff.tenant_id", "staff.id"],
            name=op.f("fk_indicator_values_tenant_id_staff_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_indicator_values_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_indicator_values")),
        sa.UniqueConstraint(
            "tenant_id", "record_id", name=op.f("uq_indicator_values_tenant_id_record_id")
        ),
    )
    with op.batch_alter_table("indicator_values", schema=None) as batch_op:
        batch_op.create_index(
            "ix_indicator_values_period_item", ["tenant_id", "period_id", "item_id"], unique=False
        )

    with op.batch_alter_table("item_aggregates", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), server_default="work_item", nullable=False)
        )
        batch_op.add_column(
            sa.Column("indicator_periods", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("indicator_value_sum", sa.Numeric(precision=24, scale=6), nullable=True)
        )
        batch_op.add_column(
            sa.Column("indicator_score_sum", sa.Numeric(precision=18, scale=6), nullable=True)
        )
        batch_op.add_column(
            sa.Column("indicator_target", sa.Numeric(precision=18, scale=6), nullable=True)
        )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("feed_source_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_assignments_tenant_id_feed_source_id_feed_sources"),
            "feed_sources",
            ["tenant_id", "feed_source_id"],
            ["tenant_id", "id"],
        )

    enable_tenant_rls("feed_sources")
    enable_tenant_rls("feed_officer_maps")
    enable_tenant_rls("feed_item_maps")
    enable_tenant_rls("feed_tokens")
    enable_tenant_rls("feed_batches")
    enable_tenant_rls("feed_records")
    enable_tenant_rls("feed_dossiers")
    enable_tenant_rls("indicator_values")


def downgrade():
    disable_tenant_rls("indicator_values")
    disable_tenant_rls("feed_dossiers")
    disable_tenant_rls("feed_records")
    disable_tenant_rls("feed_batches")
    disable_tenant_rls("feed_tokens")
    disable_tenant_rls("feed_item_maps")
    disable_tenant_rls("feed_officer_maps")
    disable_tenant_rls("feed_sources")
    with op.batch_alter_table("item_aggregates", schema=None) as batch_op:
        for column in (
            "indicator_target",
            "indicator_score_sum",
            "indicator_value_sum",
            "indicator_periods",
            "kind",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_assignments_tenant_id_feed_source_id_feed_sources"), type_="foreignkey"
        )
        batch_op.drop_column("feed_source_id")

    with op.batch_alter_table("indicator_values", schema=None) as batch_op:
        batch_op.drop_index("ix_indicator_values_period_item")

    op.drop_table("indicator_values")
    with op.batch_alter_table("feed_records", schema=None) as batch_op:
        batch_op.drop_index("ix_feed_records_tenant_source_status")

    op.drop_table("feed_records")
    op.drop_table("feed_item_maps")
    with op.batch_alter_table("feed_dossiers", schema=None) as batch_op:
        batch_op.drop_index("ix_feed_dossiers_work")

    op.drop_table("feed_dossiers")
    op.drop_table("feed_officer_maps")
    op.drop_table("feed_tokens")
    with op.batch_alter_table("feed_batches", schema=None) as batch_op:
        batch_op.drop_index("ix_feed_batches_tenant_source_received")

    op.drop_table("feed_batches")
    op.drop_table("feed_sources")
