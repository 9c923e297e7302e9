"""The database half of a backup: PostgreSQL with pg_dump/pg_restore, SQLite with its backup API.

PostgreSQL. Every tenant table is under ``FORCE ROW LEVEL SECURITY``, so pg_dump reads it only
as a role that bypasses row-level security (a superuser or ``BYPASSRLS``): the owner URL must be
one, checked first. Row counts and the dump come from one snapshot (``pg_export_snapshot`` and
``pg_dump --snapshot``), so the counts describe exactly what was dumped. A restore replays the
dump without its owners (the restoring owner role owns everything, as after ``kpi db upgrade``)
but with its grants (the app role's rights, the private scope-key schema closed), all in one
transaction (``pg_restore -f -`` into ``psql`` between BEGIN and COMMIT): a failure leaves the
target as it was. The restored database holds the old deployment's RLS scope key; the service
stores this deployment's key afterwards, as ``kpi db upgrade`` does. Counts after a restore are
read with a signed cross-unit scope, so they see what the policies let the app see.

SQLite. ``sqlite3``'s online backup copies a consistent database even while the app writes; a
restore copies the file next to the target and renames it over (a crash leaves the old file).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tenant_app.services.backup.archive import BackupError
from tenant_app.tenancy import rls

_PG_TABLES = sa.text(
    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname"
)


# --- PostgreSQL -------------------------------------------------------------------------------


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} not found: install the PostgreSQL client tools of the server's major "
            "version (Debian: postgresql-client-15) or run `kpi backup`/`kpi restore` from the "
            "app's image"
        )
    return path


def libpq(url: str) -> tuple[str, dict[str, str]]:
    """(libpq connection URI without the password, environment carrying it) for ``url``."""
    parsed = make_url(url)
    env = {**os.environ, "PGCONNECT_TIMEOUT": os.environ.get("PGCONNECT_TIMEOUT", "10")}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    uri = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def pg_engine(url: str) -> sa.Engine:
    """A one-off engine (no pool) on ``url`` with the psycopg 3 driver."""
    return sa.create_engine(
        make_url(url).set(drivername="postgresql+psycopg"), poolclass=sa.pool.NullPool
    )


def pg_tables(conn) -> list[str]:
    return list(conn.execute(_PG_TABLES).scalars())


def _counts(conn, tables: list[str]) -> dict[str, int]:
    return {t: conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables}


def _revision(conn, tables) -> str | None:
    if "alembic_version" not in tables:
        return None
    return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def pg_dump(owner_url: str, target: Path, app_role: str) -> dict:
    """Dump the database of ``owner_url`` to ``target`` (custom format); return its manifest
    entry: kind, alembic revision, server version, app role and row counts per table."""
    pg_dump_bin = _tool("pg_dump")
    uri, env = libpq(owner_url)
    engine = pg_engine(owner_url)
    try:
        snapshot_conn = engine.connect().execution_options(isolation_level="REPEATABLE READ")
        with snapshot_conn as conn, conn.begin():
            role = conn.execute(
                sa.text(
                    "SELECT rolname, rolsuper OR rolbypassrls FROM pg_roles "
                    "WHERE rolname = current_user"
                )
            ).one()
            if not role[1]:
                raise BackupError(
                    f"the role {role[0]!r} of KPI_DATABASE_OWNER_URL cannot read the tables "
                    "under FORCE ROW LEVEL SECURITY: back up as a role with BYPASSRLS "
                    f"(as a superuser: ALTER ROLE {role[0]} BYPASSRLS) or a superuser"
                )
            snapshot = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
            tables = pg_tables(conn)
            info = {
                "kind": "postgresql",
                "file": "database.dump",
                "revision": _revision(conn, tables),
                "server_version": conn.execute(sa.text("SHOW server_version")).scalar_one(),
                "app_role": app_role,
                "tables": _counts(conn, tables),
            }
            command = [pg_dump_bin, "--format=custom", "--no-password", "--snapshot", snapshot]
            # The arguments are the tool's path and our own values, not user input.
            done = subprocess.run(  # noqa: S603
                [*command, "--file", str(target), "--dbname", uri],
                env=env,
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    except sa.exc.OperationalError as exc:
        raise BackupError(f"cannot connect to the database: {exc.orig}") from exc
    finally:
        engine.dispose()
    return info


def pg_contents(owner_url: str) -> list[str]:
    """What makes the target database non-empty (its tables, the private schema), or []."""
    engine = pg_engine(owner_url)
    try:
        with engine.connect() as conn:
            found = pg_tables(conn)
            if conn.execute(
                sa.text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": rls.KEY_SCHEMA}
            ).first():
                found.append(f"schema {rls.KEY_SCHEMA}")
    except sa.exc.OperationalError as exc:
        raise BackupError(f"cannot connect to the target database: {exc.orig}") from exc
    finally:
        engine.dispose()
    return found


def pg_role_exists(owner_url: str, role: str) -> bool:
    engine = pg_engine(owner_url)
    try:
        with engine.connect() as conn:
            return bool(
                conn.execute(
                    sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}
                ).first()
            )
    finally:
        engine.dispose()


def _wipe_sql(owner_url: str) -> str:
    """Statements that drop what the project put in the target (``--force``), same transaction."""
    engine = pg_engine(owner_url)
    try:
        with engine.connect() as conn:
            statements = [f"DROP SCHEMA IF EXISTS {rls.KEY_SCHEMA} CASCADE;"]
            statements += [f'DROP TABLE IF EXISTS public."{t}" CASCADE;' for t in pg_tables(conn)]
            rows = conn.execute(
                sa.text(
                    "SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' "
                    "ELSE 'MATERIALIZED VIEW' END, c.relname FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
                    "AND c.relkind IN ('S', 'v', 'm') AND NOT EXISTS (SELECT 1 FROM pg_depend d "
                    "WHERE d.objid = c.oid AND d.deptype = 'e')"
                )
            ).all()
            statements += [f'DROP {kind} IF EXISTS public."{name}" CASCADE;' for kind, name in rows]
            functions = conn.execute(
                sa.text(
                    "SELECT p.oid::regprocedure::text FROM pg_proc p "
                    "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' "
                    "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid "
                    "AND d.deptype = 'e')"
                )
            ).scalars()
            statements += [f"DROP FUNCTION IF EXISTS {f} CASCADE;" for f in functions]
    finally:
        engine.dispose()
    return "\n".join(statements) + "\n"


def pg_restore(owner_url: str, dump: Path, *, wipe: bool) -> None:
    """Replay ``dump`` into the database of ``owner_url`` in one transaction (after dropping what
    is there when ``wipe``). Raises BackupError with the tools' message; nothing is then changed.

    pg_restore writes SQL that psql runs inside BEGIN … COMMIT written here: COMMIT only once
    pg_restore has ended well, so a dump that fails half-way is rolled back, never half-loaded."""
    restore_bin, psql_bin = _tool("pg_restore"), _tool("psql")
    uri, env = libpq(owner_url)
    begin = "BEGIN;\n" + (_wipe_sql(owner_url) if wipe else "")
    logs = dump.parent
    with (
        (logs / "psql.log").open("w+b") as psql_log,
        (logs / "pg_restore.log").open("w+b") as restore_log,
    ):
        # The arguments are the tools' paths and our own values, not user input.
        consumer = subprocess.Popen(  # noqa: S603
            [psql_bin, "-X", "-q", "--no-password", "-v", "ON_ERROR_STOP=1", "--dbname", uri],
            stdin=subprocess.PIPE,
            stdout=psql_log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        producer = subprocess.Popen(  # noqa: S603
            [restore_bin, "--no-owner", "--file", "-", str(dump)],
            stdout=subprocess.PIPE,
            stderr=restore_log,
            env=env,
        )
        try:
            consumer.stdin.write(begin.encode())
            while chunk := producer.stdout.read(65536):
                consumer.stdin.write(chunk)
        except BrokenPipeError:  # psql stopped at an error: its log says which
            pass
        producer.stdout.close()
        produced = producer.wait()
        try:
            consumer.stdin.write(b"COMMIT;\n" if produced == 0 else b"ROLLBACK;\n")
            consumer.stdin.close()
        except BrokenPipeError:
            pass
        consumed = consumer.wait()
        # psql first: when it stops at an error, pg_restore dies of the closed pipe after it.
        if consumed != 0:
            psql_log.seek(0)
            message = psql_log.read().decode(errors="replace").strip()
            raise BackupError(f"the restore failed and was rolled back: {message}")
        if produced != 0:
            restore_log.seek(0)
            message = restore_log.read().decode(errors="replace").strip()
            raise BackupError(f"pg_restore failed, nothing restored: {message}")


def pg_after_restore(owner_url: str, key: bytes) -> None:
    """Store this deployment's RLS scope key in the restored database (the dump held the old
    deployment's), as the owner."""
    engine = pg_engine(owner_url)
    try:
        with engine.begin() as conn:
            if rls.signed_scope_installed(conn):
                rls.store_key(conn, key)
    finally:
        engine.dispose()


