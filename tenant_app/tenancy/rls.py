"""PostgreSQL row-level security: the DDL of the migrations, the signed scope, the start-up checks.

Layer three of three. Since 0012 the policies no longer trust the settings the app role can write:
the app sets ``kpi.tenant_id`` and ``kpi.cross_tenant`` (the claim) and ``kpi.scope_sig``, an
HMAC-SHA256 of the claim bound to the backend and the start of the transaction. The policies call
``kpi_scope_tenant()`` / ``kpi_scope_cross()`` / ``kpi_scope_province()``, SECURITY DEFINER
functions of the owner that check the signature with a key kept in ``kpi_private.rls_key``, a
schema the app role cannot use. SQL injected through the app can set any setting it likes, but it
cannot sign one, nor replay a signature of another transaction: a table then reads as empty.
Before 0012 (and in the revisions 0001-0011 as they run) the policies read the plain settings.
"""

from __future__ import annotations

import hashlib
import hmac

import sqlalchemy as sa

# --- the claim the app signs, and the signature

KEY_SCHEMA = "kpi_private"
KEY_TABLE = f"{KEY_SCHEMA}.rls_key"
SCOPE_FUNCTIONS = ("kpi_scope_tenant()", "kpi_scope_cross()", "kpi_scope_province()")

# What ties a signature to one transaction of one backend: an injected statement cannot change
# either, and a later transaction of the same backend starts at a later microsecond.
BINDING_SQL = (
    "SELECT pg_backend_pid(), (extract(epoch FROM transaction_timestamp()) * 1000000)::bigint"
)
_BINDING_EXPR = (
    "pg_backend_pid()::text || ':' || "
    "((extract(epoch FROM transaction_timestamp()) * 1000000)::bigint)::text"
)


def scope_claim(tenant_id: int | None, cross: bool) -> str:
    """The claim a signature covers: ``"<tenant id or ''>:<'on' or ''>"`` (the two settings)."""
    return f"{'' if tenant_id is None else int(tenant_id)}:{'on' if cross else ''}"


def scope_signature(key: bytes, claim: str, pid: int, usec: int) -> str:
    """HMAC-SHA256 (hex) of ``claim`` bound to backend ``pid`` and transaction start ``usec``."""
    message = f"{claim}:{int(pid)}:{int(usec)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def scope_key(secret: str) -> bytes:
    """The key bytes of the ``KPI_RLS_KEY`` setting."""
    if not secret:
        raise ValueError("the RLS scope key is empty")
    return secret.encode("utf-8")


def key_pads(key: bytes) -> tuple[bytes, bytes]:
    """The HMAC inner and outer padded keys (RFC 2104) that the database stores.

    With them PostgreSQL computes HMAC-SHA256 with its built-in ``sha256()``: no extension and no
    function outside ``pg_catalog`` is called by the SECURITY DEFINER code."""
    block = hashlib.sha256(key).digest() if len(key) > 64 else key
    block = block.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


# --- the DDL of the signed scope (0012)


