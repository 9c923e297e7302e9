"""Form drafts: what a user typed when their session expired before the save, kept for them.

``form_drafts`` (tenant table, RLS): one form post's fields for one account, keyed by the SHA-256
of a random key held by the browser that sent it; claimed after signing in again or discarded.

Revision ID: 0014_form_drafts
Revises: 0013_feeds
Create Date: 2026-12-05 12:40:00
"""

import sqlalchemy as sa
from alembic import op

from tenant_app.tenancy.migration_ops import disable_tenant_rls, enable_tenant_rls

revision = "0014_form_drafts"
down_revision = "0013_feeds"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "form_drafts",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("page", sa.String(length=2048), nullable=False),
        sa.Column("action", sa.String(length=2048), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_form_drafts_tenant_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_form_drafts_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_form_drafts")),
        sa.UniqueConstraint(
            "tenant_id", "key_hash", name=op.f("uq_form_drafts_tenant_id_key_hash")
        ),
    )
    op.create_index("ix_form_drafts_tenant_id_user_id", "form_drafts", ["tenant_id", "user_id"])
    enable_tenant_rls("form_drafts")


def downgrade():
    disable_tenant_rls("form_drafts")
    op.drop_index("ix_form_drafts_tenant_id_user_id", "form_drafts")
    op.drop_table("form_drafts")