def pg_counts(owner_url: str, key: bytes) -> tuple[str | None, dict[str, int]]:
    """(alembic revision, row counts per table) of the restored database, read in a signed
    cross-unit scope (what the policies let the app read)."""
    engine = pg_engine(owner_url)
    try:
        with engine.connect() as conn, conn.begin():
            if rls.signed_scope_installed(conn):
                rls.set_signed_scope(conn, key, None, True)
            tables = pg_tables(conn)
            return _revision(conn, tables), _counts(conn, tables)
    finally:
        engine.dispose()


# --- SQLite -----------------------------------------------------------------------------------


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("the SQLite database is in memory: nothing to back up or restore")
    return Path(database)


def _sqlite_tables(conn) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [r[0] for r in rows]


def sqlite_info(path: Path) -> tuple[str | None, dict[str, int]]:
    """(alembic revision, row counts per table) of the SQLite file at ``path``."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = _sqlite_tables(conn)
        counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        revision = None
        if "alembic_version" in tables:
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        return revision, counts
    finally:
        conn.close()


def sqlite_backup(source: Path, target: Path) -> dict:
    """Copy the database ``source`` consistently to ``target``; return its manifest entry."""
    if not source.is_file():
        raise BackupError(f"no SQLite database at {source}")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    revision, counts = sqlite_info(target)
    return {"kind": "sqlite", "file": "database.sqlite3", "revision": revision, "tables": counts}


def sqlite_contents(path: Path) -> list[str]:
    """The tables of the SQLite database at ``path`` ([] when absent or empty)."""
    if not path.exists():
        return []
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return _sqlite_tables(conn)
    finally:
        conn.close()


def sqlite_restore(staged: Path, target: Path) -> None:
    """Put the staged copy in place of ``target`` (renamed over it; a crash leaves the old one)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming = target.with_name(target.name + ".restoring")
    shutil.copyfile(staged, incoming)
    for suffix in ("-wal", "-shm", "-journal"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    os.replace(incoming, target)
