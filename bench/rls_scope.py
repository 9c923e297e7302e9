"""What the signed RLS scope (0012) costs per query, against the unsigned policy, in one run.

Creates a fresh database (``KPI_BENCH_DATABASE_URL``, default
postgresql://postgres@127.0.0.1:5432/kpi_bench_rls — an owner/superuser URL; the database named
in it is DROPPED and recreated), installs the signed scope exactly as the migration does
(``tenant_app.tenancy.rls``) and three copies of one tenant table, filled alike:

- ``rows_none``: no row-level security (the floor: the query's own ``tenant_id`` filter only);
- ``rows_plain``: the policies before 0012 (``kpi.tenant_id`` read as a plain setting);
- ``rows_signed``: the policies of 0012 (``(SELECT kpi_scope_tenant())``, HMAC checked once per
  statement by a SECURITY DEFINER function).

Tenant 1 owns ``--big`` rows (default 100,000), tenants 2..``--tenants`` 1,000 each. Connected as
an RLS-bound role, it measures, in ``--rounds`` interleaved rounds (the median is printed):

1. ``--lookups`` indexed point lookups (``WHERE tenant_id = … AND id = …``) in one transaction
   per table: ms per query;
2. a scan of tenant 1's ``--big`` rows (``count``/``sum`` over the table, RLS filtering the other
   tenants out): ms per scan;
3. ``--transactions`` short transactions (BEGIN, set the scope, one lookup, COMMIT): the per-
   transaction cost of setting the scope — plain (one ``set_config``), signed (read the binding,
   then ``set_config`` with the HMAC: two round trips), and for reference the plain scope with a
   forced transaction id (``txid_current()``): what binding to an xid instead would add.

Prints the figures and the ratios signed / plain; asserts nothing.
Usage: ``.venv/bin/python bench/rls_scope.py [--lookups 10000] [--big 100000] [--rounds 5]``
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tenant_app.tenancy import rls  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/kpi_bench_rls"
APP_ROLE = "kpi_bench_rls_app"
KEY = b"bench-rls-key-0123456789abcdef0123456789"
TABLES = ("rows_none", "rows_plain", "rows_signed")


def _plain(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def setup(raw: str, tenants: int, big: int) -> tuple[str, str]:
    """Create the database, the app role, the signed scope and the three tables; their URLs."""
    url = make_url(raw)
    with psycopg.connect(_plain(url.set(database="postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{url.database}"')
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (APP_ROLE,)).fetchone():
            conn.execute(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD 'kpi'")
    owner = sa.create_engine(url.set(drivername="postgresql+psycopg"))
    with owner.begin() as conn:
        conn.execute(sa.text(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}"))
        for statement in rls.signed_scope_statements(APP_ROLE):
            conn.execute(sa.text(statement))
        rls.store_key(conn, KEY)
        for table in TABLES:
            conn.execute(
                sa.text(
                    f"CREATE TABLE {table} (tenant_id integer NOT NULL, id integer NOT NULL, "
                    "payload text NOT NULL, PRIMARY KEY (tenant_id, id))"
                )
            )
            conn.execute(
                sa.text(
                    f"INSERT INTO {table} SELECT 1, g, md5(g::text) FROM generate_series(1, :big) g"
                ),
                {"big": big},
            )
            conn.execute(
                sa.text(
                    f"INSERT INTO {table} SELECT t, g, md5((t * g)::text) "
                    "FROM generate_series(2, :tenants) t, generate_series(1, 1000) g"
                ),
                {"tenants": tenants},
            )
            if table == "rows_none":
                conn.execute(sa.text(f"GRANT SELECT ON {table} TO {APP_ROLE}"))
            else:
                for statement in rls.enable_statements(
                    table, APP_ROLE, signed=table == "rows_signed"
                ):
                    conn.execute(sa.text(statement))
    with owner.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
    owner.dispose()
    app_url = url.set(username=APP_ROLE, password="kpi")
    return _plain(url), _plain(app_url)


# --- setting the scope, three ways


def scope_plain(conn, tenant: int) -> None:
    conn.execute("SELECT set_config('kpi.tenant_id', %s, true)", (str(tenant),))


def scope_signed(conn, tenant: int) -> None:
    pid, usec = conn.execute(rls.BINDING_SQL).fetchone()
    sig = rls.scope_signature(KEY, rls.scope_claim(tenant, False), pid, usec)
    conn.execute(
        "SELECT set_config('kpi.tenant_id', %s, true), set_config('kpi.cross_tenant', '', true), "
        "set_config('kpi.scope_sig', %s, true)",
        (str(tenant), sig),
    )


def scope_plain_xid(conn, tenant: int) -> None:
    """The plain scope in the same single round trip, with a transaction id forced: the price of
    binding a signature to ``txid_current()`` instead of the transaction start."""
    conn.execute("SELECT txid_current(), set_config('kpi.tenant_id', %s, true)", (str(tenant),))


def scope_for(table: str):
    return scope_signed if table == "rows_signed" else scope_plain


# --- the measurements


def lookups(conn, table: str, n: int) -> float:
    """ms per indexed point lookup, ``n`` of them in one transaction."""
    ids = [1 + (i * 7919) % 1000 for i in range(n)]
    query = f"SELECT payload FROM {table} WHERE tenant_id = 2 AND id = %s"
    with conn.transaction():
        scope_for(table)(conn, 2)
        started = time.perf_counter()
        for row in ids:
            conn.execute(query, (row,), prepare=True).fetchone()
        elapsed = time.perf_counter() - started
    return elapsed * 1000 / n


def scan(conn, table: str, repeat: int = 5) -> tuple[float, int]:
    """ms per scan of tenant 1's rows (RLS filters the others out), and the rows counted."""
    with conn.transaction():
        scope_for(table)(conn, 1)
        where = " WHERE tenant_id = 1" if table == "rows_none" else ""
        started = time.perf_counter()
        for _ in range(repeat):
            count, _length = conn.execute(
                f"SELECT count(*), sum(length(payload)) FROM {table}{where}"
            ).fetchone()
        elapsed = time.perf_counter() - started
    return elapsed * 1000 / repeat, count


