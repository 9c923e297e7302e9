"""PostgreSQL row-level security: the DDL the migrations apply, and the start-up role check.

Layer three of three. Policies read the transaction-local ``kpi.tenant_id``; with it unset a tenant
table reads as empty. ``kpi.cross_tenant`` opens reads (never writes) for the one audited door.
"""

from __future__ import annotations

import sqlalchemy as sa

_TENANT = "NULLIF(current_setting('kpi.tenant_id', true), '')::integer"
_CROSS = "current_setting('kpi.cross_tenant', true) = 'on'"


def enable_statements(table: str, app_role: str, *, append_only: bool = False) -> list[str]:
    """Return the statements that put ``table`` under FORCE RLS and grant the app role."""
    rights = "SELECT, INSERT" if append_only else "SELECT, INSERT, UPDATE, DELETE"
    statements = [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY {table}_read ON {table} FOR SELECT "
        f"USING (tenant_id = {_TENANT} OR {_CROSS})",
        f"CREATE POLICY {table}_insert ON {table} FOR INSERT WITH CHECK (tenant_id = {_TENANT})",
    ]
    if not append_only:
        statements += [
            f"CREATE POLICY {table}_update ON {table} FOR UPDATE "
            f"USING (tenant_id = {_TENANT}) WITH CHECK (tenant_id = {_TENANT})",
            f"CREATE POLICY {table}_delete ON {table} FOR DELETE USING (tenant_id = {_TENANT})",
        ]
    statements.append(_grant(f"GRANT {rights} ON {table} TO %I", app_role))
    return statements


def grant_statements(
    table: str,
    app_role: str,
    *,
    rights: str = "SELECT, INSERT, UPDATE, DELETE",
    sequence: str | None = None,
) -> list[str]:
    """Grants on a province-wide table (no RLS) and its id sequence."""
    statements = [_grant(f"GRANT {rights} ON {table} TO %I", app_role)]
    if sequence:
        statements.append(_grant(f"GRANT USAGE, SELECT ON SEQUENCE {sequence} TO %I", app_role))
    return statements


def _grant(template: str, role: str) -> str:
    # The app role may not exist (a laptop, a first install): grant only when it does.
    safe_role = role.replace("'", "''")
    return (
        "DO $$ BEGIN "
        f"IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{safe_role}') THEN "
        f"EXECUTE format('{template}', '{safe_role}'); "
        "END IF; END $$"
    )


def disable_statements(table: str) -> list[str]:
    return [
        f"DROP POLICY IF EXISTS {table}_{name} ON {table}"
        for name in ("read", "insert", "update", "delete")
    ] + [
        f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
    ]


class UnsafeDatabaseRole(RuntimeError):
    """The app's database role could bypass row-level security."""


def check_app_role(connection) -> None:
    """Raise UnsafeDatabaseRole if the role is superuser, BYPASSRLS or owns tables."""
    if connection.dialect.name != "postgresql":
        return
    row = connection.execute(
        sa.text(
            "SELECT r.rolname, r.rolsuper, r.rolbypassrls, "
            "(SELECT count(*) FROM pg_tables t WHERE t.schemaname = current_schema() "
            " AND t.tableowner = r.rolname) AS owned "
            "FROM pg_roles r WHERE r.rolname = current_user"
        )
    ).one()
    if row.rolsuper or row.rolbypassrls or row.owned:
        raise UnsafeDatabaseRole(
            f"database role {row.rolname!r} can bypass row-level security "
            f"(superuser={row.rolsuper}, bypassrls={row.rolbypassrls}, owns {row.owned} tables); "
            "connect the app with a role that owns no table (KPI_DATABASE_URL) and run "
            "migrations with the owner (KPI_DATABASE_OWNER_URL)"
        )