def signed_scope_statements(app_role: str) -> list[str]:
    """Create the private key table and the three scope functions; EXECUTE for the app role."""
    # PL/pgSQL, not SQL: its statements are planned once per session, where a SQL function with
    # SET search_path is planned again at every call (hundreds of µs per query).
    definer = "STABLE SECURITY DEFINER PARALLEL SAFE SET search_path = pg_catalog, pg_temp"
    # Each function checks the signature itself (one SECURITY DEFINER call per policy term).
    body = (
        "DECLARE claim text := coalesce(current_setting('kpi.tenant_id', true), '') || ':' "
        "|| coalesce(current_setting('kpi.cross_tenant', true), ''); k record; "
        f"BEGIN SELECT inner_pad, outer_pad INTO k FROM {KEY_TABLE} WHERE id = 1; "
        "IF NOT FOUND OR encode(sha256(k.outer_pad || sha256(k.inner_pad || "
        f"convert_to(claim || ':' || {_BINDING_EXPR}, 'UTF8'))), 'hex') "
        "IS DISTINCT FROM current_setting('kpi.scope_sig', true) THEN claim := NULL; END IF; "
        "RETURN %s; END"
    )
    tenant = "NULLIF(split_part(claim, ':', 1), '')::integer"
    cross = "coalesce(split_part(claim, ':', 2) = 'on', false)"
    province = "coalesce(split_part(claim, ':', 1) = '', false)"
    statements = [
        f"CREATE SCHEMA IF NOT EXISTS {KEY_SCHEMA}",
        f"REVOKE ALL ON SCHEMA {KEY_SCHEMA} FROM PUBLIC",
        f"CREATE TABLE {KEY_TABLE} (id integer PRIMARY KEY CHECK (id = 1), "
        "inner_pad bytea NOT NULL, outer_pad bytea NOT NULL, stored_at timestamptz NOT NULL)",
        f"REVOKE ALL ON {KEY_TABLE} FROM PUBLIC",
        f"CREATE FUNCTION {KEY_SCHEMA}.verified_claim() RETURNS text LANGUAGE plpgsql {definer} "
        f"AS $$ {body % 'claim'} $$",
        f"REVOKE ALL ON FUNCTION {KEY_SCHEMA}.verified_claim() FROM PUBLIC",
        f"CREATE FUNCTION kpi_scope_tenant() RETURNS integer LANGUAGE plpgsql {definer} "
        f"AS $$ {body % tenant} $$",
        f"CREATE FUNCTION kpi_scope_cross() RETURNS boolean LANGUAGE plpgsql {definer} "
        f"AS $$ {body % cross} $$",
        f"CREATE FUNCTION kpi_scope_province() RETURNS boolean LANGUAGE plpgsql {definer} "
        f"AS $$ {body % province} $$",
    ]
    for function in SCOPE_FUNCTIONS:
        statements.append(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
        statements.append(grant_statement(f"GRANT EXECUTE ON FUNCTION {function} TO %I", app_role))
    return statements


def drop_signed_scope_statements() -> list[str]:
    return [f"DROP FUNCTION IF EXISTS {function}" for function in SCOPE_FUNCTIONS] + [
        f"DROP SCHEMA IF EXISTS {KEY_SCHEMA} CASCADE"
    ]


STORE_KEY_SQL = sa.text(
    f"INSERT INTO {KEY_TABLE} (id, inner_pad, outer_pad, stored_at) "
    "VALUES (1, :inner, :outer, now()) ON CONFLICT (id) DO UPDATE "
    "SET inner_pad = EXCLUDED.inner_pad, outer_pad = EXCLUDED.outer_pad, stored_at = now()"
)


def store_key(connection, key: bytes) -> None:
    """Write (or rotate) the scope key: run as the owner (migrations, ``kpi db rls-key``)."""
    inner, outer = key_pads(key)
    connection.execute(STORE_KEY_SQL, {"inner": inner, "outer": outer})


def signed_scope_installed(connection) -> bool:
    """True once 0012 has created the scope functions in this database."""
    if connection.dialect.name != "postgresql":
        return False
    return (
        connection.execute(sa.text("SELECT to_regprocedure('kpi_scope_tenant()')")).scalar()
        is not None
    )


# --- the policies

_TENANT = "NULLIF(current_setting('kpi.tenant_id', true), '')::integer"
_CROSS = "current_setting('kpi.cross_tenant', true) = 'on'"
# A sub-select: the function runs once per statement (an InitPlan), not once per row.
_SIGNED_TENANT = "(SELECT kpi_scope_tenant())"
_SIGNED_CROSS = "(SELECT kpi_scope_cross())"
_SIGNED_PROVINCE = "(SELECT kpi_scope_province())"
POLICY_NAMES = ("read", "insert", "update", "delete")


def policy_statements(table: str, *, append_only: bool = False, signed: bool = True) -> list[str]:
    """The CREATE POLICY statements of a tenant table (signed scope, or the plain settings)."""
    tenant, cross = (_SIGNED_TENANT, _SIGNED_CROSS) if signed else (_TENANT, _CROSS)
    statements = [
        f"CREATE POLICY {table}_read ON {table} FOR SELECT USING (tenant_id = {tenant} OR {cross})",
        f"CREATE POLICY {table}_insert ON {table} FOR INSERT WITH CHECK (tenant_id = {tenant})",
    ]
    if not append_only:
        statements += [
            f"CREATE POLICY {table}_update ON {table} FOR UPDATE "
            f"USING (tenant_id = {tenant}) WITH CHECK (tenant_id = {tenant})",
            f"CREATE POLICY {table}_delete ON {table} FOR DELETE USING (tenant_id = {tenant})",
        ]
    return statements


def province_target_policy_statements(table: str) -> list[str]:
    """Policies of a province table with a ``tenant_id`` column (``rollout_targets``).

    The province (a signed scope with no tenant) reads and writes every row, the door reads them,
    and a tenant (its rollout job) reads and writes its own rows only."""
    own = f"tenant_id = {_SIGNED_TENANT} OR {_SIGNED_PROVINCE}"
    return [
        f"CREATE POLICY {table}_read ON {table} FOR SELECT USING ({own} OR {_SIGNED_CROSS})",
        f"CREATE POLICY {table}_insert ON {table} FOR INSERT WITH CHECK ({own})",
        f"CREATE POLICY {table}_update ON {table} FOR UPDATE USING ({own}) WITH CHECK ({own})",
        f"CREATE POLICY {table}_delete ON {table} FOR DELETE USING ({own})",
    ]


def drop_policy_statements(table: str) -> list[str]:
    return [f"DROP POLICY IF EXISTS {table}_{name} ON {table}" for name in POLICY_NAMES]


def enable_statements(
    table: str, app_role: str, *, append_only: bool = False, signed: bool = False
) -> list[str]:
    """Return the statements that put ``table`` under FORCE RLS and grant the app role."""
    rights = "SELECT, INSERT" if append_only else "SELECT, INSERT, UPDATE, DELETE"
    statements = [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        *policy_statements(table, append_only=append_only, signed=signed),
    ]
    statements.append(grant_statement(f"GRANT {rights} ON {table} TO %I", app_role))
    return statements


def grant_statements(
    table: str,
    app_role: str,
    *,
    rights: str = "SELECT, INSERT, UPDATE, DELETE",
    sequence: str | None = None,
) -> list[str]:
    """Grants on a province-wide table (no RLS) and its id sequence."""
    statements = [grant_statement(f"GRANT {rights} ON {table} TO %I", app_role)]
    if sequence:
        statements.append(
            grant_statement(f"GRANT USAGE, SELECT ON SEQUENCE {sequence} TO %I", app_role)
        )
    return statements


def grant_statement(template: str, role: str) -> str:
    """``template`` (a GRANT with ``%I`` for the role) run only if the role exists."""
    # The app role may not exist (a laptop, a first install): grant only when it does.
    safe_role = role.replace("'", "''")
    return (
        "DO $$ BEGIN "
        f"IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{safe_role}') THEN "
        f"EXECUTE format('{template}', '{safe_role}'); "
        "END IF; END $$"
    )


def disable_statements(table: str) -> list[str]:
    return drop_policy_statements(table) + [
        f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
    ]


# --- start-up checks


class UnsafeDatabaseRole(RuntimeError):
    """The app's database role could bypass row-level security."""


def check_app_role(connection) -> None:
    """Raise UnsafeDatabaseRole if the role is superuser, BYPASSRLS, owns tables or can read the
    scope key (with it, SQL run by the role could sign any scope)."""
    if connection.dialect.name != "postgresql":
        return
    row = connection.execute(
        sa.text(
            "SELECT r.rolname, r.rolsuper, r.rolbypassrls, "
            "(SELECT count(*) FROM pg_tables t WHERE t.schemaname = current_schema() "
            " AND t.tableowner = r.rolname) AS owned, "
            # By oid: a role without USAGE on the schema cannot even resolve the name.
            "EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            " WHERE n.nspname = :key_schema AND (has_schema_privilege(n.oid, 'USAGE') "
            "  OR has_table_privilege(c.oid, 'SELECT'))) AS reads_key "
            "FROM pg_roles r WHERE r.rolname = current_user"
        ),
        {"key_schema": KEY_SCHEMA},
    ).one()
    if row.rolsuper or row.rolbypassrls or row.owned or row.reads_key:
        raise UnsafeDatabaseRole(
            f"database role {row.rolname!r} can bypass row-level security "
            f"(superuser={row.rolsuper}, bypassrls={row.rolbypassrls}, owns {row.owned} tables, "
            f"reads the scope key={row.reads_key}); "
            "connect the app with a role that owns no table (KPI_DATABASE_URL) and run "
            "migrations with the owner (KPI_DATABASE_OWNER_URL)"
        )


class ScopeKeyMismatch(RuntimeError):
    """The database holds another RLS scope key than the app: every tenant table reads empty."""


_SET_SCOPE_SQL = sa.text(
    "SELECT set_config('kpi.tenant_id', :tenant, true), "
    "set_config('kpi.cross_tenant', :cross, true), "
    "set_config('kpi.scope_sig', :sig, true)"
)


def set_signed_scope(connection, key: bytes, tenant_id: int | None, cross: bool) -> None:
    """Claim a scope for the open transaction of ``connection`` and sign it with ``key``.

    Two round trips: the binding (backend, transaction start) is read first, then the three
    transaction-local settings are written. The only code that signs: the ORM session hook
    (``scoping``) and tests or benchmarks that act as the app on a raw connection."""
    pid, usec = connection.execute(sa.text(BINDING_SQL)).one()
    claim = scope_claim(tenant_id, cross)
    connection.execute(
        _SET_SCOPE_SQL,
        {
            "tenant": "" if tenant_id is None else str(int(tenant_id)),
            "cross": "on" if cross else "",
            "sig": scope_signature(key, claim, pid, usec),
        },
    )


def check_scope_key(connection, key: bytes) -> None:
    """Raise ScopeKeyMismatch unless a scope signed with ``key`` verifies in the database."""
    if connection.in_transaction():
        connection.rollback()
    installed = signed_scope_installed(connection)
    connection.rollback()
    if not installed:
        return
    with connection.begin():
        set_signed_scope(connection, key, None, False)
        verified = connection.execute(sa.text("SELECT kpi_scope_province()")).scalar()
    if not verified:
        raise ScopeKeyMismatch(
            "the database holds another RLS scope key than KPI_RLS_KEY: run `kpi db rls-key` "
            "with the owner URL (KPI_DATABASE_OWNER_URL) to store this one"
        )