def transactions(conn, table: str, setter, n: int) -> float:
    """ms per short transaction: BEGIN, set the scope, one point lookup, COMMIT."""
    query = f"SELECT payload FROM {table} WHERE tenant_id = 2 AND id = %s"
    started = time.perf_counter()
    for i in range(n):
        with conn.transaction():
            setter(conn, 2)
            conn.execute(query, (1 + i % 1000,), prepare=True).fetchone()
    return (time.perf_counter() - started) * 1000 / n


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lookups", type=int, default=10_000)
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--tenants", type=int, default=50)
    parser.add_argument("--transactions", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)

    raw = os.environ.get("KPI_BENCH_DATABASE_URL", DEFAULT_URL)
    started = time.perf_counter()
    _owner_url, app_url = setup(raw, args.tenants, args.big)
    print(
        f"setup: {time.perf_counter() - started:.1f} s  ({platform.python_version()}, "
        f"{args.tenants} tenants, tenant 1 = {args.big:,} rows, others 1,000)"
    )

    figures: dict[str, list[float]] = {}

    def keep(name: str, value: float) -> None:
        figures.setdefault(name, []).append(value)

    with psycopg.connect(app_url) as conn:
        conn.execute("SELECT 1")
        conn.rollback()
        for _ in range(args.rounds):  # interleaved: drift hits every variant alike
            for table in TABLES:
                keep(f"lookup {table}", lookups(conn, table, args.lookups))
                ms, rows = scan(conn, table)
                assert rows == args.big, (table, rows)
                keep(f"scan {table}", ms)
            keep("tx plain", transactions(conn, "rows_plain", scope_plain, args.transactions))
            keep("tx signed", transactions(conn, "rows_signed", scope_signed, args.transactions))
            keep(
                "tx plain+xid", transactions(conn, "rows_plain", scope_plain_xid, args.transactions)
            )
        version = conn.execute("SHOW server_version").fetchone()[0]

    med = {name: statistics.median(values) for name, values in figures.items()}
    print(f"PostgreSQL {version}; median of {args.rounds} rounds")
    print(f"\n{args.lookups:,} indexed point lookups, one transaction (ms per query):")
    for table in TABLES:
        print(f"  {table:12} {med[f'lookup {table}']:.4f}")
    print(
        f"  signed / plain = {med['lookup rows_signed'] / med['lookup rows_plain']:.3f}, "
        f"signed - plain = {1000 * (med['lookup rows_signed'] - med['lookup rows_plain']):+.1f} µs"
    )
    print(f"\nscan of {args.big:,} rows of one tenant (ms per scan):")
    for table in TABLES:
        print(f"  {table:12} {med[f'scan {table}']:.2f}")
    print(f"  signed / plain = {med['scan rows_signed'] / med['scan rows_plain']:.3f}")
    print(f"\n{args.transactions:,} short transactions: scope + 1 lookup (ms per transaction):")
    for name in ("tx plain", "tx plain+xid", "tx signed"):
        print(f"  {name:14} {med[name]:.4f}")
    print(
        f"  signed / plain = {med['tx signed'] / med['tx plain']:.3f}, "
        f"signed - plain = {1000 * (med['tx signed'] - med['tx plain']):+.1f} µs; "
        f"forcing an xid alone adds {1000 * (med['tx plain+xid'] - med['tx plain']):+.1f} µs"
    )
    with psycopg.connect(_plain(make_url(raw).set(database="postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{make_url(raw).database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
