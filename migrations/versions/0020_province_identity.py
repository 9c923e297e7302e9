"""The province's settings: its name, its authority, the place printed on forms, its seal.

``province_settings`` (province table, no RLS: no tenant owns it): one row per key, the value a
JSON object; the ``identity`` key holds the names every PDF, export header and page title print.

Revision ID: 0020_province_identity
Revises: 0019_deputy_fields
Create Date: 2026-12-06 03:00:00
"""

import sqlalchemy as sa
from alembic import op

from tenant_app.tenancy.migration_ops import grant_province_table

revision = "0020_province_identity"
down_revision = "0019_deputy_fields"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "province_settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["province_users.id"],
            name=op.f("fk_province_settings_updated_by_province_users"),
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_province_settings")),
    )
    grant_province_table("province_settings")


def downgrade():
    op.drop_table("province_settings")
