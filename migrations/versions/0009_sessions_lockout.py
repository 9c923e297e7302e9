"""Server-side sessions that end at logout, and login throttling per account and source address.

Sessions: ``login_sessions`` (tenant table, RLS) and ``province_login_sessions``; the cookie holds a
random id, the tables its SHA-256. Throttling: ``login_throttles`` (tenant table, RLS) and
``province_login_throttles``, one row per (username, source address), known account or not.

Revision ID: 0009_sessions_lockout
Revises: 0008_exact_scores
Create Date: 2026-12-04 04:30:00
"""

import sqlalchemy as sa
from alembic import op

from tenant_app.tenancy.migration_ops import (
    disable_tenant_rls,
    enable_tenant_rls,
    grant_province_table,
)

revision = "0009_sessions_lockout"
down_revision = "0008_exact_scores"
branch_labels = None
depends_on = None


def _session_columns() -> list[sa.Column]:
    return [
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
    ]


def _throttle_columns() -> list[sa.Column]:
    return [
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
    ]


def upgrade():
    op.create_table(
        "login_sessions",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        *_session_columns(),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_login_sessions_tenant_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_login_sessions_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_login_sessions")),
        sa.UniqueConstraint(
            "tenant_id", "token_hash", name=op.f("uq_login_sessions_tenant_id_token_hash")
        ),
    )
    op.create_index(
        "ix_login_sessions_tenant_id_user_id", "login_sessions", ["tenant_id", "user_id"]
    )
    enable_tenant_rls("login_sessions")

    op.create_table(
        "province_login_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("province_user_id", sa.Integer(), nullable=False),
        *_session_columns(),
        sa.ForeignKeyConstraint(
            ["province_user_id"],
            ["province_users.id"],
            name=op.f("fk_province_login_sessions_province_user_id_province_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_province_login_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_province_login_sessions_token_hash")),
    )
    op.create_index(
        "ix_province_login_sessions_province_user_id",
        "province_login_sessions",
        ["province_user_id"],
    )
    grant_province_table("province_login_sessions", sequence="province_login_sessions_id_seq")

    op.create_table(
        "login_throttles",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        *_throttle_columns(),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_login_throttles_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_login_throttles")),
        sa.UniqueConstraint(
            "tenant_id",
            "username",
            "address",
            name=op.f("uq_login_throttles_tenant_id_username_address"),
        ),
    )
    enable_tenant_rls("login_throttles")

    op.create_table(
        "province_login_throttles",
        sa.Column("id", sa.Integer(), nullable=False),
        *_throttle_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_province_login_throttles")),
        sa.UniqueConstraint(
            "username", "address", name=op.f("uq_province_login_throttles_username_address")
        ),
    )
    grant_province_table("province_login_throttles", sequence="province_login_throttles_id_seq")


def downgrade():
    op.drop_table("province_login_throttles")
    disable_tenant_rls("login_throttles")
    op.drop_table("login_throttles")
    op.drop_index("ix_province_login_sessions_province_user_id", "province_login_sessions")
    op.drop_table("province_login_sessions")
    disable_tenant_rls("login_sessions")
    op.drop_index("ix_login_sessions_tenant_id_user_id", "login_sessions")
    op.drop_table("login_sessions")
