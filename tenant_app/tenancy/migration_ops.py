"""Alembic helpers for revisions: tenant-table RLS, province-table grants, the signed scope
(PostgreSQL)."""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import op
from flask import current_app

from tenant_app.tenancy import rls


def _app_role() -> str:
    try:
        return current_app.config["KPI_DATABASE_APP_ROLE"]
    except RuntimeError:
        return os.environ.get("KPI_DATABASE_APP_ROLE", "kpi_app")


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def enable_tenant_rls(table: str, *, append_only: bool = False) -> None:
    """FORCE RLS on a tenant table; its policies check the signed scope once 0012 installed it
    (the revisions before 0012 run against the plain settings, which 0012 then replaces)."""
    if _postgres():
        signed = rls.signed_scope_installed(op.get_bind())
        for statement in rls.enable_statements(
            table, _app_role(), append_only=append_only, signed=signed
        ):
            op.execute(statement)


def disable_tenant_rls(table: str) -> None:
    if _postgres():
        for statement in rls.disable_statements(table):
            op.execute(statement)


def grant_province_table(
    table: str, *, rights: str = "SELECT, INSERT, UPDATE, DELETE", sequence: str | None = None
) -> None:
    if _postgres():
        for statement in rls.grant_statements(table, _app_role(), rights=rights, sequence=sequence):
            op.execute(statement)


def grant_app_execute(function: str) -> None:
    """Let the app role call ``function`` (a signature such as ``f(integer)``), no one else."""
    if _postgres():
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
        op.execute(rls.grant_statement(f"GRANT EXECUTE ON FUNCTION {function} TO %I", _app_role()))


# --- the signed scope (0012)


def install_signed_scope() -> None:
    """Create the private key table and the scope functions, and store the configured key."""
    if _postgres():
        for statement in rls.signed_scope_statements(_app_role()):
            op.execute(statement)
        store_rls_key()


def remove_signed_scope() -> None:
    if _postgres():
        for statement in rls.drop_signed_scope_statements():
            op.execute(statement)


def store_rls_key() -> None:
    """Write ``KPI_RLS_KEY`` of the running configuration into the private key table."""
    rls.store_key(op.get_bind(), rls.scope_key(current_app.config["KPI_RLS_KEY"]))


def rls_tables() -> list[tuple[str, bool]]:
    """Every table of the schema under row-level security: (name, append-only).

    Append-only tables are the ones without an update policy (``enable_tenant_rls``)."""
    if not _postgres():
        return []
    rows = op.get_bind().execute(
        sa.text(
            "SELECT c.relname, NOT EXISTS (SELECT 1 FROM pg_policies p "
            "  WHERE p.schemaname = n.nspname AND p.tablename = c.relname "
            "  AND p.policyname = c.relname || '_update') AS append_only "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') "
            "AND c.relrowsecurity ORDER BY c.relname"
        )
    )
    return [(name, append_only) for name, append_only in rows]


def recreate_tenant_policies(tables: list[tuple[str, bool]], *, signed: bool) -> None:
    """Drop and re-create the policies of ``tables`` on the signed scope or the plain settings."""
    if not _postgres():
        return
    for table, append_only in tables:
        for statement in rls.drop_policy_statements(table):
            op.execute(statement)
        for statement in rls.policy_statements(table, append_only=append_only, signed=signed):
            op.execute(statement)


def enable_province_target_rls(table: str) -> None:
    """RLS on a province table with a ``tenant_id`` (tenants see their own rows; the province,
    with a signed scope of no tenant, sees all). Not FORCEd: the owner's functions read it whole."""
    if _postgres():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        for statement in rls.province_target_policy_statements(table):
            op.execute(statement)
